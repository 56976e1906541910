"""``create_operator``: a member of the storefront's staff (production bootstrap).

    OPENPROCURE_BOOTSTRAP_PASSWORD=… openprocure supplier create_operator \\
        --email olivia@marketplace.example --first-name Olivia --last-name Dupont [--role support]

Idempotent: run again, it changes only what differs. The password comes from
``$OPENPROCURE_BOOTSTRAP_PASSWORD`` or standard input (``--password-stdin``); it is needed only when
the account is new, and replaces the current one when given.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from openprocure.core.bootstrap import add_secret_arguments, command_error, read_secret
from openprocure.supplier.business.choices import StaffRole
from openprocure.supplier.storefront.bootstrap import create_operator

PASSWORD_VARIABLE = "OPENPROCURE_BOOTSTRAP_PASSWORD"  # noqa: S105 - the name of a variable


class Command(BaseCommand):
    help = "Create (or bring up to date) an operator or support representative of the storefront."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--email", required=True, help="Their e-mail (their sign-in).")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--role", choices=StaffRole.values, default=StaffRole.OPERATOR)
        add_secret_arguments(parser, name="password", variable=PASSWORD_VARIABLE, help_text="Their password.")

    def handle(self, *args: Any, **options: Any) -> None:
        password = read_secret(options, name="password", variable=PASSWORD_VARIABLE, required=False)
        try:
            outcome = create_operator(
                email=options["email"],
                first_name=options["first_name"],
                last_name=options["last_name"],
                role=options["role"],
                password=password,
            )
        except ValidationError as error:
            raise command_error(error) from None
        self.stdout.write(f"{outcome.what}: {outcome.action}")
