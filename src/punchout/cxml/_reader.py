"""Lenient reading of the elements shared by every cXML message.

One pass over each element's children, dispatching on the tag; anything unexpected becomes a
:class:`ParseWarning` with the element's path, never an exception — except numbers that are not
numbers, which a partner must fix (:class:`InvalidDocument`). Warnings never quote a SharedSecret.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Literal, TypeVar

from lxml import etree

from punchout.cxml._carry import MIXED_CONTENT, classify
from punchout.cxml._paths import Paths
from punchout.cxml.common import (
    Accounting,
    AccountingSegment,
    Address,
    Classification,
    Comment,
    Contact,
    Credential,
    Description,
    Discount,
    Distribution,
    Extrinsic,
    ItemDetail,
    ItemID,
    OrderReference,
    ParseWarning,
    PaymentTerm,
    Phone,
    PostalAddress,
    PriceBasisQuantity,
    Shipping,
    Status,
    Tax,
    TaxDetail,
    TaxExemption,
    TermsOfDelivery,
)
from punchout.cxml.dates import parse_datetime
from punchout.cxml.errors import InvalidDocument
from punchout.cxml.limits import MAX_WARNINGS, MORE_WARNINGS, more_warnings_message
from punchout.cxml.schema import schema
from punchout.money import (
    CURRENCIES,
    MINOR_UNITS,
    UNIT_PRICE_DECIMALS,
    InvalidNumber,
    Money,
    parse_decimal,
    quantize_money,
    quantize_unit_price,
)

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

E = TypeVar("E", bound=StrEnum)

#: The largest whole number read from an attribute (line numbers, versions, lead times): a
#: 32-bit signed integer, which every database column for such numbers holds.
MAX_WHOLE_NUMBER = 2**31 - 1
_WHOLE = re.compile(r"[ \t\r\n]*[+-]?[0-9]{1,10}[ \t\r\n]*")
_Element = etree._Element


class BlankDroppingParser(etree.XMLParser):
    """An lxml parser that drops white-space-only text nodes libxml2 deems ignorable
    (``remove_blank_text``): the pretty-printing between elements, about half the nodes of a
    typical document, which then cost nothing to make, walk past and free.

    libxml2 keeps every white-space run in an element whose first child is text, and in an
    element without child elements; in an element whose first child is an element (or a
    comment, processing instruction, CDATA section) it may drop white-space-only runs before,
    between and after its children. Without the DTD it cannot tell mixed content from element
    content.
    ``parse`` uses this parser only for bodies without comments, processing instructions or CDATA
    sections, and whoever reads text where a dropped run may have been part of it raises
    :class:`KeepBlanks` (see :func:`keep_blanks_if_lossy`): ``parse`` then reads the body again
    with every white-space node kept."""


class KeepBlanks(Exception):
    """Raised while binding a tree read by :class:`BlankDroppingParser` when white space it may
    have dropped could be text: the body must be read again with every text node kept."""


Reading = Literal["exact", "trimmed", "own", "kept"]


def keep_blanks_if_lossy(el: _Element, reading: Reading) -> None:
    """Raise :class:`KeepBlanks` when ``el`` was read by :class:`BlankDroppingParser` and white
    space it may have dropped is part of what is about to be read:

    - ``exact``: the text of ``el`` and everything inside it, byte for byte: any dropped run;
    - ``trimmed``: the same text, trimmed: a dropped run between two pieces of text;
    - ``own``: ``el``'s own text and its children's tails, trimmed (``Description`` without its
      ``ShortName``, ``Comments`` without its attachments): a dropped run between two of those;
    - ``kept``: ``el`` is copied into the output as sent: any dropped run inside a mixed-content
      or ``ANY`` element in it, and one in an element that also holds text (the builder drops
      the layout of element content from what it copies, ``_carry.drop_layout``).

    A run can have been dropped only in an element that has children and no text before the
    first (``text is None``): as that element's text, or as one of its children's tails."""
    if not isinstance(el.getroottree().parser, BlankDroppingParser):
        return
    if reading == "kept":
        for mixed in el.iter(*MIXED_CONTENT):
            keep_blanks_if_lossy(mixed, "exact")
        for inner in el.iter(etree.Element):
            if inner.text is None and len(inner) and any((c.tail or "").strip() for c in inner):
                raise KeepBlanks
    elif reading == "exact":
        for inner in el.iter(etree.Element):
            if inner.text is None and len(inner):
                raise KeepBlanks
    elif reading == "own":
        if el.text is None and _gap_between_text(c.tail for c in el):
            raise KeepBlanks
    elif _gap_between_text(_pieces(el)):
        raise KeepBlanks


def _pieces(el: _Element) -> Iterator[str | None]:
    """The text of ``el`` in document order, a piece per text position (``None`` where a run may
    have been dropped, ``""`` where nothing was)."""
    for event, inner in etree.iterwalk(el, events=("start", "end")):
        if event == "start":
            if inner.text is None:
                yield None if len(inner) else ""
            else:
                yield inner.text
        elif inner is not el:
            parent = inner.getparent()
            if inner.tail is None:
                yield None if parent is not None and parent.text is None else ""
            else:
                yield inner.tail


def _gap_between_text(pieces: Iterable[str | None]) -> bool:
    """True when a ``None`` piece lies between two non-empty ones."""
    seen = gap = False
    for piece in pieces:
        if piece:
            if gap:
                return True
            seen = True
        elif piece is None and seen:
            gap = True
    return False


class Reader:
    """Reading state of one document: its warnings, and what naming element paths needs.

    Paths are the ones ``lxml``'s ``getpath`` gives (``/cXML/Request/OrderRequest/ItemOut[2]``),
    computed here in time linear in the document: ``getpath`` counts an element's preceding
    siblings every time, which is quadratic over many siblings. The steps of a parent's children
    are computed once, the first time one of them needs a path, and kept.

    At most ``max_warnings`` warnings are kept; past that, warnings are only counted by code (no
    path is computed) and one last warning counts them (see :mod:`punchout.cxml.limits`).
    """

    __slots__ = ("_dates", "_money", "_more", "_numbers", "_room", "module", "path", "tree", "warnings")

    def __init__(self, tree: etree._ElementTree, max_warnings: int = MAX_WARNINGS) -> None:
        self.tree = tree
        self.warnings: list[ParseWarning] = []
        # room for warnings before the last place, kept for the one that counts the others
        self._room = max(max_warnings - 1, 0)
        self._more: Counter[str] | None = None
        self.path = Paths()
        #: the DTD module of the message being read (its envelope and Header: cXML.dtd)
        self.module = "cXML.dtd"
        # Per-document memo of pure conversions: order lines repeat the same delivery dates and
        # quantities. Values are immutable (Decimal, datetime); warnings are still emitted per use.
        self._dates: dict[str, tuple[datetime | None, str | None]] = {}
        self._numbers: dict[str, Decimal] = {}
        # Money read by the fast path of ``money`` (no rounding, no warning), by (currency, text,
        # unit price?): ``Money`` is frozen, so equal amounts can share one instance.
        self._money: dict[tuple[str, str, bool], Money] = {}

    # -- reporting ---------------------------------------------------------------------------
    def full(self) -> bool:
        """True once no more warnings are kept: callers may skip building a message."""
        return len(self.warnings) >= self._room

    def add(self, warning: ParseWarning) -> None:
        """Keep ``warning``, or count it once the document's warnings are full."""
        if len(self.warnings) < self._room:
            self.warnings.append(warning)
        else:
            self._count(warning.code)

    def _count(self, code: str) -> None:
        if self._more is None:
            self._more = Counter()
        self._more[code] += 1

    def finish(self) -> list[ParseWarning]:
        """The warnings kept, with one last warning counting the others when there were more."""
        if self._more:
            self.warnings.append(ParseWarning(MORE_WARNINGS, "/cXML", more_warnings_message(self._more)))
            self._more = None
        return self.warnings

    def warn(self, code: str, el: _Element, message: str) -> None:
        if len(self.warnings) < self._room:
            self.warnings.append(ParseWarning(code, self.path(el), message))
        else:
            self._count(code)

    def unknown(self, el: _Element, parent: _Element) -> None:
        """Report a child the model does not read: a standard element kept as sent (``kept``), or
        content that cannot be kept (``unknown-element``: cXML does not allow it there;
        ``ignored-element``: the model reads it once and this one is out of place). Comments and
        processing instructions pass silently."""
        tag = el.tag
        if not isinstance(tag, str):
            return
        verdict = classify(schema(self.module), str(parent.tag), tag)
        if verdict == "kept":
            if len(el):
                keep_blanks_if_lossy(el, "kept")  # carried as sent
            code = "kept"
        elif verdict == "unread":
            code = "ignored-element"
        else:
            code = "unknown-element"
        if len(self.warnings) >= self._room:
            self._count(code)
            return
        name = etree.QName(tag).localname if tag[0] == "{" else tag
        if verdict == "kept":
            message = f"<{name}> is kept, not interpreted"
        elif verdict == "unread":
            message = f"<{name}> is out of place inside <{parent.tag}>; it cannot be kept"
        else:
            message = f"<{name}> is not allowed inside <{parent.tag}> in cXML 1.2.071; it cannot be kept"
        self.warnings.append(ParseWarning(code, self.path(el), message))

    def missing(self, parent: _Element, name: str) -> None:
        if len(self.warnings) < self._room:
            self.warnings.append(
                ParseWarning("missing-element", self.path(parent), f"<{parent.tag}> has no <{name}>")
            )
        else:
            self._count("missing-element")

    def invalid(self, el: _Element, message: str) -> InvalidDocument:
        return InvalidDocument(message, path=self.path(el))

    # -- scalar values -----------------------------------------------------------------------
    def decimal(self, el: _Element, raw: str | None, what: str) -> Decimal:
        if raw is None:
            raise self.invalid(el, f"<{el.tag}> needs {what}: add it as a plain decimal such as 1 or 2.5")
        value = self._numbers.get(raw)
        if value is not None:
            return value
        try:
            value = self._numbers[raw] = parse_decimal(raw)
            return value
        except InvalidNumber as exc:
            raise self.invalid(
                el, f"<{el.tag}> {what} at {self.path(el)} is unusable: {exc}. Send a plain decimal."
            ) from None

    def opt_decimal(self, el: _Element, attr: str) -> Decimal | None:
        raw = el.get(attr)
        return None if raw is None else self.decimal(el, raw, f"@{attr}")

    def integer(self, el: _Element, attr: str) -> int | None:
        """A whole-number attribute (lineNumber, orderVersion…), at most :data:`MAX_WHOLE_NUMBER`
        either side of zero: what any database column for it can hold."""
        raw = el.get(attr)
        if raw is None:
            return None
        if _WHOLE.fullmatch(raw):
            value = int(raw)
        else:
            number = self.decimal(el, raw, f"@{attr}")
            if number != number.to_integral_value():
                raise self.invalid(el, f"<{el.tag}> @{attr}={raw[:20]!r} must be a whole number")
            value = int(number)
            if abs(value) <= MAX_WHOLE_NUMBER:
                self.warn("number-format", el, f"@{attr}={raw[:20]!r} read as {value}")
        if abs(value) > MAX_WHOLE_NUMBER:
            raise self.invalid(
                el,
                f"<{el.tag}> @{attr}={raw.strip()[:20]!r} is out of range: it must be at most {MAX_WHOLE_NUMBER}",
            )
        return value

    def date(self, el: _Element, attr: str) -> datetime | None:
        raw = el.get(attr)
        if raw is None:
            return None
        parsed = self._dates.get(raw)
        if parsed is None:
            parsed = self._dates[raw] = parse_datetime(raw)
        value, note = parsed
        if note is not None:
            code = "timestamp-format" if value is not None else "bad-timestamp"
            self.warn(code, el, f"@{attr}: {note}")
        return value

    def enum(self, el: _Element, attr: str, cls: type[E], default: E) -> E:
        raw = el.get(attr)
        if raw is None:
            return default
        # the exact value, looked up where ``cls(raw)`` finds it (without the call through the
        # enum machinery, a microsecond per attribute)
        member: E | None = cls._value2member_map_.get(raw)  # type: ignore[assignment]  # the enum's own value map holds members of E
        if member is not None:
            return member
        try:
            return cls(raw)
        except ValueError:
            pass
        folded = raw.strip().casefold()
        for member in cls:
            if member.value.casefold() == folded:
                self.warn("enum-case", el, f"@{attr}={raw!r} read as {member.value!r}")
                return member
        self.warn(
            "unknown-enum",
            el,
            f"@{attr}={raw[:40]!r} is not one of {', '.join(m.value for m in cls)}; read as {default.value!r}",
        )
        return default

    def lang(self, el: _Element) -> str | None:
        value = el.get(XML_LANG)
        if value is None:
            self.warn("missing-lang", el, f"<{el.tag}> has no xml:lang")
            return None
        if not value.strip():
            self.warn("empty-lang", el, f'<{el.tag}> has xml:lang=""')
            return None
        return value


