"""``seed_demo``: the demo organisation "Acme Industries" and its people (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from openprocure.buyer.approvals.demo import seed_approvals
from openprocure.buyer.invoicing.demo import seed_identifiers
from openprocure.buyer.organization.demo import seed_organization
from openprocure.buyer.suppliers.demo import seed_marketplace
from openprocure.core.demo import demo_user, require_demo_mode

PEOPLE = [
    ("requester@acme.test", "Rita", "Requester", False),
    ("approver@acme.test", "Alan", "Approver", False),
    ("admin@acme.test", "Ada", "Admin", True),
    ("ap@acme.test", "Paul", "Payables", False),
]


class Command(BaseCommand):
    help = "Seed the buyer suite's demo data (only with OPENPROCURE_DEMO=1)."

    def handle(self, *args: Any, **options: Any) -> None:
        require_demo_mode()
        with transaction.atomic():
            for email, first, last, admin in PEOPLE:
                demo_user(email, first_name=first, last_name=last, superuser=admin)
            seed_organization()
            seed_marketplace()
            seed_approvals()
            seed_identifiers()
        self.stdout.write("buyer demo data ready")
