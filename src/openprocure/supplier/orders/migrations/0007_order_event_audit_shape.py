"""The event table takes the shared audit shape (core.audit.AuditEvent); its rows are kept as they are."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0006_iso_currency_and_country_validators"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(model_name="orderevent", old_name="by", new_name="actor"),
        migrations.RenameField(model_name="orderevent", old_name="at", new_name="created_at"),
        migrations.AlterModelOptions(
            name="orderevent",
            options={
                "ordering": ["created_at", "id"],
                "verbose_name": "order event",
                "verbose_name_plural": "order events",
            },
        ),
        migrations.AlterField(
            model_name="orderevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="actor",
            ),
        ),
        migrations.AlterField(
            model_name="orderevent",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="at"),
        ),
        migrations.AlterField(
            model_name="orderevent",
            name="detail",
            field=models.JSONField(blank=True, default=dict, verbose_name="detail"),
        ),
    ]
