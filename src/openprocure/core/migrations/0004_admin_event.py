"""Administrative changes (tolerance rules, preferred suppliers…) are recorded as events."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_scheduler_lease_and_worker_heartbeats"),
    ]

    operations = [
        migrations.CreateModel(
            name="AdminEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("detail", models.JSONField(blank=True, default=dict, verbose_name="detail")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="at")),
                (
                    "kind",
                    models.CharField(
                        choices=[("created", "Created"), ("changed", "Changed"), ("deleted", "Deleted")],
                        max_length=32,
                        verbose_name="event",
                    ),
                ),
                ("subject_type", models.CharField(db_index=True, max_length=100, verbose_name="record type")),
                ("subject_id", models.PositiveBigIntegerField(blank=True, null=True, verbose_name="record")),
                ("subject_text", models.CharField(blank=True, max_length=200, verbose_name="what")),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="actor",
                    ),
                ),
            ],
            options={
                "verbose_name": "administrative change",
                "verbose_name_plural": "administrative changes",
                "ordering": ["created_at", "id"],
                "abstract": False,
                "indexes": [models.Index(fields=["subject_type", "subject_id"], name="admin_event_subject")],
            },
        ),
    ]
