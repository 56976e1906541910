"""The purchase history: every requisition, purchase order, receipt and invoice one person may see,
searched and filtered the same way on the page, in the CSV export and behind every dashboard number.

Each document kind is a :class:`Source` that turns :class:`HistoryFilters` into a queryset of its
own model; :func:`history_rows` unites them into one list of the same columns, newest first. A
filter that means nothing for a kind (e.g. "sent as cXML" for a requisition) leaves that kind out,
so a drill-down link lists exactly the documents behind its number.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time
from typing import Any

from django.db.models import (
    CharField,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Length, NullIf
from django.utils import timezone

from openprocure.buyer.approvals.choices import StepStatus
from openprocure.buyer.approvals.models import ApprovalStep
from openprocure.buyer.fulfilment.choices import ReceiptKind
from openprocure.buyer.fulfilment.models import GoodsReceipt, GoodsReceiptLine
from openprocure.buyer.invoicing.choices import InvoiceKind, InvoiceStatus
from openprocure.buyer.invoicing.choices import InvoiceSource as ReceivedAs
from openprocure.buyer.invoicing.models import Invoice, InvoiceException, InvoiceLine
from openprocure.buyer.organization.choices import Role
from openprocure.buyer.organization.services import has_role
from openprocure.buyer.purchasing.choices import POStatus
from openprocure.buyer.purchasing.models import PurchaseOrder, PurchaseOrderLine, Transmission
from openprocure.buyer.requisitions.choices import RequisitionStatus
from openprocure.buyer.requisitions.models import (
    AccountingSplit,
    Requisition,
    RequisitionEvent,
    RequisitionLine,
)
from openprocure.buyer.spend.choices import DocumentKind
from openprocure.core.fields import amount_field
from openprocure.core.tunables import tunable

#: The columns every source yields, in this order (the CSV export follows it).
COLUMNS = (
    "doc_kind",
    "doc_id",
    "doc_number",
    "doc_date",
    "doc_supplier",
    "doc_requester",
    "doc_description",
    "doc_status",
    "doc_currency",
    "doc_amount",
)


@dataclasses.dataclass(frozen=True)
class HistoryFilters:
    """What the person asked for; empty values mean "no filter"."""

    kind: str = ""
    q: str = ""
    status: str = ""
    supplier_id: int | None = None
    cost_center_id: int | None = None
    entity_id: int | None = None
    month_from: date | None = None
    month_to: date | None = None
    category: str = ""  # a UNSPSC prefix, or "none" for lines without a readable category
    structured: str = ""  # "yes": has a PunchOut/catalog line; "no": has a free-text line
    electronic: str = ""  # "yes": sent as cXML; "no": never sent as cXML
    listed: str = ""  # "yes": has a line carrying a list price
    ordered: str = ""  # "yes": the requisition became an order
    step: str = ""  # the requisition has an approved approval step of this name
    in_spend: bool = (
        False  # only documents counted: orders not cancelled; invoices (not credits) not cancelled
    )
    due: str = ""  # "yes": orders with a line whose need-by date is in the period (instead of created)
    without_po: str = ""  # "yes": invoices that refer to no purchase order
    exception: str = ""  # invoices with a matching exception of this type (check code)
    first_match: str = ""  # "yes"/"no": invoices whose first match run matched / did not


def first_moment(month: date) -> datetime:
    """The first instant of a month in the current time zone."""
    return timezone.make_aware(datetime.combine(month.replace(day=1), time.min))


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def sees_everything(user: Any) -> bool:
    """Procurement administrators and accounts-payable clerks see every document; others their own."""
    return has_role(user, Role.PROCUREMENT_ADMIN, Role.AP_CLERK)


def _period(qs: QuerySet[Any], field: str, filters: HistoryFilters, *, dates: bool = False) -> QuerySet[Any]:
    """Rows whose ``field`` falls in the period's months (a date field when ``dates``)."""
    start = filters.month_from
    end = next_month(filters.month_to) if filters.month_to else None
    if start:
        qs = qs.filter(**{f"{field}__gte": start if dates else first_moment(start)})
    if end:
        qs = qs.filter(**{f"{field}__lt": end if dates else first_moment(end)})
    return qs


#: Filters that only invoices answer: every other kind is left out when one is set.
INVOICE_ONLY = ("without_po", "exception", "first_match")