def text(el: _Element) -> str:
    """The text of a simple element, trimmed."""
    if len(el):
        keep_blanks_if_lossy(el, "trimmed")
        return etree.tostring(el, method="text", encoding=str, with_tail=False).strip()
    return (el.text or "").strip()


def exact_text(el: _Element) -> str:
    """The text of an element byte for byte (CDATA unwrapped, comments dropped)."""
    if len(el):
        keep_blanks_if_lossy(el, "exact")
        return str(etree.tostring(el, method="text", encoding=str, with_tail=False))
    return el.text or ""


def opt_text(el: _Element | None) -> str | None:
    return None if el is None else text(el)


# -- money ---------------------------------------------------------------------------------
def money_of(r: Reader, container: _Element, *, unit_price: bool = False) -> Money | None:
    """The ``Money`` child of ``container`` (Total, UnitPrice, TaxAmount…)."""
    for c in container:
        if c.tag == "Money":
            return money(r, c, unit_price=unit_price)
    r.missing(container, "Money")
    return None


def money(r: Reader, el: _Element, unit_price: bool = False) -> Money | None:
    currency = el.get("currency")
    raw = el.text
    if currency is not None and raw is not None:
        known = r._money.get((currency, raw, unit_price))
        if known is not None:
            return known
    if raw is None or not raw.strip():
        _unreadable_money(el)
        r.warn("empty-amount", el, "<Money> has no amount")
        return None
    if not currency or not currency.strip():
        _unreadable_money(el)
        r.warn("missing-currency", el, "<Money> has no currency")
        return None
    if currency in CURRENCIES and raw.isascii():
        # Fast path: an unsigned plain amount (at most 15 integer digits) that already has the
        # decimals the currency needs (a money amount: exactly its minor unit; a unit price: from
        # the minor unit up to four) reads as itself: parsing and rounding it would change nothing
        # and warn about nothing. String methods: a regex match costs more than the whole check.
        dot = raw.find(".")
        places = 0 if dot < 0 else len(raw) - dot - 1
        minor = MINOR_UNITS[currency]
        if (
            (places == minor or (unit_price and minor < places <= UNIT_PRICE_DECIMALS))
            and 0 < (len(raw) if dot < 0 else dot) <= 15
            and (raw if dot < 0 else raw.replace(".", "", 1)).isdigit()
        ):
            result = r._money[currency, raw, unit_price] = Money(Decimal(raw), currency)
            return result
    if currency not in CURRENCIES:
        upper = currency.strip().upper()
        if upper in CURRENCIES:
            r.warn("currency-case", el, f"currency {currency!r} read as {upper!r}")
        else:
            r.warn("unknown-currency", el, f"currency {currency[:10]!r} is not an ISO 4217 code")
        currency = upper
    amount = r.decimal(el, raw, "amount")
    quantized = quantize_unit_price(amount, currency) if unit_price else quantize_money(amount, currency)
    if quantized != amount:
        r.warn("amount-rounded", el, f"amount {raw.strip()[:30]} rounded to {quantized} {currency}")
    return Money(quantized, currency)


