"""Tunables of PunchOut sessions, each with why it has this value."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

# The start URL must be opened soon after the setup response (the buyer's system redirects at once).
START_URL_LIFETIME = timedelta(minutes=10)
# A shopping session stays usable this long after the browser arrived.
SESSION_LIFETIME = timedelta(hours=8)
# Shipping estimate per marketplace seller (items fulfilled by us ship free).
SHIPPING_PER_SELLER = Decimal("4.99")
# VAT rate of the cart's tax estimate and of our invoices, in percent (France's standard rate). The
# supplier settings set it from OPENPROCURE_VAT_RATE; read it through pricing.vat_rate().
VAT_RATE = Decimal("20")
# BACKGROUND_SEARCH answers at most this many items.
BACKGROUND_SEARCH_LIMIT = 50
# Largest quantity one cart line accepts.
MAX_LINE_QUANTITY = 100_000