def _category(lines: QuerySet[Any], category: str) -> QuerySet[Any]:
    if category == "none":
        return lines.annotate(code_length=Length("unspsc")).filter(code_length__lt=4)
    return lines.filter(unspsc__startswith=category)


class Source:
    """One kind of document in the history.

    :meth:`filtered` applies the filters every kind shares (search, status, supplier, period) and
    leaves the rest to :meth:`narrow`; :meth:`rows` writes the columns every kind shares and takes
    the others from :meth:`columns`.
    """

    kind: str = ""
    date_field: str = "created_at"  # the document's date in the history (and its period filter)
    status_field: str = "status"  # the field shown as the document's status (and filtered by it)
    #: The filters that mean nothing for this kind: when one is set, the kind is left out.
    ignores: tuple[str, ...] = ()
    statuses: dict[str, Any] = {}

    model: Any = None  # the model of this kind's documents

    def visible(self, user: Any) -> QuerySet[Any]:
        """The documents of this kind ``user`` may see."""
        raise NotImplementedError

    def search(self, term: str) -> Q:
        """The condition of the free-text search for ``term``."""
        raise NotImplementedError

    def of_supplier(self, qs: QuerySet[Any], supplier_id: int) -> QuerySet[Any]:
        return qs.filter(supplier_id=supplier_id)

    def in_period(self, qs: QuerySet[Any], filters: HistoryFilters) -> QuerySet[Any]:
        return _period(qs, self.date_field, filters)

    def narrow(self, qs: QuerySet[Any], filters: HistoryFilters) -> QuerySet[Any]:
        """The filters of this kind that the others do not share."""
        return qs

    def filtered(self, filters: HistoryFilters, user: Any) -> QuerySet[Any] | None:
        if any(getattr(filters, name) for name in self.ignores):
            return None
        if filters.status and filters.status not in self.statuses:
            return None
        qs = self.visible(user)
        if filters.q:
            qs = qs.filter(self.search(filters.q))
        if filters.status:
            qs = qs.filter(**{self.status_field: filters.status})
        if filters.supplier_id:
            qs = self.of_supplier(qs, filters.supplier_id)
        return self.narrow(self.in_period(qs, filters), filters)

    def columns(self) -> dict[str, Any]:
        """The expressions of ``doc_supplier``, ``doc_requester``, ``doc_description``,
        ``doc_currency`` and ``doc_amount`` for this kind."""
        raise NotImplementedError

    def keys(self, qs: QuerySet[Any]) -> QuerySet[Any]:
        """The :data:`KEY_COLUMNS` of the documents of ``qs``."""
        return (
            qs.annotate(
                doc_kind=Value(self.kind, output_field=CharField()),
                doc_id=F("pk"),
                doc_date=F(self.date_field),
            )
            .values(*KEY_COLUMNS)
            .order_by()
        )

    def rows(self, qs: QuerySet[Any]) -> QuerySet[Any]:
        """The :data:`COLUMNS` of the documents of ``qs``."""
        return (
            qs.annotate(
                doc_kind=Value(self.kind, output_field=CharField()),
                doc_id=F("pk"),
                doc_number=F("number"),
                doc_date=F(self.date_field),
                doc_status=F(self.status_field),
                **self.columns(),
            )
            .values(*COLUMNS)
            .order_by()
        )


def _first_value(rows: QuerySet[Any], field: str) -> Subquery:
    """``field`` of the first of ``rows`` (an ordered, correlated queryset), as a subquery."""
    return Subquery(rows.values(field)[:1])


def _title_or_first_line(title: str, first_line: QuerySet[Any]) -> Coalesce:
    """The field ``title`` when it is not empty, else the description of the first line."""
    return Coalesce(
        NullIf(F(title), Value("")),
        _first_value(first_line, "description"),
        Value(""),
        output_field=CharField(),
    )


