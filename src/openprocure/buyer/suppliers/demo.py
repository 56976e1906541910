"""Demo data of the supplier side: the Marketplace and its cXML connection (called by ``seed_demo``)."""

from __future__ import annotations

from django.conf import settings

from openprocure.buyer.suppliers.choices import ConnectionProtocol, DeploymentMode
from openprocure.buyer.suppliers.models import PunchOutConnection, Supplier
from openprocure.buyer.suppliers.services import save_connection
from openprocure.core.demo import follow_demo_peer, require_demo_mode

DEMO_SHARED_SECRET = "acme-demo-secret"  # noqa: S105 - documented demo secret, refused outside demo mode


def seed_marketplace() -> PunchOutConnection | None:
    """The Marketplace supplier and its PunchOut connection to this run's storefront.

    Created the first time only: once a supplier exists, what administrators changed stays (rotated
    secrets, addresses); only the demo's own loopback addresses follow this run's ports.
    """
    require_demo_mode()
    if Supplier.objects.exists():
        _follow_demo_peer()
        return PunchOutConnection.objects.filter(supplier__name="Marketplace").first()
    supplier, _ = Supplier.objects.get_or_create(
        name="Marketplace", defaults={"number": "S-0001", "default_currency": "EUR"}
    )
    peer = getattr(settings, "DEMO_PEER_URL", "http://127.0.0.1:8100")
    connection = PunchOutConnection.objects.filter(supplier=supplier).first() or PunchOutConnection(
        supplier=supplier
    )
    connection.name = "PunchOut"
    connection.protocol = ConnectionProtocol.CXML
    connection.deployment_mode = DeploymentMode.PRODUCTION
    connection.setup_url = f"{peer}/cxml/"
    connection.order_url = f"{peer}/cxml/"
    connection.from_domain = connection.sender_domain = connection.to_domain = "NetworkId"
    connection.from_identity = connection.sender_identity = "ACME"
    connection.to_identity = "MARKETPLACE"
    connection.user_attributes = ["UserEmail", "FirstName", "LastName", "UniqueName"]
    connection.accepts_order_updates = True
    connection.accepts_cancellations = True
    save_connection(connection=connection, new_secret=DEMO_SHARED_SECRET)
    return connection


def _follow_demo_peer() -> None:
    """Point the connections still at a loopback demo address to this run's storefront."""
    peer = getattr(settings, "DEMO_PEER_URL", "http://127.0.0.1:8100")
    for connection in PunchOutConnection.objects.all():
        moved = {
            field: follow_demo_peer(getattr(connection, field), peer)
            for field in ("setup_url", "order_url")
            if getattr(connection, field)
        }
        changed = {field: url for field, url in moved.items() if url != getattr(connection, field)}
        if changed:
            PunchOutConnection.objects.filter(pk=connection.pk).update(**changed)
