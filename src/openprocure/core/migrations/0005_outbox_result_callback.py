"""Outbox messages name the result callback told when they are delivered, refused or given up."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_admin_event"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxmessage",
            name="on_result",
            field=models.CharField(blank=True, max_length=100, verbose_name="result callback"),
        ),
    ]
