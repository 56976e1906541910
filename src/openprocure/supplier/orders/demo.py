"""Demo order settings: the demo buyer suite as the cXML endpoint of the business it buys for, and
the demo secrets.

Called by the storefront's ``seed_demo`` after ``seed_businesses()`` (and by ``seed_orders_demo``;
demo mode only), so demo orders ship automatically after the promised delay. Order settings created
on first use get ``<DEMO_PEER_URL>/cxml/`` for that business in demo mode, and the secret is
captured from the first authenticated OrderRequest.

Only Acme buys through the demo buyer suite. Globex's procurement system is not part of the demo
(tests play it), so its documents have no endpoint until an operator sets one: they would
otherwise go to a buyer suite that does not know Globex and be refused there.
"""

from __future__ import annotations

from django.conf import settings

from openprocure.core.demo import require_demo_mode
from openprocure.supplier.business.credentials import check_secret
from openprocure.supplier.business.models import Integration
from openprocure.supplier.orders.crypto import encrypt_secret
from openprocure.supplier.orders.models import OrderSettings

# The demo's documented shared secrets (see ``openprocure demo``), by buyer identity.
DEMO_SECRETS = {"ACME": "acme-demo-secret", "GLOBEX": "globex-demo-secret"}
# The buyer identities the demo buyer suite answers for (its documents endpoint knows only these).
DEMO_PEER_BUYERS = frozenset({"ACME"})
# Demo orders ship automatically two minutes after they arrive.
DEMO_AUTO_FULFIL_MINUTES = 2


def seed_order_settings() -> int:
    """Point the integrations of the demo buyer suite's business at it; keep the demo secrets
    encrypted; set the demo's automatic fulfilment delay. Idempotent."""
    require_demo_mode()
    count = 0
    for integration in Integration.objects.all():
        row, _created = OrderSettings.objects.get_or_create(integration=integration)
        row.buyer_cxml_url = demo_buyer_url(integration)
        secret = DEMO_SECRETS.get(integration.buyer_identity)
        if secret and check_secret(secret, integration.shared_secret_hash):
            row.outbound_secret_encrypted = encrypt_secret(secret)
        if row.auto_fulfil_after_minutes is None:  # a delay an operator chose stays
            row.auto_fulfil_after_minutes = DEMO_AUTO_FULFIL_MINUTES
        row.save()
        count += 1
    return count


def demo_buyer_url(integration: Integration) -> str:
    """The demo buyer suite's cXML URL for an integration it buys through, else ""."""
    if settings.DEMO_MODE and integration.buyer_identity in DEMO_PEER_BUYERS:
        return f"{settings.DEMO_PEER_URL}/cxml/"
    return ""