def _unreadable_money(el: _Element) -> None:
    """The builder copies the element holding an unreadable Money as sent (``Writer.kept``)."""
    parent = el.getparent()
    keep_blanks_if_lossy(el if parent is None else parent, "kept")


# -- header pieces -------------------------------------------------------------------------
def credential(r: Reader, el: _Element) -> Credential:
    domain = el.get("domain")
    if domain is None:
        r.warn("missing-attribute", el, "<Credential> has no domain")
    identity = ""
    secret: str | None = None
    seen_identity = False
    for c in el:
        tag = c.tag
        if tag == "Identity":
            identity, seen_identity = text(c), True
        elif tag == "SharedSecret":
            secret = text(c)
        else:
            r.unknown(c, el)
    if not seen_identity:
        r.missing(el, "Identity")
    return Credential(domain or "", identity, secret, source=el)


def status(r: Reader, el: _Element) -> Status:
    raw = (el.get("code") or "").strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 3):
        raise r.invalid(el, f"<Status> needs a numeric code such as 200 or 400, got {raw[:10]!r}")
    code = int(raw)
    return Status(code, el.get("text") or "", text(el), el.get(XML_LANG) or None, source=el)


def extrinsic(r: Reader, el: _Element) -> Extrinsic:
    name = el.get("name")
    if name is None:
        r.warn("missing-attribute", el, "<Extrinsic> has no name")
        name = ""
    if len(el):
        keep_blanks_if_lossy(el, "kept")  # the builder copies an Extrinsic with children as sent
        return Extrinsic(name, text(el), source=el)
    return Extrinsic(name, (el.text or "").strip(), source=el)