class RequisitionSource(Source):
    kind = DocumentKind.REQUISITION
    statuses = dict(RequisitionStatus.choices)
    ignores = ("electronic", "listed", "in_spend", "due", *INVOICE_ONLY)

    model = Requisition

    def visible(self, user: Any) -> QuerySet[Any]:
        qs = Requisition.objects.all()
        return qs if sees_everything(user) else qs.filter(requester=user)

    def search(self, term: str) -> Q:
        lines = RequisitionLine.objects.filter(
            Q(description__icontains=term) | Q(supplier__name__icontains=term)
        )
        return (
            Q(number__icontains=term)
            | Q(title__icontains=term)
            | Q(requester__email__icontains=term)
            | Q(pk__in=lines.values("requisition_id"))
        )

    def of_supplier(self, qs: QuerySet[Any], supplier_id: int) -> QuerySet[Any]:
        return qs.filter(
            pk__in=RequisitionLine.objects.filter(supplier_id=supplier_id).values("requisition_id")
        )

    def narrow(self, qs: QuerySet[Any], filters: HistoryFilters) -> QuerySet[Any]:
        lines = RequisitionLine.objects.all()
        if filters.cost_center_id:
            qs = qs.filter(
                Q(pk__in=lines.filter(cost_center_id=filters.cost_center_id).values("requisition_id"))
                | Q(
                    pk__in=AccountingSplit.objects.filter(cost_center_id=filters.cost_center_id).values(
                        "line__requisition_id"
                    )
                )
            )
        if filters.entity_id:
            qs = qs.filter(ship_to__legal_entity_id=filters.entity_id)
        if filters.category:
            qs = qs.filter(pk__in=_category(lines, filters.category).values("requisition_id"))
        if filters.structured:
            qs = qs.filter(
                pk__in=lines.filter(is_free_text=filters.structured == "no").values("requisition_id")
            )
        if filters.ordered:
            ordered = RequisitionEvent.objects.filter(to_status=RequisitionStatus.ORDERED).values(
                "requisition_id"
            )
            qs = qs.filter(pk__in=ordered) if filters.ordered == "yes" else qs.exclude(pk__in=ordered)
        if filters.step:
            qs = qs.filter(
                pk__in=ApprovalStep.objects.filter(status=StepStatus.APPROVED, name=filters.step).values(
                    "request__requisition_id"
                )
            )
        return qs

    def columns(self) -> dict[str, Any]:
        first_line = RequisitionLine.objects.filter(requisition=OuterRef("pk")).order_by("line_number")
        return {
            "doc_supplier": Coalesce(
                _first_value(first_line.filter(supplier__isnull=False), "supplier__name"),
                Value(""),
                output_field=CharField(),
            ),
            "doc_requester": F("requester__email"),
            "doc_description": _title_or_first_line("title", first_line),
            "doc_currency": F("currency"),
            "doc_amount": F("total_amount"),
        }


class PurchaseOrderSource(Source):
    kind = DocumentKind.PURCHASE_ORDER
    statuses = dict(POStatus.choices)
    ignores = ("ordered", "step", *INVOICE_ONLY)

    model = PurchaseOrder

    def visible(self, user: Any) -> QuerySet[Any]:
        qs = PurchaseOrder.objects.all()
        return qs if sees_everything(user) else qs.filter(buyer=user)

    def search(self, term: str) -> Q:
        lines = PurchaseOrderLine.objects.filter(description__icontains=term)
        return (
            Q(number__icontains=term)
            | Q(supplier__name__icontains=term)
            | Q(buyer__email__icontains=term)
            | Q(requisition__title__icontains=term)
            | Q(pk__in=lines.values("purchase_order_id"))
        )

    def in_period(self, qs: QuerySet[Any], filters: HistoryFilters) -> QuerySet[Any]:
        if filters.due == "yes":
            lines = _period(PurchaseOrderLine.objects.all(), "need_by", filters, dates=True)
            return qs.filter(pk__in=lines.values("purchase_order_id"))
        return super().in_period(qs, filters)

    def narrow(self, qs: QuerySet[Any], filters: HistoryFilters) -> QuerySet[Any]:
        lines = PurchaseOrderLine.objects.all()
        if filters.in_spend:
            qs = qs.exclude(status=POStatus.CANCELLED)
        if filters.cost_center_id:
            qs = qs.filter(
                pk__in=lines.filter(
                    Q(requisition_line__cost_center_id=filters.cost_center_id)
                    | Q(requisition_line__splits__cost_center_id=filters.cost_center_id)
                ).values("purchase_order_id")
            )
        if filters.entity_id:
            qs = qs.filter(requisition__ship_to__legal_entity_id=filters.entity_id)
        if filters.category:
            qs = qs.filter(pk__in=_category(lines, filters.category).values("purchase_order_id"))
        if filters.structured == "yes":
            qs = qs.filter(
                pk__in=lines.filter(requisition_line__is_free_text=False).values("purchase_order_id")
            )
        elif filters.structured == "no":
            qs = qs.filter(
                pk__in=lines.filter(
                    Q(requisition_line__isnull=True) | Q(requisition_line__is_free_text=True)
                ).values("purchase_order_id")
            )
        if filters.electronic:
            sent = Transmission.objects.values("purchase_order_id")
            qs = qs.filter(pk__in=sent) if filters.electronic == "yes" else qs.exclude(pk__in=sent)
        if filters.listed == "yes":
            carries = Q()
            for name in tunable("SPEND_LIST_PRICE_EXTRINSICS"):
                carries |= Q(extrinsics__has_key=name)
            qs = qs.filter(pk__in=lines.filter(carries).values("purchase_order_id"))
        return qs

    def columns(self) -> dict[str, Any]:
        first_line = PurchaseOrderLine.objects.filter(purchase_order=OuterRef("pk")).order_by("line_number")
        return {
            "doc_supplier": F("supplier__name"),
            "doc_requester": F("buyer__email"),
            "doc_description": _title_or_first_line("requisition__title", first_line),
            "doc_currency": F("currency"),
            "doc_amount": F("total_amount"),
        }


