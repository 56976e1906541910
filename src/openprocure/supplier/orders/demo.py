"""Demo order settings: the demo buyer suite as every integration's cXML endpoint, and its secrets.

Called by ``seed_orders_demo`` (demo mode only). The storefront's ``seed_demo`` may call
``seed_order_settings()`` after ``seed_businesses()``; until then, order settings are created on
first use with ``<DEMO_PEER_URL>/cxml/`` in demo mode and the secret is captured from the first
authenticated OrderRequest.
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
# Demo orders ship automatically two minutes after they arrive.
DEMO_AUTO_FULFIL_MINUTES = 2


def seed_order_settings() -> int:
    """Point every integration at the demo buyer suite; keep the demo secrets encrypted. Idempotent."""
    require_demo_mode()
    count = 0
    for integration in Integration.objects.all():
        row, _created = OrderSettings.objects.get_or_create(integration=integration)
        row.buyer_cxml_url = f"{settings.DEMO_PEER_URL}/cxml/"
        secret = DEMO_SECRETS.get(integration.buyer_identity)
        if secret and check_secret(secret, integration.shared_secret_hash):
            row.outbound_secret_encrypted = encrypt_secret(secret)
        row.auto_fulfil_after_minutes = DEMO_AUTO_FULFIL_MINUTES
        row.save()
        count += 1
    return count