def comment(r: Reader, el: _Element) -> Comment:
    for c in el:
        if c.tag != "Attachment":
            r.unknown(c, el)
    value = el.text or ""
    if len(el):
        keep_blanks_if_lossy(el, "own")
        for c in el:
            if len(c):
                keep_blanks_if_lossy(c, "kept")  # attachments are copied as sent
        value += "".join(c.tail or "" for c in el)
    return Comment(value.strip(), el.get(XML_LANG), el.get("type"), source=el)


def description(r: Reader, el: _Element) -> Description:
    lang = el.get(XML_LANG)
    if lang is None or not lang.strip():
        lang = r.lang(el)  # warns
    if not len(el):
        return Description((el.text or "").strip(), lang, source=el)
    keep_blanks_if_lossy(el, "own")
    short: str | None = None
    parts = [el.text or ""]
    for c in el:
        if c.tag == "ShortName":
            short = text(c)
        elif isinstance(c.tag, str):
            r.unknown(c, el)
        parts.append(c.tail or "")
    return Description("".join(parts).strip(), lang, short, source=el)


# -- addresses -----------------------------------------------------------------------------
def phone(r: Reader, el: _Element) -> Phone:
    result = Phone("", name=el.get("name"), source=el)
    for tn in el:
        if tn.tag != "TelephoneNumber":
            r.unknown(tn, el)
            continue
        for c in tn:
            tag = c.tag
            if tag == "Number":
                result.number = text(c)
            elif tag == "CountryCode":
                result.country_code = text(c)
                result.iso_country_code = c.get("isoCountryCode") or ""
            elif tag == "AreaOrCityCode":
                result.area_or_city_code = text(c)
            elif tag == "Extension":
                result.extension = text(c)
            else:
                r.unknown(c, tn)
    return result