def sources() -> list[Source]:
    """The document kinds whose apps exist in this installation."""
    return [RequisitionSource(), PurchaseOrderSource(), *_later_sources()]


def _later_sources() -> list[Source]:
    """Receipts and invoices, when the fulfilment and invoicing apps are installed."""
    from django.apps import apps

    found: list[Source] = []
    if apps.is_installed("openprocure.buyer.fulfilment"):
        found.append(ReceiptSource())
    if apps.is_installed("openprocure.buyer.invoicing"):
        found.append(InvoiceSource())
    return found


def _po_scope(qs: QuerySet[Any], user: Any, field: str) -> QuerySet[Any]:
    """Documents of the orders ``user`` may see (all, or those of their own requisitions)."""
    if sees_everything(user):
        return qs
    return qs.filter(**{f"{field}__in": PurchaseOrder.objects.filter(buyer=user).values("pk")})


def _order_matches(filters: HistoryFilters, order: Any) -> Q | None:
    """A condition that the purchase order ``order`` (an ``OuterRef``) matches the cost-center and
    entity filters, as correlated EXISTS: checked per receipt or invoice, never by listing every
    matching order first (which costs a scan of all order lines)."""
    if not (filters.cost_center_id or filters.entity_id):
        return None
    condition = Q()
    if filters.cost_center_id:
        condition &= Q(
            Exists(
                PurchaseOrderLine.objects.filter(purchase_order_id=order).filter(
                    Q(requisition_line__cost_center_id=filters.cost_center_id)
                    | Q(requisition_line__splits__cost_center_id=filters.cost_center_id)
                )
            )
        )
    if filters.entity_id:
        condition &= Q(
            Exists(
                PurchaseOrder.objects.filter(
                    pk=order, requisition__ship_to__legal_entity_id=filters.entity_id
                )
            )
        )
    return condition


class ReceiptSource(Source):
    """Goods receipts and returns (their status is their kind)."""

    kind = DocumentKind.RECEIPT
    date_field = "received_at"
    status_field = "kind"
    ignores = ("structured", "electronic", "listed", "in_spend", "ordered", "step", "due", *INVOICE_ONLY)

    model = GoodsReceipt
    statuses = dict(ReceiptKind.choices)

    def visible(self, user: Any) -> QuerySet[Any]:
        return _po_scope(GoodsReceipt.objects.all(), user, "purchase_order")

    def search(self, term: str) -> Q:
        return (
            Q(number__icontains=term)
            | Q(note__icontains=term)
            | Q(purchase_order__number__icontains=term)
            | Q(purchase_order__supplier__name__icontains=term)
            | Q(purchase_order__buyer__email__icontains=term)
        )

    def of_supplier(self, qs: QuerySet[Any], supplier_id: int) -> QuerySet[Any]:
        return qs.filter(purchase_order__supplier_id=supplier_id)

    def narrow(self, qs: QuerySet[Any], filters: HistoryFilters) -> QuerySet[Any]:
        matches = _order_matches(filters, OuterRef("purchase_order_id"))
        if matches is not None:
            qs = qs.filter(matches)
        if filters.category:
            lines = _category(PurchaseOrderLine.objects.all(), filters.category)
            qs = qs.filter(
                pk__in=GoodsReceiptLine.objects.filter(po_line__in=lines.values("pk")).values("receipt_id")
            )
        return qs

    def columns(self) -> dict[str, Any]:
        return {
            "doc_supplier": F("purchase_order__supplier__name"),
            "doc_requester": F("purchase_order__buyer__email"),
            "doc_description": Coalesce(
                NullIf(F("note"), Value("")), F("purchase_order__number"), output_field=CharField()
            ),
            "doc_currency": F("purchase_order__currency"),
            "doc_amount": Value(None, output_field=amount_field("amount")),
        }


