"""Outbox messages know their destination host and whose shared secret they carry; stored secrets go.

Documents already delivered or cancelled will never be sent again: their bodies are masked here, and
so are the partners' answers kept on every message and delivery attempt. Documents still waiting
keep their body until their site says whose secret they carry (the buyer's ``purchasing`` and the
storefront's ``orders`` migrations of the same change), since only the site knows where the secret
is now stored.
"""

from urllib.parse import urlsplit

from django.db import migrations, models

from openprocure.core.journal import mask_secrets

FINISHED = ("delivered", "cancelled")


def destinations_and_masks(apps, schema_editor):
    OutboxMessage = apps.get_model("core", "OutboxMessage")
    DeliveryAttempt = apps.get_model("core", "DeliveryAttempt")
    for message in OutboxMessage.objects.only("pk", "url", "status", "body", "response_body").iterator():
        changes = {"destination": urlsplit(message.url).netloc.rpartition("@")[2].lower()[:300]}
        if message.status in FINISHED:
            changes["body"] = mask_secrets(message.body)
        changes["response_body"] = mask_secrets(message.response_body)
        OutboxMessage.objects.filter(pk=message.pk).update(**changes)
    for attempt in DeliveryAttempt.objects.exclude(response_body="").only("pk", "response_body").iterator():
        masked = mask_secrets(attempt.response_body)
        if masked != attempt.response_body:
            DeliveryAttempt.objects.filter(pk=attempt.pk).update(response_body=masked)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxmessage",
            name="destination",
            field=models.CharField(blank=True, db_index=True, max_length=300, verbose_name="host"),
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="secret_source",
            field=models.CharField(blank=True, max_length=100, verbose_name="shared secret of"),
        ),
        migrations.AlterField(
            model_name="outboxmessage",
            name="body",
            field=models.TextField(verbose_name="body (secrets masked)"),
        ),
        migrations.RunPython(destinations_and_masks, migrations.RunPython.noop, elidable=True),
    ]