def postal_address(r: Reader, el: _Element) -> PostalAddress:
    result = PostalAddress(name=el.get("name"), source=el)
    for c in el:
        tag = c.tag
        if tag == "Street":
            result.street.append(text(c))
        elif tag == "City":
            result.city = text(c)
        elif tag == "PostalCode":
            result.postal_code = text(c)
        elif tag == "State":
            result.state = text(c)
        elif tag == "Country":
            result.country = text(c)
            result.iso_country_code = c.get("isoCountryCode") or ""
        elif tag == "DeliverTo":
            result.deliver_to.append(text(c))
        else:
            r.unknown(c, el)
    return result


def address(r: Reader, el: _Element) -> Address:
    """``Address``, or the ``Address`` child of a ShipTo/BillTo wrapper."""
    if el.tag != "Address":
        found: Address | None = None
        for c in el:
            if c.tag == "Address" and found is None:
                found = address(r, c)
            else:
                r.unknown(c, el)
        if found is None:
            r.missing(el, "Address")
            return Address("")
        return found
    result = Address("", iso_country_code=el.get("isoCountryCode"), address_id=el.get("addressID"), source=el)
    seen_name = False
    for c in el:
        tag = c.tag
        if tag == "Name":
            result.name, result.name_lang, seen_name = text(c), r.lang(c), True
        elif tag == "PostalAddress":
            result.postal_address = postal_address(r, c)
        elif tag == "Email":
            result.email = text(c)
        elif tag == "Phone":
            result.phone = phone(r, c)
        else:
            r.unknown(c, el)
    if not seen_name:
        r.missing(el, "Name")
    return result


