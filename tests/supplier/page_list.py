"""The pages of the storefront that the accessibility test opens, for each person: the list
``test_accessibility_pages.py`` checks every page route against."""

from __future__ import annotations

#: The pages each person opens ("" is a visitor who is not signed in); ``{name}`` is an object the
#: test makes. ``/po/<key>/…`` is a page inside a PunchOut session.
PAGES = {
    "": [
        "/",
        "/search/?q=paper",
        "/browse/",
        "/browse/{category}/",
        "/product/{asin}/",
        "/help/order-codes/",
        "/accounts/login/",
        "/business/register/",
        "/business/invitation/{invitation}/",
        "/business/punchout-only/",
        "/po/{session}/welcome/",
    ],
    "admin@acme.test": [
        "/account/orders/",
        "/account/orders/{order}/",
        "/account/invoices/",
        "/account/charges/",
        "/business/",
        "/business/punchout/add/",
        "/business/punchout/documents/",
        "/business/punchout/documents/{document}/",
        "/business/punchout/credentials/",
        "/account/api-keys/",
        "/business/punchout/checklist/",
        "/business/punchout/activate/",
        "/catalog-export/",
        "/catalog-export/{business}/",
        "/po/{admin_session}/cart/",
    ],
    "operator@marketplace.test": [
        "/fulfilment/",
        "/fulfilment/orders/{order_id}/ship/",
        "/fulfilment/orders/{order_id}/return/",
        "/fulfilment/returns/",
        "/fulfilment/invoices/{invoice}/correct/",
        "/support/lookup/?q=PO",
        "/support/orders/{order}/",
        "/operations/",
        "/platforms/",
        "/platforms/add/",
        "/platforms/{platform}/",
        "/business/review/",
        "/business/integrations/{integration}/settings/",
        "/business/integrations/{integration}/checklist/",
        "/business/integrations/{integration}/documents/{document}/",
        "/business/integrations/{integration}/order-documents/",
        "/business/integrations/{integration}/conformance/",
        "/mailbox/",
    ],
}
