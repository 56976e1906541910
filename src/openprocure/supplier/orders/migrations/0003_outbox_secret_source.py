"""Documents waiting in the outbox say whose shared secret they carry, and keep it masked.

Since this change the outbox stores documents with the SharedSecret masked and puts the business's
secret in at delivery. Documents stored before it still hold the secret in clear: each is given the
integration its partner names (``domain:identity`` of the buyer) and masked. A document whose
integration cannot be found is masked too and fails at its next attempt with a message asking to
send it again.
"""

from django.db import migrations

from openprocure.core.journal import mask_secrets

WAITING = ("pending", "retrying", "delivering", "failed")


def attribute_and_mask(apps, schema_editor):
    OutboxMessage = apps.get_model("core", "OutboxMessage")
    Integration = apps.get_model("business", "Integration")
    for message in OutboxMessage.objects.filter(status__in=WAITING, secret_source="").iterator():
        domain, _colon, identity = message.partner.partition(":")
        integration_id = (
            Integration.objects.filter(buyer_domain_key=domain.casefold(), buyer_identity=identity)
            .values_list("pk", flat=True)
            .first()
        )
        OutboxMessage.objects.filter(pk=message.pk).update(
            body=mask_secrets(message.body), secret_source=str(integration_id or "")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_outbox_destination_secret_source"),
        ("orders", "0002_returns"),
        ("business", "0001_initial"),
    ]

    operations = [migrations.RunPython(attribute_and_mask, migrations.RunPython.noop, elidable=True)]
