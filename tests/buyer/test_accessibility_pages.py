"""Every page of the buyer suite is in the accessibility test's list (``PAGES`` of ``page_list.py``,
which ``test_accessibility_browser.py`` opens), or excluded here with why: a URL pattern that
answers GET is one or the other. POST-only views (``require_POST``) are not pages."""

from __future__ import annotations

from tests.accessibility import pages_missing
from tests.buyer.page_list import PAGES

#: Routes that answer GET with no HTML page of their own, each with why.
EXCLUDED = {
    # protocol endpoints: partners POST documents; GET answers plain text
    "cxml/": "cXML endpoint",
    "oagis/": "OAGIS endpoint",
    # files
    "suppliers/conformance/<int:pk>/report.json": "a conformance report as JSON",
    "suppliers/conformance/<int:pk>/junit.xml": "a conformance report as JUnit XML",
    "catalogs/<int:pk>/file/": "the catalog file as uploaded",
    "purchasing/<str:number>/pdf/": "a purchase order as PDF",
    "spend/history.csv": "the spend history as CSV",
    "invoicing/payments/<int:pk>.csv": "a payment export as CSV",
    "invoicing/<int:pk>/original/": "the invoice file as received",
    "invoicing/<int:pk>/pdf/": "an invoice as PDF",
    # redirects only
    "punchout/return/<str:cookie>/": "a supplier's cart: GET only brings a held cart back to its requisition",
    "spend/": "the menu's link: the dashboard or one's own history",
    "i18n/setlang/": "sets the language and goes back",
    # not for people
    "healthz": "the health check of load balancers (plain text)",
}


def test_every_page_is_checked_for_accessibility_or_excluded() -> None:
    assert pages_missing(PAGES, EXCLUDED) == ""