def invoice_without_order() -> Q:
    """Invoices that name no purchase order, neither in the header nor on any line (maverick)."""

    with_order = Q(pk__in=Invoice.purchase_orders.through.objects.values("invoice_id")) | Q(
        pk__in=InvoiceLine.objects.filter(po_line__isnull=False).values("invoice_id")
    )
    return ~with_order


def first_match_outcomes(invoice_ids: Any) -> dict[int, bool]:
    """Whether each decided invoice was approved without a human touch (the first-time match rate).

    True: approved for payment (or paid) by the matcher alone — at once, or when the goods receipt or
    a credit memo it waited for arrived — and no exception of it was ever handled by a person.
    False: someone handled it (accepted a variance, asked for a credit memo, held or rejected it), or
    it waits in the exceptions queue. Invoices not decided yet (received, waiting for the goods
    receipt) and cancelled ones are absent.
    """

    approved = {InvoiceStatus.APPROVED, InvoiceStatus.EXPORTED}
    undecided = {
        InvoiceStatus.RECEIVED,
        InvoiceStatus.AWAITING_RECEIPT,
        InvoiceStatus.CANCELLED,
        InvoiceStatus.SUPERSEDED,
    }
    statuses = dict(Invoice.objects.filter(pk__in=invoice_ids).values_list("pk", "status"))
    touched = set(
        InvoiceException.objects.filter(invoice_id__in=list(statuses), resolved_by__isnull=False)
        .values_list("invoice_id", flat=True)
        .distinct()
    )
    return {
        invoice_id: status in approved and invoice_id not in touched
        for invoice_id, status in statuses.items()
        if status not in undecided
    }


class InvoiceSource(Source):
    """Supplier invoices and credit memos."""

    kind = DocumentKind.INVOICE
    ignores = ("structured", "listed", "ordered", "step", "due")

    model = Invoice
    statuses = dict(InvoiceStatus.choices)

    def visible(self, user: Any) -> QuerySet[Any]:
        qs = Invoice.objects.all()
        if sees_everything(user):
            return qs
        links = Invoice.purchase_orders.through.objects.filter(purchaseorder__buyer=user)
        return qs.filter(pk__in=links.values("invoice_id"))

    def search(self, term: str) -> Q:
        lines = InvoiceLine.objects.filter(Q(description__icontains=term) | Q(order_number__icontains=term))
        order_links = Invoice.purchase_orders.through.objects.all()
        return (
            Q(number__icontains=term)
            | Q(supplier__name__icontains=term)
            | Q(pk__in=lines.values("invoice_id"))
            | Q(pk__in=order_links.filter(purchaseorder__number__icontains=term).values("invoice_id"))
            | Q(pk__in=order_links.filter(purchaseorder__buyer__email__icontains=term).values("invoice_id"))
        )

    def narrow(self, qs: QuerySet[Any], filters: HistoryFilters) -> QuerySet[Any]:
        if filters.in_spend:
            qs = qs.filter(kind=InvoiceKind.INVOICE).exclude(
                status__in=[InvoiceStatus.CANCELLED, InvoiceStatus.SUPERSEDED]
            )
        matches = _order_matches(filters, OuterRef("purchaseorder_id"))
        if matches is not None:
            order_links = Invoice.purchase_orders.through.objects.filter(matches, invoice_id=OuterRef("pk"))
            qs = qs.filter(Exists(order_links))
        if filters.category:
            matching = _category(PurchaseOrderLine.objects.all(), filters.category)
            lines = InvoiceLine.objects.filter(po_line__in=matching.values("pk"))
            qs = qs.filter(pk__in=lines.values("invoice_id"))
        if filters.electronic:
            manual = Q(source=ReceivedAs.MANUAL)
            qs = qs.exclude(manual) if filters.electronic == "yes" else qs.filter(manual)
        if filters.without_po == "yes":
            qs = qs.filter(invoice_without_order())
        if filters.exception:
            qs = qs.filter(
                pk__in=InvoiceException.objects.filter(code=filters.exception).values("invoice_id")
            )
        if filters.first_match:
            outcomes = first_match_outcomes(qs.values("pk"))
            wanted = filters.first_match == "yes"
            qs = qs.filter(pk__in=[pk for pk, matched in outcomes.items() if matched == wanted])
        return qs

    def columns(self) -> dict[str, Any]:
        first_order = Invoice.purchase_orders.through.objects.filter(invoice_id=OuterRef("pk")).order_by("id")
        first_line = InvoiceLine.objects.filter(invoice=OuterRef("pk")).order_by("line_number")
        return {
            "doc_supplier": F("supplier__name"),
            "doc_requester": Coalesce(
                _first_value(first_order, "purchaseorder__buyer__email"),
                Value(""),
                output_field=CharField(),
            ),
            "doc_description": Coalesce(
                _first_value(first_line, "description"), Value(""), output_field=CharField()
            ),
            "doc_currency": F("currency"),
            "doc_amount": Coalesce(F("total"), F("due_amount")),
        }


