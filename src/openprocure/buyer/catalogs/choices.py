"""Hosted catalog version statuses, their table of allowed moves, formats, changes and problems."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class VersionStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")  # the file is kept; the worker has not read it yet
    VALIDATING = "validating", _("Validating")  # the worker is reading and checking it
    VALID = "valid", _("Ready to publish")  # every row passed: waits for a procurement administrator
    REJECTED = "rejected", _("Rejected")  # the file or some rows are wrong; final (upload a new file)
    PUBLISHED = "published", _("Published")  # searched and ordered from its effective date; final
    DISCARDED = "discarded", _("Discarded")  # an administrator chose not to publish it; final


S = VersionStatus

VERSION_TRANSITIONS: dict[str, set[str]] = {
    S.UPLOADED: {S.VALIDATING, S.REJECTED},
    S.VALIDATING: {S.VALID, S.REJECTED},
    S.VALID: {S.PUBLISHED, S.DISCARDED},
    S.REJECTED: set(),
    S.PUBLISHED: set(),
    S.DISCARDED: set(),
}


class CatalogFormat(models.TextChoices):
    CIF = "cif", _("CIF 3.0")
    BMECAT = "bmecat", _("BMEcat")


class ChangeKind(models.TextChoices):
    """How an item of a version differs from the same item (supplier part ID and auxiliary ID) in the
    version published before it."""

    ADDED = "added", _("Added")
    REMOVED = "removed", _("Removed")
    PRICE_UP = "price_up", _("Price up")
    PRICE_DOWN = "price_down", _("Price down")
    CURRENCY = "currency", _("Currency changed")
    PRICE_ADDED = "price_added", _("Price added")  # no price today before (PunchOut-only or dated), one now
    PRICE_REMOVED = "price_removed", _("Price removed")  # a price today before, none now


class EventKind(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    STATUS_CHANGED = "status_changed", _("Status changed")
    PUBLISHED = "published", _("Published")
    DISCARDED = "discarded", _("Discarded")


class Problem(models.TextChoices):
    """Why a row (or the file) is refused, or (:data:`WARNINGS`) what was made of a row that is kept;
    the text a person reads is :data:`PROBLEM_TEXTS`."""

    FILE = "file", _("File")
    REQUIRED = "required", _("Missing value")
    UNSPSC = "unspsc", _("UNSPSC code")
    PRICE = "price", _("Price")
    PRICE_NOT_POSITIVE = "price_not_positive", _("Price not above zero")
    CURRENCY = "currency", _("Currency")
    NO_CURRENCY = "no_currency", _("No currency")
    UNIT = "unit", _("Unit of measure")
    LEAD_TIME = "lead_time", _("Lead time")
    DUPLICATE = "duplicate", _("Repeated item")
    SUPPLIER_ID = "supplier_id", _("Supplier ID")
    DELETE_IN_FULL_LOAD = "delete_full", _("Delete in a full load")
    TOO_LONG = "too_long", _("Value too long")
    FORMAT = "format", _("Not readable")
    EMPTY = "empty", _("No item")
    STOPPED = "stopped", _("Check interrupted")
    LOST = "lost", _("Check never started")  # its task was lost twice before a worker took it
    NO_BASE = "no_base", _("No catalog in force")
    UNKNOWN_ITEM = "unknown_item", _("Item not in the catalog")
    PRICE_DATES = "price_dates", _("Price validity")
    PRICE_ROUNDED = "price_rounded", _("Price rounded")


#: The problems that do not refuse their row: the version may still be published.
WARNINGS = frozenset({Problem.PRICE_ROUNDED})


#: What each problem says; ``%(field)s`` is the file's field name, ``%(value)s`` the value as written.
PROBLEM_TEXTS = {
    Problem.FILE: _("The file cannot be read: %(value)s"),
    Problem.REQUIRED: _("%(field)s is empty: every item needs one."),
    Problem.UNSPSC: _(
        "%(field)s “%(value)s” is not a UNSPSC code: write 8 digits (or 10 with the business function)."
    ),
    Problem.PRICE: _(
        "%(field)s “%(value)s” is not a price: write a number such as 12.50, with at most 4 decimals and below 10000000000."
    ),
    Problem.PRICE_NOT_POSITIVE: _(
        "%(field)s is %(value)s: a price must be above zero, unless the item is PunchOut-enabled (its price then comes from the supplier's site)."
    ),
    Problem.CURRENCY: _("%(field)s “%(value)s” is not an ISO 4217 currency code (such as EUR, USD or JPY)."),
    Problem.NO_CURRENCY: _("No currency: the row has no Currency field and the file no CURRENCY header."),
    Problem.UNIT: _(
        "%(field)s “%(value)s” is not a UN/ECE Recommendation 20 unit code (such as EA, C62, PR, DZN or KGM)."
    ),
    Problem.LEAD_TIME: _("%(field)s “%(value)s” is not a number of days."),
    Problem.DUPLICATE: _("Supplier part %(value)s is already on line %(field)s: each item may appear once."),
    Problem.SUPPLIER_ID: _(
        "%(field)s “%(value)s” is not this supplier's D-U-N-S number: is the file for another supplier?"
    ),
    Problem.DELETE_IN_FULL_LOAD: _(
        "%(field)s marks a removal, but the file is a whole catalog (not an update): leave the item out instead."
    ),
    Problem.TOO_LONG: _("%(field)s is longer than %(value)s characters."),
    Problem.FORMAT: _("%(field)s: %(value)s"),
    Problem.EMPTY: _("The file has no item: publishing it would empty the supplier's catalog."),
    Problem.STOPPED: _("The worker stopped while this file was being checked; upload it again."),
    Problem.LOST: _("The file was never checked: its task was lost twice; upload it again."),
    Problem.NO_BASE: _(
        "This file updates a catalog (%(field)s), but %(value)s has no catalog in force to update: send the whole catalog first."
    ),
    Problem.UNKNOWN_ITEM: _(
        "Supplier part %(value)s is not in the catalog in force: a price update only changes the prices of items already there (send it in the whole catalog or a product update)."
    ),
    Problem.PRICE_DATES: _("%(field)s: the price's validity ends before it starts (%(value)s)."),
    Problem.PRICE_ROUNDED: _(
        "%(field)s: the price for one order unit, %(value)s, has more than 4 decimals; it is rounded to 4."
    ),
}


class SearchSort(models.TextChoices):
    """The orders of the catalog search; a price order reads today's exact price (``price_e4``),
    items without one last either way, then by id so pages never overlap."""

    BEST_MATCH = "best", _("Best match")  # relevance (file order past HOSTED_CATALOG_RELEVANCE_LIMIT)
    PRICE_ASC = "price-asc", _("Price: low to high")
    PRICE_DESC = "price-desc", _("Price: high to low")
