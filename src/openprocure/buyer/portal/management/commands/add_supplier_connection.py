"""``add_supplier_connection``: a supplier and its PunchOut connection (production bootstrap).

    OPENPROCURE_BOOTSTRAP_SHARED_SECRET=… openprocure buyer add_supplier_connection \\
        --supplier Marketplace --setup-url https://shop.example/cxml/ \\
        --from-identity ACME --to-identity MARKETPLACE

The same checks as the supplier and connection pages (the same forms, the same service). Idempotent:
run again, it changes only what differs. The shared secret comes from
``$OPENPROCURE_BOOTSTRAP_SHARED_SECRET`` or standard input (``--secret-stdin``); without one, the
stored secret is kept.
"""

from __future__ import annotations

from typing import Any

from openprocure.buyer.portal.bootstrap import add_supplier_connection
from openprocure.buyer.suppliers.choices import ConnectionProtocol, DeploymentMode, OrderChannel
from openprocure.core.bootstrap import (
    BootstrapCommand,
    Outcome,
    add_shared_secret_argument,
    read_shared_secret,
)


class Command(BootstrapCommand):
    help = "Create (or bring up to date) a supplier and its PunchOut connection."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--supplier", required=True, help="The supplier's name.")
        parser.add_argument("--supplier-number", default=None, help="Your number for the supplier.")
        parser.add_argument(
            "--currency", default=None, help="The supplier's currency (ISO 4217, default EUR)."
        )
        parser.add_argument(
            "--connection", default="PunchOut", help="The connection's name (default PunchOut)."
        )
        parser.add_argument("--protocol", choices=ConnectionProtocol.values, default=None)
        parser.add_argument("--deployment-mode", choices=DeploymentMode.values, default=None)
        parser.add_argument("--setup-url", default=None, help="The supplier's PunchOut setup URL.")
        parser.add_argument("--order-url", default=None, help="Where orders are sent (cXML).")
        parser.add_argument(
            "--order-channel", choices=OrderChannel.values, default=None, help="How orders are sent."
        )
        parser.add_argument(
            "--order-email", default=None, help="Where orders are e-mailed (order channel email)."
        )
        parser.add_argument(
            "--language", default=None, help="The supplier's language (en or fr) for e-mailed orders."
        )
        for part in ("from", "to", "sender"):
            parser.add_argument(
                f"--{part}-identity", default=None, help=f"Credential identity of {part.title()}."
            )
            parser.add_argument(
                f"--{part}-domain", default=None, help=f"Credential domain of {part.title()}."
            )
        parser.add_argument("--oci-username", default=None)
        add_shared_secret_argument(
            parser, help_text="The cXML shared secret (or OCI password) agreed with the supplier."
        )

    def run(self, options: dict[str, Any]) -> list[Outcome]:
        secret = read_shared_secret(options, required=False)
        supplier = {"name": options["supplier"]}
        for option, field in (
            ("supplier_number", "number"),
            ("currency", "default_currency"),
            ("language", "language"),
        ):
            if options[option] is not None:
                supplier[field] = options[option]
        supplier.setdefault("is_active", True)
        connection: dict[str, Any] = {"name": options["connection"]}
        for field in (
            "protocol",
            "deployment_mode",
            "setup_url",
            "order_url",
            "order_channel",
            "order_email",
            "from_identity",
            "from_domain",
            "to_identity",
            "to_domain",
            "sender_identity",
            "sender_domain",
            "oci_username",
        ):
            if options[field] is not None:
                connection[field] = options[field]
        return add_supplier_connection(supplier=supplier, connection=connection, secret=secret)