def contact(r: Reader, el: _Element) -> Contact:
    result = Contact("", role=el.get("role"), address_id=el.get("addressID"), source=el)
    for c in el:
        tag = c.tag
        if tag == "Name":
            result.name, result.name_lang = text(c), r.lang(c)
        elif tag == "Email":
            result.emails.append(text(c))
        elif tag == "Phone":
            result.phones.append(phone(r, c))
        elif tag == "PostalAddress":
            result.postal_addresses.append(postal_address(r, c))
        elif tag == "Extrinsic":
            result.extrinsics.append(extrinsic(r, c))
        else:
            r.unknown(c, el)
    return result


# -- amounts with descriptions -------------------------------------------------------------
def tax_detail(r: Reader, el: _Element) -> TaxDetail:
    category = el.get("category")
    if category is None:
        r.warn("missing-attribute", el, "<TaxDetail> has no category")
    result = TaxDetail(
        category or "",
        percentage_rate=r.opt_decimal(el, "percentageRate"),
        purpose=el.get("purpose"),
        exempt_detail=el.get("exemptDetail"),
        source=el,
    )
    for c in el:
        tag = c.tag
        if tag == "TaxAmount":
            result.tax_amount = money_of(r, c)
        elif tag == "TaxableAmount":
            result.taxable_amount = money_of(r, c)
        elif tag == "TaxLocation":
            result.location = text(c)
        elif tag == "Description":
            result.description = description(r, c)
        elif tag == "TaxExemption":
            result.exemption = tax_exemption(r, c)
        else:
            r.unknown(c, el)
    return result


def tax_exemption(r: Reader, el: _Element) -> TaxExemption:
    result = TaxExemption(el.get("exemptCode") or "", source=el)
    for c in el:
        if c.tag == "ExemptReason":
            result.reason, result.reason_lang = text(c), c.get(XML_LANG)
        else:
            r.unknown(c, el)
    return result


def payment_term(r: Reader, el: _Element) -> PaymentTerm:
    """``PaymentTerm`` (or an invoice's ``InvoiceDetailPaymentTerm``, whose rate is a discount)."""
    days = r.integer(el, "payInNumberOfDays")
    if days is None:
        r.warn("missing-attribute", el, f"<{el.tag}> has no payInNumberOfDays; read as 0")
        days = 0
    result = PaymentTerm(days, source=el)
    if el.tag == "InvoiceDetailPaymentTerm":
        result.older_form = True
        result.discount = Discount(r.opt_decimal(el, "percentageRate"))
        return result
    for c in el:
        if c.tag == "Discount":
            result.discount = Discount(source=c)
            for d in c:
                if d.tag == "DiscountPercent":
                    result.discount.percent = r.opt_decimal(d, "percent")
                elif d.tag == "DiscountAmount":
                    result.discount.amount = money_of(r, d)
                else:
                    r.unknown(d, c)
        else:
            r.unknown(c, el)
    return result


def terms_of_delivery(r: Reader, el: _Element) -> TermsOfDelivery:
    result = TermsOfDelivery("", "", source=el)
    for c in el:
        tag = c.tag
        if tag == "TermsOfDeliveryCode":
            result.code, result.code_text = c.get("value") or "", text(c)
        elif tag == "ShippingPaymentMethod":
            result.shipping_payment, result.shipping_payment_text = c.get("value") or "", text(c)
        elif tag == "TransportTerms":
            result.transport_terms, result.transport_terms_text = c.get("value") or "", text(c)
        else:
            r.unknown(c, el)
    return result


