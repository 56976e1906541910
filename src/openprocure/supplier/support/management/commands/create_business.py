"""``create_business``: a business account, its administrator and its PunchOut (production bootstrap).

    OPENPROCURE_BOOTSTRAP_PASSWORD=… OPENPROCURE_BOOTSTRAP_SHARED_SECRET=… \\
    openprocure supplier create_business --operator olivia@marketplace.example \\
        --name "Acme Industries" --street "12 rue des Entrepôts" --postal-code 69007 --city Lyon \\
        --country FR --tax-number 732829320 \\
        --admin-email buyer-admin@acme.example --admin-first-name Anna --admin-last-name Martin \\
        --buyer-identity ACME --return-url https://procurement.acme.example/

What the web pages do, in order: the business registers, the operator verifies it, its
administrator adds PunchOut with the shared secret agreed with the buyer (the integration starts in
Test; the administrator switches it to Active on the Manage your business page). Idempotent: run
again, it changes only what differs, and refuses what cannot be changed here (another buyer
identity or shared secret). The administrator's password comes from
``$OPENPROCURE_BOOTSTRAP_PASSWORD`` and the shared secret from
``$OPENPROCURE_BOOTSTRAP_SHARED_SECRET``, or both from standard input, one line each, password first
(``--password-stdin``, ``--secret-stdin``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from openprocure.core.bootstrap import add_secret_arguments, command_error, read_secret
from openprocure.supplier.storefront.bootstrap import create_business

PASSWORD_VARIABLE = "OPENPROCURE_BOOTSTRAP_PASSWORD"  # noqa: S105 - the name of a variable
SECRET_VARIABLE = "OPENPROCURE_BOOTSTRAP_SHARED_SECRET"  # noqa: S105 - the name of a variable


class Command(BaseCommand):
    help = "Create (or bring up to date) a verified business with its administrator and PunchOut."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--operator", required=True, help="E-mail of the operator who verifies it.")
        parser.add_argument("--name", required=True, help="The business's name.")
        parser.add_argument("--street", required=True)
        parser.add_argument("--postal-code", required=True)
        parser.add_argument("--city", required=True)
        parser.add_argument("--country", required=True, help="ISO 3166 code, e.g. FR.")
        parser.add_argument("--tax-number", default="")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-first-name", default="")
        parser.add_argument("--admin-last-name", default="")
        parser.add_argument(
            "--buyer-identity", required=True, help="The From identity of the buyer's system."
        )
        parser.add_argument("--buyer-domain", default="NetworkId", help="Its credential domain.")
        parser.add_argument(
            "--return-url",
            action="append",
            default=[],
            help="An address the buyer's carts may return to (repeat for several).",
        )
        add_secret_arguments(
            parser, name="password", variable=PASSWORD_VARIABLE, help_text="The administrator's password."
        )
        add_secret_arguments(
            parser,
            name="secret",
            variable=SECRET_VARIABLE,
            help_text="The cXML shared secret agreed with the buyer.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = read_secret(options, name="password", variable=PASSWORD_VARIABLE, required=False)
        secret = read_secret(options, name="secret", variable=SECRET_VARIABLE, required=True)
        try:
            outcomes = create_business(
                operator_email=options["operator"],
                name=options["name"],
                street=options["street"],
                postal_code=options["postal_code"],
                city=options["city"],
                country=options["country"],
                tax_number=options["tax_number"],
                email=options["admin_email"],
                first_name=options["admin_first_name"],
                last_name=options["admin_last_name"],
                password=password,
                buyer_identity=options["buyer_identity"],
                buyer_domain=options["buyer_domain"],
                allowed_return_urls=options["return_url"],
                shared_secret=secret,
            )
        except ValidationError as error:
            raise command_error(error) from None
        for outcome in outcomes:
            self.stdout.write(f"{outcome.what}: {outcome.action}")
