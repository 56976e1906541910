"""Tunables of order intake and confirmations, each with why it has this value."""

from __future__ import annotations

from decimal import Decimal

from openprocure.supplier.punchout import defaults as punchout_defaults

# VAT rate applied to order lines and shipping, in percent: the same rate the cart estimated.
VAT_RATE: Decimal = punchout_defaults.VAT_RATE
# Shipping charged once per marketplace seller with a shipped line (items fulfilled by us ship free):
# the same rule as the cart's estimate, so the order never costs more than the cart showed.
SHIPPING_PER_SELLER: Decimal = punchout_defaults.SHIPPING_PER_SELLER
# Currency of orders when the catalog does not say otherwise.
DEFAULT_CURRENCY = "EUR"
# Our order numbers look like Amazon's (3-7-7 digits): unguessable, easy to read on the phone.
ORDER_NUMBER_GROUPS = (3, 7, 7)
# Largest ordered quantity of one line (the same ceiling as a cart line).
MAX_LINE_QUANTITY = punchout_defaults.MAX_LINE_QUANTITY
# The user agent of the documents we send.
USER_AGENT = "OpenProcure Marketplace"
# Label of a test order in confirmations and e-mails (translated where shown).
TEST_ORDER_LABEL = "test order"
