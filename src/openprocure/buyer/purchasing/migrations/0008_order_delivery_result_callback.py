"""OrderRequests still on their way are given purchasing's outbox result callback.

Until this change a periodic task read the outbox to move purchase orders; now the outbox worker
calls ``purchasing.services.record_delivery`` when the delivery is settled. Messages of
transmissions still queued are given its key, so the orders waiting for them move as new ones do.
(A message the old task had not yet read when the workers stopped, already delivered or failed,
keeps its order "sent": send that order again from its page.)
"""

from django.db import migrations

WAITING = ("pending", "retrying", "delivering")


def name_the_callback(apps, schema_editor):
    OutboxMessage = apps.get_model("core", "OutboxMessage")
    Transmission = apps.get_model("purchasing", "Transmission")
    queued = Transmission.objects.filter(status="queued", outbox_message__isnull=False).values(
        "outbox_message_id"
    )
    OutboxMessage.objects.filter(pk__in=queued, status__in=WAITING, on_result="").update(
        on_result="purchasing.order"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_outbox_result_callback"),
        ("purchasing", "0007_supplier_message_values"),
    ]

    operations = [migrations.RunPython(name_the_callback, migrations.RunPython.noop, elidable=True)]