def status_choices() -> list[tuple[str, Any]]:
    """Every status of every kind, once each (the first label wins)."""
    seen: dict[str, Any] = {}
    for source in sources():
        for value, label in source.statuses.items():
            seen.setdefault(value, label)
    return list(seen.items())


#: The columns of :func:`history_keys`: enough to sort and page, cheap for the database.
KEY_COLUMNS = ("doc_kind", "doc_id", "doc_date")


def history_keys(filters: HistoryFilters, user: Any) -> QuerySet[Any]:
    """Kind, id and date of every matching document, newest first (page this, then :func:`hydrate`).

    Sorting and counting only these three columns keeps the per-row subqueries of the display
    columns (first line's supplier, description…) to the one page shown.
    """
    parts = []
    for source in sources():
        if filters.kind and filters.kind != source.kind:
            continue
        qs = source.filtered(filters, user)
        if qs is not None:
            parts.append(source.keys(qs))
    if not parts:
        return (
            Requisition.objects.none()
            .annotate(
                doc_kind=Value("", output_field=CharField()),
                doc_id=Value(0, output_field=IntegerField()),
                doc_date=Value(None, output_field=DateTimeField()),
            )
            .values(*KEY_COLUMNS)
        )
    combined = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return combined.order_by("-doc_date", "-doc_id")


def hydrate(keys: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The display columns (:data:`COLUMNS`) of the given keys, in their order (one query per kind)."""
    keys = list(keys)
    wanted: dict[str, list[int]] = {}
    for key in keys:
        wanted.setdefault(key["doc_kind"], []).append(key["doc_id"])
    found: dict[tuple[str, int], dict[str, Any]] = {}
    for source in sources():
        ids = wanted.get(source.kind)
        if ids:
            for row in source.rows(source.model.objects.filter(pk__in=ids)):
                found[(source.kind, row["doc_id"])] = row
    return [
        found[(key["doc_kind"], key["doc_id"])] for key in keys if (key["doc_kind"], key["doc_id"]) in found
    ]


def history_rows(filters: HistoryFilters, user: Any, *, chunk_size: int = 500) -> Iterator[dict[str, Any]]:
    """Every matching document with its display columns, newest first, read in chunks (CSV export)."""
    chunk: list[dict[str, Any]] = []
    for key in history_keys(filters, user).iterator(chunk_size=chunk_size * 4):
        chunk.append(key)
        if len(chunk) >= chunk_size:
            yield from hydrate(chunk)
            chunk = []
    if chunk:
        yield from hydrate(chunk)


def status_label(kind: str, status: str) -> Any:
    """The readable status of one document."""
    for source in sources():
        if source.kind == kind:
            return source.statuses.get(status, status)
    return status


def kind_label(kind: str) -> Any:
    return dict(DocumentKind.choices).get(kind, kind)
