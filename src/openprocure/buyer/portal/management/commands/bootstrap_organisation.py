"""``bootstrap_organisation``: the organisation and its first administrator (production bootstrap).

    OPENPROCURE_BOOTSTRAP_PASSWORD=… openprocure buyer bootstrap_organisation \\
        --name "Acme Industries" --currency EUR \\
        --admin-email anna@acme.example --admin-first-name Anna --admin-last-name Martin

Idempotent: run again, it changes only what differs. The password is read as
``openprocure.core.bootstrap.read_password`` says.
"""

from __future__ import annotations

from typing import Any

from openprocure.buyer.portal.bootstrap import bootstrap_organisation
from openprocure.core.bootstrap import BootstrapCommand, Outcome, add_person_arguments, person_options


class Command(BootstrapCommand):
    help = "Create (or bring up to date) the organisation and its first administrator."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--name", required=True, help="The organisation's name.")
        parser.add_argument("--currency", default="EUR", help="Its default currency (ISO 4217).")
        add_person_arguments(
            parser,
            prefix="admin-",
            email_help="The administrator's e-mail (their sign-in).",
            credential_help="The administrator's password.",
        )

    def run(self, options: dict[str, Any]) -> list[Outcome]:
        return bootstrap_organisation(
            name=options["name"], currency=options["currency"], **person_options(options, prefix="admin-")
        )
