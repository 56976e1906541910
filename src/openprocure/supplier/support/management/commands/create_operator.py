"""``create_operator``: a member of the storefront's staff (production bootstrap).

    OPENPROCURE_BOOTSTRAP_PASSWORD=… openprocure supplier create_operator \\
        --email olivia@marketplace.example --first-name Olivia --last-name Dupont [--role support]

Idempotent: run again, it changes only what differs. The password is read as
``openprocure.core.bootstrap.read_password`` says.
"""

from __future__ import annotations

from typing import Any

from openprocure.core.bootstrap import BootstrapCommand, Outcome, add_person_arguments, person_options
from openprocure.supplier.business.choices import StaffRole
from openprocure.supplier.storefront.bootstrap import create_operator


class Command(BootstrapCommand):
    help = "Create (or bring up to date) an operator or support representative of the storefront."

    def add_arguments(self, parser: Any) -> None:
        add_person_arguments(
            parser, prefix="", email_help="Their e-mail (their sign-in).", credential_help="Their password."
        )
        parser.add_argument("--role", choices=StaffRole.values, default=StaffRole.OPERATOR)

    def run(self, options: dict[str, Any]) -> list[Outcome]:
        outcome = create_operator(role=options["role"], **person_options(options, prefix=""))
        return [outcome]
