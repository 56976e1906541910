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

from openprocure.core.bootstrap import (
    BootstrapCommand,
    Outcome,
    add_person_arguments,
    add_shared_secret_argument,
    person_options,
    read_shared_secret,
)
from openprocure.supplier.storefront.bootstrap import create_business


class Command(BootstrapCommand):
    help = "Create (or bring up to date) a verified business with its administrator and PunchOut."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--operator", required=True, help="E-mail of the operator who verifies it.")
        parser.add_argument("--name", required=True, help="The business's name.")
        parser.add_argument("--street", required=True)
        parser.add_argument("--postal-code", required=True)
        parser.add_argument("--city", required=True)
        parser.add_argument("--country", required=True, help="ISO 3166 code, e.g. FR.")
        parser.add_argument("--tax-number", default="")
        add_person_arguments(
            parser, prefix="admin-", email_help=None, credential_help="The administrator's password."
        )
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
        add_shared_secret_argument(parser, help_text="The cXML shared secret agreed with the buyer.")

    def run(self, options: dict[str, Any]) -> list[Outcome]:
        # Standard input holds the password first, then the secret.
        person = person_options(options, prefix="admin-")
        secret = read_shared_secret(options, required=True)
        return create_business(
            operator_email=options["operator"],
            name=options["name"],
            street=options["street"],
            postal_code=options["postal_code"],
            city=options["city"],
            country=options["country"],
            tax_number=options["tax_number"],
            **person,
            buyer_identity=options["buyer_identity"],
            buyer_domain=options["buyer_domain"],
            allowed_return_urls=options["return_url"],
            shared_secret=secret,
        )
