"""Every page of the storefront is in the accessibility test's list (``PAGES`` of ``page_list.py``,
which ``test_accessibility_browser.py`` opens), or excluded here with why: a URL pattern that
answers GET is one or the other. POST-only views (``require_POST``) are not pages."""

from __future__ import annotations

from openprocure.supplier.punchout.middleware import SESSION_PATH
from tests.accessibility import pages_missing
from tests.supplier.page_list import PAGES

#: Routes that answer GET with no HTML page of their own, each with why.
EXCLUDED = {
    # protocol endpoints: partners POST documents or call the site up; GET answers plain text or redirects
    "cxml/": "cXML endpoint",
    "oagis/": "OAGIS endpoint",
    "oci/": "OCI call-up: opens a PunchOut session and redirects into it",
    "po/start/<str:token>/": "the StartPage URL: opens the PunchOut session and redirects into it",
    # files and data
    "search/suggest/": "search suggestions as JSON",
    "product/<str:asin>/image.svg": "a product's picture",
    "catalog-export/file/<int:export_id>/": "a catalog export file",
    "account/orders/<str:number>/pdf/": "an order as PDF",
    "account/invoices/<str:number>/pdf/": "an invoice as PDF",
    "account/invoices/<str:number>/einvoice/": "an e-invoice (CII, UBL or cXML)",
    # redirects only
    "i18n/setlang/": "sets the language and goes back",
    # not for people
    "healthz": "the health check of load balancers (plain text)",
}


def test_every_page_is_checked_for_accessibility_or_excluded() -> None:
    assert pages_missing(PAGES, EXCLUDED, inside=SESSION_PATH) == ""
