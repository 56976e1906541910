"""factory_boy factories for the buyer's suppliers and their cXML connections."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from openprocure.buyer.suppliers.models import PunchOutConnection, Supplier


class SupplierFactory(DjangoModelFactory):
    """An entry of the supplier directory."""

    class Meta:
        model = Supplier

    name = "Office Supply Co"
    number = "S-100"


class PunchOutConnectionFactory(DjangoModelFactory):
    """A cXML connection from Acme's procurement system to a supplier (no shared secret yet)."""

    class Meta:
        model = PunchOutConnection

    supplier = factory.SubFactory(SupplierFactory)
    setup_url = "https://supplier.test/punchout"
    order_url = "https://supplier.test/cxml"
    from_domain = "NetworkId"
    from_identity = "acme-buyer"
    to_domain = "NetworkId"
    to_identity = "office-supply"
    sender_domain = "NetworkId"
    sender_identity = "acme-buyer"