def tax(r: Reader, el: _Element) -> Tax:
    result = Tax(None, source=el)
    for c in el:
        tag = c.tag
        if tag == "Money":
            result.money = money(r, c)
        elif tag == "Description":
            result.description = description(r, c)
        elif tag == "TaxDetail":
            result.details.append(tax_detail(r, c))
        else:
            r.unknown(c, el)
    if result.description is None:
        r.missing(el, "Description")
    return result


def shipping(r: Reader, el: _Element) -> Shipping:
    result = Shipping(None, tracking_domain=el.get("trackingDomain"), tracking=el.get("tracking"), source=el)
    for c in el:
        tag = c.tag
        if tag == "Money":
            result.money = money(r, c)
        elif tag == "Description":
            result.description = description(r, c)
        else:
            r.unknown(c, el)
    if result.description is None:
        r.missing(el, "Description")
    return result


# -- items ---------------------------------------------------------------------------------
# ``item_id`` and ``item_detail`` run for every order line (and ``_bind.item_line`` around them):
# they are written for speed, measured with benchmarks/bench_cxml.py. Three habits:
# - results are made with ``_new`` and their fields set one by one: the slotted dataclasses have
#   no ``__post_init__``, so this is the same object their ``__init__`` makes, at a third of the
#   cost (calling a class runs its Python ``__init__`` in a frame of its own). Every field is set;
#   tests/punchout/test_cxml_speed_paths.py checks that none is forgotten;
# - attribute names are passed to lxml as bytes (``_DOMAIN``…): lxml then skips encoding them;
# - a leaf without child nodes is read from ``.text`` directly (``text``/``exact_text`` serialise
#   mixed content and are kept for it).
_new = object.__new__
_LANG = XML_LANG.encode()
_CURRENCY = b"currency"
_DOMAIN = b"domain"
_CODE = b"code"
_NAME = b"name"


def item_id(r: Reader, el: _Element) -> ItemID:
    supplier_part_id = ""
    auxiliary_id: str | None = None
    buyer_part_id: str | None = None
    seen = False
    for c in el[:]:  # type: ignore[index]  # a list of the children: cheaper than lxml's child iterator
        tag = c.tag
        if tag == "SupplierPartID":
            supplier_part_id = exact_text(c) if len(c) else c.text or ""
            seen = True
        elif tag == "SupplierPartAuxiliaryID":
            auxiliary_id = exact_text(c) if len(c) else c.text or ""
        elif tag == "BuyerPartID":
            buyer_part_id = text(c) if len(c) else (c.text or "").strip()
        else:
            r.unknown(c, el)
    if not seen:
        r.missing(el, "SupplierPartID")
    result = _new(ItemID)
    result.supplier_part_id = supplier_part_id
    result.supplier_part_auxiliary_id = auxiliary_id
    result.buyer_part_id = buyer_part_id
    result.source = el
    return result


