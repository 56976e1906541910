"""``record_bounce``: a bounce report (non-delivery notice) for an e-mailed purchase order.

    openprocure buyer record_bounce PO-2026-000123 orders@supplier.example --reason "550 5.1.1 unknown user"

For a bounce that arrives after the mail server took the e-mail (a refusal at send is recorded by
the outbox itself): the order's page shows it, with the reason, so the buyer corrects the address and
sends the order again. A mail system can run it from its bounce handler.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from openprocure.buyer.purchasing.emailing import record_bounce
from openprocure.buyer.purchasing.models import PurchaseOrder


class Command(BaseCommand):
    help = "Record that the e-mail of a purchase order bounced."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("number", help="The purchase order's number.")
        parser.add_argument("address", help="The address that bounced.")
        parser.add_argument("--reason", default="", help="What the bounce report says.")

    def handle(self, *args: Any, **options: Any) -> None:
        po = PurchaseOrder.objects.filter(number=options["number"]).first()
        if po is None:
            raise CommandError(f"No purchase order {options['number']}.")
        record_bounce(po=po, address=options["address"], reason=options["reason"] or "no reason given")
        self.stdout.write(f"bounce recorded on {po.number}")
