"""The event table takes the shared audit shape (core.audit.AuditEvent); its rows are kept as they are."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("requisitions", "0003_iso_currency_and_country_validators"),
    ]

    operations = [
        migrations.RenameField(model_name="requisitionevent", old_name="data", new_name="detail"),
        migrations.AlterField(
            model_name="requisitionevent",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="at"),
        ),
        migrations.AlterField(
            model_name="requisitionevent",
            name="detail",
            field=models.JSONField(blank=True, default=dict, verbose_name="detail"),
        ),
    ]