def item_detail(r: Reader, el: _Element) -> ItemDetail:
    # A Description with a usable xml:lang and no child nodes, a Classification and an Extrinsic
    # with a name, both without child nodes, and a Money already seen in this document are read
    # inline; any other form goes through ``description``/``extrinsic``/``money``, which warn.
    unit_price: Money | None = None
    descriptions: list[Description] = []
    unit_of_measure = ""
    price_basis: PriceBasisQuantity | None = None
    classifications: list[Classification] = []
    manufacturer_part_id: str | None = None
    manufacturer_name: str | None = None
    url: str | None = None
    lead_time: int | None = None
    extrinsics: list[Extrinsic] = []
    for c in el[:]:  # type: ignore[index]  # a list of the children: cheaper than lxml's child iterator
        tag = c.tag
        if tag == "Description":
            lang = c.get(_LANG)
            if lang is not None and lang.strip() and not len(c):
                d = _new(Description)
                d.text = (c.text or "").strip()
                d.lang = lang
                d.short_name = None
                d.source = c
                descriptions.append(d)
            else:
                descriptions.append(description(r, c))
        elif tag == "UnitPrice":
            for m in c[:]:  # type: ignore[index]  # an lxml element slices like a list; the stubs say otherwise
                if m.tag == "Money":
                    currency, raw = m.get(_CURRENCY), m.text
                    known = None if currency is None or raw is None else r._money.get((currency, raw, True))
                    unit_price = known if known is not None else money(r, m, True)
                    break
            else:
                r.missing(c, "Money")
                unit_price = None
        elif tag == "UnitOfMeasure":
            unit_of_measure = text(c) if len(c) else (c.text or "").strip()
        elif tag == "Classification":
            cl = _new(Classification)
            cl.value = text(c) if len(c) else (c.text or "").strip()
            cl.domain = c.get(_DOMAIN) or ""
            cl.code = c.get(_CODE)
            cl.source = c
            classifications.append(cl)
        elif tag == "ManufacturerPartID":
            manufacturer_part_id = text(c) if len(c) else (c.text or "").strip()
        elif tag == "ManufacturerName":
            manufacturer_name = text(c) if len(c) else (c.text or "").strip()
        elif tag == "Extrinsic":
            name = c.get(_NAME)
            if name is not None and not len(c):
                x = _new(Extrinsic)
                x.name = name
                x.value = (c.text or "").strip()
                x.source = c
                extrinsics.append(x)
            else:
                extrinsics.append(extrinsic(r, c))
        elif tag == "URL":
            url = text(c)
        elif tag == "LeadTime":
            raw = text(c)
            if raw.isascii() and raw.isdigit() and len(raw) <= 10 and int(raw) <= MAX_WHOLE_NUMBER:
                lead_time = int(raw)
            else:
                r.warn("bad-number", c, f"<LeadTime> {raw[:20]!r} is not a number of days; ignored")
        elif tag == "PriceBasisQuantity":
            price_basis = price_basis_quantity(r, c)
        else:
            r.unknown(c, el)
    if unit_price is None:
        r.missing(el, "UnitPrice")
    result = _new(ItemDetail)
    result.unit_price = unit_price
    result.descriptions = descriptions
    result.unit_of_measure = unit_of_measure
    result.price_basis_quantity = price_basis
    result.classifications = classifications
    result.manufacturer_part_id = manufacturer_part_id
    result.manufacturer_name = manufacturer_name
    result.url = url
    result.lead_time = lead_time
    result.extrinsics = extrinsics
    result.source = el
    return result


def price_basis_quantity(r: Reader, el: _Element) -> PriceBasisQuantity:
    result = PriceBasisQuantity(
        r.decimal(el, el.get("quantity"), "@quantity"),
        r.decimal(el, el.get("conversionFactor"), "@conversionFactor"),
        "",
        source=el,
    )
    for c in el:
        if c.tag == "UnitOfMeasure":
            result.unit_of_measure = text(c)
        elif c.tag == "Description":
            result.description = description(r, c)
        else:
            r.unknown(c, el)
    return result


def distribution(r: Reader, el: _Element) -> Distribution:
    accounting = Accounting("")
    charge: Money | None = None
    for c in el:
        if c.tag == "Accounting":
            accounting.name = c.get("name") or ""
            accounting.source = c
            for s in c:
                if s.tag == "AccountingSegment":
                    seg = AccountingSegment(s.get("id") or "", "", source=s)
                    for p in s:
                        if p.tag == "Name":
                            seg.name = text(p)
                        elif p.tag == "Description":
                            seg.description = text(p)
                        else:
                            r.unknown(p, s)
                    accounting.segments.append(seg)
                elif s.tag == "Segment":
                    accounting.segments.append(
                        AccountingSegment(
                            s.get("id") or "",
                            s.get("type") or "",
                            s.get("description") or "",
                            older_form=True,
                            source=s,
                        )
                    )
                else:
                    r.unknown(s, c)
        elif c.tag == "Charge":
            charge = money_of(r, c)
        else:
            r.unknown(c, el)
    return Distribution(accounting, charge, source=el)


def order_reference(r: Reader, el: _Element) -> OrderReference:
    """``OrderReference`` (or ``OrderIDInfo``, which has no DocumentReference)."""
    result = OrderReference(el.get("orderID"), r.date(el, "orderDate"), source=el)
    for c in el:
        if c.tag == "DocumentReference":
            result.payload_id = c.get("payloadID")
        else:
            r.unknown(c, el)
    return result
