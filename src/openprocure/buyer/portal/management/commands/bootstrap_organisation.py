"""``bootstrap_organisation``: the organisation and its first administrator (production bootstrap).

    OPENPROCURE_BOOTSTRAP_PASSWORD=… openprocure buyer bootstrap_organisation \\
        --name "Acme Industries" --currency EUR \\
        --admin-email anna@acme.example --admin-first-name Anna --admin-last-name Martin

Idempotent: run again, it changes only what differs. The password comes from
``$OPENPROCURE_BOOTSTRAP_PASSWORD`` or standard input (``--password-stdin``); it is needed only when
the account is new, and replaces the current one when given.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from openprocure.buyer.portal.bootstrap import bootstrap_organisation
from openprocure.core.bootstrap import add_secret_arguments, command_error, read_secret

PASSWORD_VARIABLE = "OPENPROCURE_BOOTSTRAP_PASSWORD"  # noqa: S105 - the name of a variable


class Command(BaseCommand):
    help = "Create (or bring up to date) the organisation and its first administrator."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--name", required=True, help="The organisation's name.")
        parser.add_argument("--currency", default="EUR", help="Its default currency (ISO 4217).")
        parser.add_argument(
            "--admin-email", required=True, help="The administrator's e-mail (their sign-in)."
        )
        parser.add_argument("--admin-first-name", default="")
        parser.add_argument("--admin-last-name", default="")
        add_secret_arguments(
            parser, name="password", variable=PASSWORD_VARIABLE, help_text="The administrator's password."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = read_secret(options, name="password", variable=PASSWORD_VARIABLE, required=False)
        try:
            outcomes = bootstrap_organisation(
                name=options["name"],
                currency=options["currency"],
                email=options["admin_email"],
                first_name=options["admin_first_name"],
                last_name=options["admin_last_name"],
                password=password,
            )
        except ValidationError as error:
            raise command_error(error) from None
        for outcome in outcomes:
            self.stdout.write(f"{outcome.what}: {outcome.action}")
