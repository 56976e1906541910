"""Documents waiting in the outbox say whose shared secret they carry, and keep it masked.

Since this change the outbox stores documents with the SharedSecret masked and puts the connection's
secret in at delivery. Documents stored before it still hold the secret in clear: each is given its
supplier connection (a purchase order's own; for other documents the supplier's connection with the
same order URL) and masked. A document whose connection cannot be found is masked too and fails at
its next attempt with a message asking to send it again.
"""

from django.db import migrations

from openprocure.core.journal import mask_secrets

WAITING = ("pending", "retrying", "delivering", "failed")


def attribute_and_mask(apps, schema_editor):
    OutboxMessage = apps.get_model("core", "OutboxMessage")
    Transmission = apps.get_model("purchasing", "Transmission")
    PunchOutConnection = apps.get_model("suppliers", "PunchOutConnection")
    by_message = dict(
        Transmission.objects.filter(outbox_message__status__in=WAITING).values_list(
            "outbox_message_id", "purchase_order__connection_id"
        )
    )
    for message in OutboxMessage.objects.filter(status__in=WAITING, secret_source="").iterator():
        connection_id = by_message.get(message.pk)
        if connection_id is None:
            connection_id = (
                PunchOutConnection.objects.filter(order_url=message.url, supplier__name=message.partner)
                .values_list("pk", flat=True)
                .first()
            )
        OutboxMessage.objects.filter(pk=message.pk).update(
            body=mask_secrets(message.body), secret_source=str(connection_id or "")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_outbox_destination_secret_source"),
        ("purchasing", "0002_alter_purchaseorder_status"),
        ("suppliers", "0001_initial"),
    ]

    operations = [migrations.RunPython(attribute_and_mask, migrations.RunPython.noop, elidable=True)]
