"""One OCI cart line: the ``NEW_ITEM-*`` fields of one item index ``n`` as a typed value.

Attribute names are the OCI field names in snake case (``VENDORMAT`` → ``vendor_mat``,
``PRICEUNIT`` → ``price_unit``); :data:`punchout.oci.fields.NEW_ITEM_FIELDS` maps one to the other.
Absent text fields are ``""`` (OCI makes no difference between an empty and a missing field).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, kw_only=True, slots=True)
class OCIItem:
    """An item of an OCI cart, as a catalog returns it to the buyer's HOOK_URL.

    ``price`` is the price of ``price_unit`` units of ``unit`` (OCI: PRICE per PRICEUNIT): a catalog
    selling screws at 10.00 EUR per 100 pieces sends PRICE=10.00, PRICEUNIT=100.
    ``extra`` keeps custom ``NEW_ITEM-<NAME>[n]`` fields the specification does not define, by
    upper-case name (``{"ADDITIONAL_COST": "4.90"}``).
    """

    description: str
    quantity: Decimal
    unit: str = ""
    price: Decimal | None = None
    currency: str = ""
    price_unit: Decimal = Decimal(1)
    lead_time: int | None = None
    long_text: str = ""
    matnr: str = ""
    vendor: str = ""
    vendor_mat: str = ""
    manufact_code: str = ""
    manufact_mat: str = ""
    mat_group: str = ""
    service: bool = False
    contract: str = ""
    contract_item: str = ""
    ext_quote_id: str = ""
    ext_quote_item: str = ""
    ext_product_id: str = ""
    attachment: str = ""
    attachment_title: str = ""
    attachment_purpose: str = ""
    ext_schema_type: str = ""
    ext_category_id: str = ""
    ext_category: str = ""
    sld_sys_name: str = ""
    cust_field1: str = ""
    cust_field2: str = ""
    cust_field3: str = ""
    cust_field4: str = ""
    cust_field5: str = ""
    parent_id: str = ""
    item_type: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def unit_price(self) -> Decimal | None:
        """The price of one ``unit``: PRICE / PRICEUNIT, exact (not rounded to the currency)."""
        if self.price is None:
            return None
        return self.price / self.price_unit

    @property
    def line_total(self) -> Decimal | None:
        """QUANTITY × PRICE / PRICEUNIT, exact (round it to the currency where money is stored)."""
        if self.price is None:
            return None
        return self.quantity * self.price / self.price_unit
