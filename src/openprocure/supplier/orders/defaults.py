"""Tunables of order intake and confirmations, each with why it has this value."""

from __future__ import annotations

from openprocure.supplier.punchout import defaults as punchout_defaults

# VAT and shipping: the cart's rules, in ``openprocure.supplier.punchout.pricing`` (one set of rules
# for carts, orders, confirmations and invoices, so the order never costs more than the cart showed).

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
# Seconds each answer of a procurement system may take during its conformance checks: what a
# supplier's system commonly waits for a document it posts (the checks' own default).
CONFORMANCE_ANSWER_SECONDS = 60.0
