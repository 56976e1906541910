"""Every tunable of both sites, declared once in :data:`TUNABLES`, and the one way to read one: :func:`tunable`.

A tunable is a value an operator may change without touching code (a lifetime, a rate, a page size).
Each is declared here with its default and one line saying why it has that value; values only, so
this module imports no site code. A Django setting of the same name wins: the site's settings module
sets it, from an ``OPENPROCURE_*`` environment variable when operators choose it at deployment
(environment variables are read in the settings modules only, and listed in ``docs/operators.md``),
and tests override it with ``override_settings``. Code reads every tunable through
``tunable("NAME")``, when it needs it (never into a module constant at import, which a setting
changed later would not reach); a loop reads it once before it starts, not once per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings

__all__ = ["TUNABLES", "Tunable", "tunable"]


@dataclass(frozen=True)
class Tunable:
    """A tunable's default and why it has that value."""

    default: Any
    why: str


TUNABLES: dict[str, Tunable] = {
    # -- core: housekeeping (openprocure.core.housekeeping) ----------------------------------------------
    "HOUSEKEEPING_SECONDS": Tunable(
        300.0, "Seconds between two rounds of housekeeping (stuck background work, expired files)."
    ),
    "STUCK_WORK_SECONDS": Tunable(
        3600.0,
        "A conformance run, catalog export or catalog check still running after this long lost its "
        "worker (RQ stops a job after 900 s): it is failed, saying to start it again.",
    ),
    "STUCK_QUEUED_SECONDS": Tunable(
        10800.0,
        "A conformance run, catalog export or catalog check still waiting for a worker after this long "
        "lost its task (the queue flushed, the enqueue refused): its task is enqueued again once, and it "
        "is failed if still waiting this long after (generous: a busy queue is not a lost task).",
    ),
    "CATALOG_EXPORT_RETENTION_DAYS": Tunable(
        30, "Days an exported catalog file is kept for download; then it is deleted and its export says so."
    ),
    # -- core: the outbox (openprocure.core.outbox) -------------------------------------------------------
    "OUTBOX_DELIVERY_DEADLINE_SECONDS": Tunable(
        30.0,
        "One delivery attempt (connect, send, read the whole answer) is cut off after this; a partner "
        "still answering then is a transient failure (OPENPROCURE_DELIVERY_DEADLINE_SECONDS).",
    ),
    "OUTBOX_LEASE_MARGIN_SECONDS": Tunable(
        60.0,
        "What a lease adds to the deadline: reading the secret before the POST and recording the attempt "
        "after it (a SQLite writer may wait up to 20 s), so a lease never ends during its attempt.",
    ),
    "OUTBOX_LEASE_SECONDS": Tunable(
        None,
        "An explicit lease; None derives it from the deadline plus the margin. Checked at start-up to be "
        "at least that, or a second worker could send the document again.",
    ),
    "OUTBOX_BACKOFF_BASE_SECONDS": Tunable(
        5, "First retry delay; each failure doubles it, plus up to 25% jitter."
    ),
    "OUTBOX_BACKOFF_MAX_SECONDS": Tunable(
        3600, "Ceiling of the retry delay: a partner down all day is tried hourly."
    ),
    "OUTBOX_DELIVERIES_PER_TASK": Tunable(
        20, "Messages stored together go out in one task per host, this many at most per task."
    ),
    "OUTBOX_DELIVERIES_PER_DESTINATION": Tunable(
        2,
        "Deliveries to one host at the same time (a soft limit), so a slow partner holds this many task "
        "slots at most (OPENPROCURE_DELIVERIES_PER_DESTINATION).",
    ),
    # -- core: sign-in lockout (openprocure.core.signin) ----------------------------------------------------
    "SIGNIN_ADDRESS_FAILURE_LIMIT": Tunable(
        20,
        "Wrong passwords from one client address, over any accounts, before the address is locked out "
        "(credential stuffing); one account from one address locks after AXES_FAILURE_LIMIT "
        "(OPENPROCURE_SIGNIN_ADDRESS_FAILURE_LIMIT).",
    ),
    # -- buyer: approvals ---------------------------------------------------------------------------------
    "APPROVAL_REMINDER_HOURS": Tunable(
        24,
        "Hours an approver may leave a request waiting before a reminder e-mail (repeated at this interval).",
    ),
    "APPROVAL_ESCALATION_HOURS": Tunable(
        72, "Hours a step may stay open before it escalates to the next level of the requester's managers."
    ),
    "APPROVAL_LINK_DAYS": Tunable(7, "Days an e-mailed approve/reject link stays valid."),
    "SUPPLIER_PORTAL_LINK_DAYS": Tunable(
        30,
        "Days the supplier-portal link of an e-mailed purchase order stays valid: long enough to confirm, "
        "ship and invoice most orders; the buyer sends a new link from the order's page after that.",
    ),
    "APPROVAL_RESTART_ON_DECREASE": Tunable(
        False, "Restart approval when an approved amount goes down too (an increase always restarts)."
    ),
    "APPROVAL_MAX_ESCALATION_LEVELS": Tunable(6, "Manager levels looked up for escalation."),
    # -- buyer: purchasing --------------------------------------------------------------------------------
    "PO_NUMBER_PATTERN": Tunable(
        "PO-{year}-{seq:06}",
        "Purchase-order numbers: {year}, {month} and {seq} (with a format spec) are filled in "
        "(OPENPROCURE_PO_NUMBER_PATTERN).",
    ),
    # -- buyer: fulfilment --------------------------------------------------------------------------------
    "FULFILMENT_AUTO_RECEIPT_BELOW": Tunable(
        None,
        "A ship notice worth less than this for one order (in its currency) is received when it arrives; "
        "None turns automatic receipts off.",
    ),
    # -- buyer: recurring requisitions (openprocure.buyer.recurring) -------------------------------------
    "RECURRING_PRICE_TOLERANCE_PCT": Tunable(
        Decimal("2"),
        "An occurrence of a recurring requisition whose lines are unchanged is approved at once while each "
        "price and the total stay within this percentage of those approved; beyond it, it is approved again.",
    ),
    # -- buyer: invoicing ---------------------------------------------------------------------------------
    "INVOICING_DEFAULT_TOLERANCE": Tunable(
        {
            "mode": "3way",
            "quantity_pct": Decimal(0),
            "price_pct": Decimal(0),
            "price_abs": Decimal(0),
            "line_amount_abs": Decimal(0),
            "header_amount_abs": Decimal(0),
            "tax_abs": Decimal(0),
            "max_tax_rate_pct": None,
            "shipping_max": None,
        },
        "Tolerances when no ToleranceRule applies: exact match, 3-way, any shipping accepted.",
    ),
    "INVOICING_MAX_UPLOAD_BYTES": Tunable(
        10 * 1024 * 1024, "Largest upload accepted for an EN 16931 XML or Factur-X PDF."
    ),
    "INVOICING_PAYMENT_COLUMNS": Tunable(
        (
            "supplier_number",
            "supplier",
            "vat",
            "invoice_number",
            "invoice_date",
            "due_date",
            "kind",
            "currency",
            "amount_due",
            "purchase_orders",
            # an early-payment discount from the invoice's payment terms: the last day to pay with it,
            # its percent (when it is one), and the amount to deduct
            "discount_due_date",
            "discount_percent",
            "discount_amount",
            # "yes" when the supplier's invoice says the VAT is reverse-charged (we account for it)
            "reverse_charge",
        ),
        "Columns of the payment export CSV, in order.",
    ),
    # -- buyer: spend -------------------------------------------------------------------------------------
    "SPEND_REPORTING_CURRENCY": Tunable(
        "EUR",
        "The currency every dashboard amount is shown in; other currencies are converted with "
        "EXCHANGE_RATES, and one missing there is left out and named (never guessed).",
    ),
    "SPEND_TAIL_SHARE": Tunable(
        Decimal("0.80"), "The share of spend that defines the core suppliers; the others are the tail."
    ),
    "SPEND_HISTORY_PAGE_SIZE": Tunable(50, "Rows per page of the purchase history."),
    "SPEND_CHART_BARS": Tunable(
        10, "Bars drawn in a by-supplier or by-category chart (the rest are summed as Other)."
    ),
    "SPEND_LIST_PRICE_EXTRINSICS": Tunable(
        ("ListPrice",),
        "Extrinsic names that carry a line's list price (per price basis quantity, line currency).",
    ),
    "PLATFORM_PULL_SECONDS": Tunable(
        60.0,
        "Seconds between two pulls of each e-invoicing platform's inbound flows by the worker (both "
        "sites' settings read OPENPROCURE_PLATFORM_PULL_SECONDS into PERIODIC_TASKS).",
    ),
    "SPEND_REFRESH_SECONDS": Tunable(
        600.0,
        "Seconds between two refreshes of the monthly summary by the worker (the buyer settings read "
        "OPENPROCURE_SPEND_REFRESH_SECONDS into PERIODIC_TASKS).",
    ),
    "SPEND_FULL_REFRESH_HOURS": Tunable(
        24,
        "Hours after which the periodic refresh rebuilds every month, not only the changed ones (catches "
        "what no order event records, e.g. a renamed cost-center code).",
    ),
    # -- buyer: hosted catalogs (openprocure.buyer.catalogs) ---------------------------------------------
    "HOSTED_CATALOG_MAX_UPLOAD_BYTES": Tunable(
        200 * 1024 * 1024,
        "Largest catalog file accepted (page and API): a 100,000-item CIF is about 30 MB; a larger file "
        "is refused before it is stored.",
    ),
    "HOSTED_CATALOG_BATCH_SIZE": Tunable(
        5_000,
        "Items written per batch while a catalog file is checked (and the progress updated), and read "
        "per batch by the daily update of dated prices.",
    ),
    "HOSTED_CATALOG_MAX_PROBLEMS": Tunable(
        10_000,
        "Problems kept per rejected file (all are counted): enough to fix a file, without a million rows "
        "stored for a file of the wrong kind.",
    ),
    "HOSTED_CATALOG_PAGE_SIZE": Tunable(24, "Items per page of the hosted catalog search."),
    "HOSTED_CATALOG_RELEVANCE_LIMIT": Tunable(
        5_000,
        "Matches ranked by relevance; a broader query is shown in file order (ranking 100,000 matches "
        "costs more than the 50 ms a search may take).",
    ),
    "HOSTED_CATALOG_COUNT_LIMIT": Tunable(
        10_000, "Matches counted exactly; beyond, the page says “10,000+”."
    ),
    # -- storefront: business -----------------------------------------------------------------------------
    "BUSINESS_VERIFIED_DOMAINS": Tunable(
        (),
        "Businesses whose administrator's e-mail is at one of these domains are verified at once; every "
        "other one waits for an operator (OPENPROCURE_BUSINESS_VERIFIED_DOMAINS).",
    ),
    # -- storefront: catalog ------------------------------------------------------------------------------
    "CATALOG_SEARCH_BACKEND": Tunable(
        "",
        "Dotted path to the SearchBackend class; empty picks it from the database engine (SQLite: FTS5, "
        "others: SimpleSearchBackend). Checked at start-up (OPENPROCURE_SEARCH_BACKEND).",
    ),
    "CATALOG_PAGE_SIZE": Tunable(24, "Results per search page."),
    "CATALOG_RELEVANCE_LIMIT": Tunable(
        3_000,
        "Above this many matches a query is broad: ordered by sales rank, not by relevance score, as "
        "scoring 100k+ matches is what makes a search slow (FIELD-NOTES, Catalog search).",
    ),
    "CATALOG_FACET_LIMIT": Tunable(
        5_000,
        "Facet counts are taken over at most this many matches (the most popular); beyond it they are "
        "lower bounds shown with a + (e.g. 2,310+).",
    ),
    "CATALOG_COUNT_LIMIT": Tunable(
        10_000, "Totals are counted exactly up to this many matches; beyond it the page says 10,000+ results."
    ),
    "CATALOG_SUGGEST_LIMIT": Tunable(8, "Typeahead suggestions returned."),
    "CATALOG_SUGGEST_MIN_CHARS": Tunable(2, "Shortest prefix the typeahead answers."),
    "CATALOG_SPELLING_MAX_RESULTS": Tunable(
        2,
        "Spelling suggestions are looked for when a search finds at most this many products, and shown "
        "when the corrected words find more.",
    ),
    "CATALOG_SPELLING_CUTOFF": Tunable(
        0.8,
        "A vocabulary word is proposed when its Indel similarity to the typed word (0 to 1) is at least this.",
    ),
    "CATALOG_BATCH_SIZE": Tunable(5_000, "Rows per executemany batch when generating or importing products."),
    "CATALOG_EXPORT_CHUNK_SIZE": Tunable(
        2_000,
        "Products read per query when exporting a business's catalog (CIF, BMEcat): memory grows with the "
        "chunk, never with the catalog; 2,000 keeps a chunk with its price tiers to a few megabytes.",
    ),
    "CATALOG_EXPORT_SUPPLIER_ID": Tunable(
        "OpenProcure",
        "Our identity in exported catalogs for a business without a PunchOut integration (with one, its "
        "'our identity' is used, so the catalog names us as the business's system knows us).",
    ),
    "CATALOG_EXPORT_SUPPLIER_NAME": Tunable(
        "OpenProcure Marketplace",
        "Our name in exported catalogs for a business without a PunchOut integration.",
    ),
    "CATALOG_PRICE_BANDS": Tunable(
        (Decimal(10), Decimal(25), Decimal(50), Decimal(100), Decimal(250), Decimal(500)),
        "Upper bounds of the price bands of the price facet (the last is 'and above'); the search index "
        "holds each product's band number, so changing them needs a reindex.",
    ),
    "CATALOG_DEFAULT_CURRENCY": Tunable(
        "EUR", "Currency of generated products and of imported rows that leave it empty."
    ),
    # -- storefront: punchout -----------------------------------------------------------------------------
    "PUNCHOUT_START_URL_LIFETIME": Tunable(
        timedelta(minutes=10),
        "The start URL must be opened soon after the setup response (the buyer's system redirects at once).",
    ),
    "PUNCHOUT_SESSION_LIFETIME": Tunable(
        timedelta(hours=8), "A shopping session stays usable this long after the browser arrived."
    ),
    "PUNCHOUT_SHIPPING_PER_SELLER": Tunable(
        Decimal("4.99"), "Shipping estimate per marketplace seller (items fulfilled by us ship free)."
    ),
    "VAT_RATE": Tunable(
        Decimal("20"),
        "VAT rate (percent) of the cart's tax estimate and of our invoices: France's standard rate "
        "(OPENPROCURE_VAT_RATE).",
    ),
    # -- storefront: EN 16931 e-invoices (openprocure.supplier.fulfilment.einvoice) ----------------------
    # Us, the seller of every storefront invoice (EN 16931 BG-4): name, address, SIREN, SIRET, VAT.
    "EINVOICE_SELLER_NAME": Tunable("OpenProcure Store SAS", "Our legal name on e-invoices (BT-27)."),
    "EINVOICE_SELLER_STREET": Tunable("12 rue des Acheteurs", "Our street on e-invoices (BT-35)."),
    "EINVOICE_SELLER_POSTAL_CODE": Tunable("75002", "Our postal code on e-invoices (BT-38)."),
    "EINVOICE_SELLER_CITY": Tunable("Paris", "Our city on e-invoices (BT-37)."),
    "EINVOICE_SELLER_COUNTRY": Tunable("FR", "Our country on e-invoices (BT-40, ISO 3166-1)."),
    "EINVOICE_SELLER_SIREN": Tunable(
        "732829304", "Our SIREN (BT-30, scheme 0002): required in France with the VAT number."
    ),
    "EINVOICE_SELLER_SIRET": Tunable("73282930400011", "Our SIRET (BT-29, scheme 0009), empty if none."),
    "EINVOICE_SELLER_VAT_NUMBER": Tunable(
        "FR93732829304", "Our VAT number (BT-31): every standard-rated invoice must carry it (BR-S-02)."
    ),
    "EINVOICE_OPERATION": Tunable(
        "B1", "The French category of operation of our invoices: B1 goods, S1 services, M1 both."
    ),
    "EINVOICE_PAYMENT_TERMS": Tunable(
        "Paiement à réception de facture, sans escompte.", "Payment terms after the payment method (BT-20)."
    ),
    "EINVOICE_VAT_ON_DEBITS": Tunable(
        False,
        "We opted to pay VAT on debits (services): e-invoices say VAT is due at the invoice date (BT-8).",
    ),
    "EINVOICE_SHIPPING_REASON": Tunable("Frais de port", "The reason of the shipping charge (BT-104)."),
    "EINVOICE_RECOVERY_FEE_NOTE": Tunable(
        "Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : 40 EUR.",
        "French mandatory mention (note PMT): the fixed recovery fee (Code de commerce L441-10).",
    ),
    "EINVOICE_LATE_PAYMENT_NOTE": Tunable(
        "Pénalités de retard : trois fois le taux d'intérêt légal.",
        "French mandatory mention (note PMD): the late-payment penalty rate (Code de commerce L441-10).",
    ),
    "EINVOICE_DISCOUNT_NOTE": Tunable(
        "Pas d'escompte pour paiement anticipé.",
        "French mandatory mention (note AAB): the early-payment discount, or that there is none (BR-FR-05).",
    ),
    "PUNCHOUT_BACKGROUND_SEARCH_LIMIT": Tunable(50, "A BACKGROUND_SEARCH answers at most this many items."),
    "PUNCHOUT_MAX_LINE_QUANTITY": Tunable(
        100_000, "Largest quantity of one cart line, and of one order line (the same ceiling)."
    ),
    # -- storefront: orders -------------------------------------------------------------------------------
    "ORDERS_DEFAULT_CURRENCY": Tunable("EUR", "Currency of orders when the catalog does not say otherwise."),
    "ORDERS_NUMBER_GROUPS": Tunable(
        (3, 7, 7),
        "Digits of each group of our order numbers (like Amazon's): unguessable, easy to read on the phone.",
    ),
    "ORDERS_USER_AGENT": Tunable("OpenProcure Marketplace", "The user agent of the documents we send."),
    "ORDERS_TEST_ORDER_LABEL": Tunable(
        "test order", "Label of a test order in the comments of confirmations, notices and invoices."
    ),
    "ORDERS_CONFORMANCE_ANSWER_SECONDS": Tunable(
        60.0,
        "Seconds each answer of a procurement system may take during its conformance checks: what a "
        "supplier's system commonly waits for a document it posts (the checks' own default).",
    ),
    # -- storefront: fulfilment ---------------------------------------------------------------------------
    "FULFILMENT_CONSOLIDATION_CUTOFF_HOUR": Tunable(
        14, "A recurring order received at or after this local hour counts as received the next day."
    ),
    "FULFILMENT_CONSOLIDATION_HANDLING_DAYS": Tunable(
        1, "Days we need to prepare a recurring order before its consolidated delivery day."
    ),
    "FULFILMENT_AUTO_CARRIER": Tunable(
        "Marketplace Logistics", "The carrier named on shipments made by the automatic fulfilment task."
    ),
    "FULFILMENT_AUTO_TRACKING_PREFIX": Tunable(
        "ML", "Tracking numbers of automatic shipments start with this, so people see they were not typed."
    ),
    "FULFILMENT_CARRIER_DOMAIN": Tunable(
        "companyName", "The domain of carrier names in ship notices (cXML CarrierIdentifier)."
    ),
}


def tunable(name: str) -> Any:
    """The setting ``name`` when the site sets it, else its default in :data:`TUNABLES`.

    Raises ``KeyError`` for a name not declared there: a tunable without a documented default is a typo.
    """
    try:
        default = TUNABLES[name].default
    except KeyError:
        raise KeyError(f"{name} is not a tunable declared in openprocure.core.tunables") from None
    return getattr(settings, name, default)
