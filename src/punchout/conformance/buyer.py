"""Checks of a buyer's inbound cXML endpoint, played as a supplier would.

:func:`run_buyer_checks` sends, about one purchase order the buyer sent (``order_id``), every document
a supplier sends after an order, in the order a real buyer accepts them:

1. ``confirm.accept``: ConfirmationRequest ``type="accept"`` (header only: every line as ordered);
2. ``confirm.detail``: ConfirmationRequest ``type="detail"``: the first line partly backordered
   (one unit later; a line of one unit or less is backordered whole), the other lines accepted;
3. ``shipnotice``: ShipNoticeRequest for every line, its whole quantity;
4. ``invoice``: InvoiceDetailRequest ``purpose="standard"`` for every line, without tax;
5. ``invoice.credit``: a ``lineLevelCreditMemo`` crediting one unit of the first line, naming the
   invoice in its comments;
6. ``statusupdate``: StatusUpdateRequest (``DocumentReference`` when the OrderRequest's payloadID is
   known, else a ``DocumentStatus`` naming the order);
7. ``secret.wrong``: a StatusUpdateRequest with a wrong SharedSecret must be refused with a cXML 4xx;
8. ``payload.duplicate``: the invoice (else the accept confirmation) sent again with the same
   payloadID must get the same answer;
9. ``confirm.reject`` (advice): ConfirmationRequest ``type="reject"``, only for a second test order
   (``reject_order_id``): rejecting the checked order would cancel it before its ship notice and
   invoice, and a buyer rightly refuses those for a cancelled order.

Line-level documents need the order's lines (``lines``: line number, quantity, unit, unit price);
without them those checks are skipped. Every answer goes through
:func:`punchout.conformance.expect.cxml_answer`; each exchange is timed.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

from punchout.conformance.expect import cxml_answer
from punchout.conformance.identity import Party
from punchout.conformance.report import Report
from punchout.conformance.runner import CheckFailed, Progress, Runner, conformance_request
from punchout.cxml.common import (
    CXML,
    Comment,
    Description,
    ItemID,
    OrderReference,
)
from punchout.cxml.common import Status as CXMLStatus
from punchout.cxml.common import Tax as CXMLTax
from punchout.cxml.fulfill import (
    ConfirmationHeader,
    ConfirmationItem,
    ConfirmationRequest,
    ConfirmationStatus,
    ConfirmationStatusType,
    ConfirmationType,
    ShipNoticeHeader,
    ShipNoticeItem,
    ShipNoticePortion,
    ShipNoticeRequest,
)
from punchout.cxml.helpers import new_payload_id
from punchout.cxml.invoice import (
    InvoiceDetailItem,
    InvoiceDetailItemReference,
    InvoiceDetailOrder,
    InvoiceDetailRequest,
    InvoiceDetailRequestHeader,
    InvoiceDetailSummary,
    InvoicePurpose,
)
from punchout.cxml.profile import DocumentStatus, StatusUpdateRequest
from punchout.money import Money, quantize_money

__all__ = ["BuyerChecks", "BuyerTarget", "OrderLine", "parse_lines", "run_buyer_checks"]

#: Seconds a supplier's system commonly waits for an answer to a document it posts.
ANSWER_SECONDS = 60.0
#: What a successful answer may carry (cXML 2xx: 200 OK, 201 Accepted, 204 No content…).
ACCEPTED = range(200, 300)


@dataclass(frozen=True, slots=True)
class OrderLine:
    """One line of the order as the buyer sent it: number, quantity, unit, unit price (and part)."""

    number: int
    quantity: Decimal
    unit: str
    unit_price: Money
    part_id: str = ""

    @classmethod
    def parse(cls, text: str) -> OrderLine:
        """``NUMBER:QUANTITY:UNIT:PRICE CURRENCY[:PART]``, e.g. ``1:2:EA:10.00 EUR:PEN-42``."""
        parts = [part.strip() for part in text.split(":", 4)]
        if len(parts) < 4:
            raise ValueError(
                f"{text!r} is not NUMBER:QUANTITY:UNIT:PRICE CURRENCY (for example 1:2:EA:10.00 EUR)"
            )
        number, quantity, unit, price = parts[:4]
        amount, _, currency = price.partition(" ")
        try:
            line = cls(
                number=int(number),
                quantity=Decimal(quantity),
                unit=unit,
                unit_price=Money(Decimal(amount), currency.strip().upper()),
                part_id=parts[4] if len(parts) > 4 else "",
            )
        except (ValueError, InvalidOperation):
            raise ValueError(
                f"{text!r}: the line number is a whole number, the quantity and price are numbers "
                "(for example 1:2:EA:10.00 EUR)"
            ) from None
        if line.number < 1 or not line.quantity.is_finite() or line.quantity <= 0:
            raise ValueError(f"{text!r}: the line number and the quantity must be positive")
        if not unit or len(line.unit_price.currency) != 3 or not line.unit_price.currency.isalpha():
            raise ValueError(f"{text!r}: give the unit (EA) and the price with its currency (10.00 EUR)")
        return line


def parse_lines(text: str) -> tuple[OrderLine, ...]:
    """Lines separated by commas: ``1:2:EA:10.00 EUR,2:1:BX:4.50 EUR``."""
    lines = tuple(OrderLine.parse(part) for part in text.split(",") if part.strip())
    numbers = [line.number for line in lines]
    if len(set(numbers)) != len(numbers):
        raise ValueError("each line number is given once")
    if len({line.unit_price.currency for line in lines}) > 1:
        raise ValueError("an order has one currency: give every unit price in it")
    return lines


@dataclass(frozen=True, slots=True)
class BuyerTarget:
    """The buyer to check: its inbound cXML endpoint, the identities and secret, the order to use.

    ``from_party`` is the supplier (us), ``to_party`` the buyer; ``order_id`` is given by name. ``order_payload_id`` is the payloadID
    of the OrderRequest that carried ``order_id``: cXML's OrderReference names it; when it is not
    known the order ID stands in (a buyer that finds orders by orderID accepts it). ``lines`` are the
    order's lines; ``reject_order_id`` a second test order the reject check may reject.
    """

    url: str
    from_party: Party
    to_party: Party
    secret: str
    sender: Party | None = None
    order_id: str = field(kw_only=True)
    payload_domain: str = "conformance.openprocure.local"
    order_payload_id: str = ""
    lines: tuple[OrderLine, ...] = ()
    reject_order_id: str = ""


@dataclass(slots=True)
class _Sent:
    """A document a check sent and the cXML Status it was answered with."""

    body: bytes
    payload_id: str
    code: int
    text: str
    message: str


class BuyerChecks(Runner):
    role = "buyer"

    def __init__(
        self, target: BuyerTarget, *, progress: Progress | None = None, deadline: float = ANSWER_SECONDS
    ):
        super().__init__(target.url, progress=progress, deadline=deadline)
        self.target = target
        if target.secret:  # kept out of every exchange, message and fix of the report
            self.hidden.add(target.secret)
        self.run_id = datetime.now(UTC).strftime("%Y%m%d%H%M%S") + f"-{secrets.randbelow(10**4):04d}"
        self.accepted: dict[str, _Sent] = {}

    # -- documents ----------------------------------------------------------------------------------
    def envelope(self, message: object, *, secret: str | None = None) -> tuple[bytes, str]:
        """A request with the target's From/To/Sender and secret (or the one given); and its payloadID."""
        target = self.target
        payload_id = new_payload_id(target.payload_domain)
        body = conformance_request(
            message,
            from_party=target.from_party,
            to_party=target.to_party,
            sender=target.sender or target.from_party,
            secret=target.secret if secret is None else secret,
            payload_id=payload_id,
        )
        return body, payload_id

    def reference(self, order_id: str | None = None) -> OrderReference:
        if order_id is not None:
            return OrderReference(order_id=order_id, payload_id=order_id)
        target = self.target
        return OrderReference(order_id=target.order_id, payload_id=target.order_payload_id or target.order_id)

    def post(self, body: bytes) -> CXML:
        """Send ``body`` and return the answer, which must be a cXML Response with a 2xx Status."""
        answer = self.send(self.target.url, body, headers={"Content-Type": "text/xml; charset=utf-8"})
        return cxml_answer(self, answer, codes=ACCEPTED, what="The answer")

    def send_accepted(self, code: str, message: object, *, what: str) -> _Sent:
        """Send ``message`` in an envelope; it must be accepted; say what the buyer answered."""
        body, payload_id = self.envelope(message)
        document = self.post(body)
        status = document.status
        assert status is not None  # cxml_answer fails an answer without a Status
        sent = _Sent(body, payload_id, status.code, status.text, status.message)
        self.accepted[code] = sent
        seconds = self.report.checks[-1].exchanges[-1].seconds or 0.0
        self.note(f"{what} was answered cXML {_status_text(sent)} in {seconds:.2f} s.")
        self.report.checks[-1].params.update(status_code=sent.code, payload_id=payload_id)
        return sent

    # -- checks -------------------------------------------------------------------------------------
    def run(self) -> Report:
        self.check_confirm_accept()
        if self.target.lines:
            self.check_confirm_detail()
            self.check_shipnotice()
            self.check_invoice()
            self.check_invoice_credit()
        else:
            reason = (
                "Skipped: the order's lines were not given (--lines NUMBER:QUANTITY:UNIT:PRICE CURRENCY,…); "
                "line-level documents name the buyer's line numbers."
            )
            self.skip("confirm.detail", "ConfirmationRequest type detail with a backordered line", reason)
            self.skip("shipnotice", "ShipNoticeRequest for the order's lines", reason)
            self.skip("invoice", "InvoiceDetailRequest (standard invoice)", reason)
            self.skip("invoice.credit", "InvoiceDetailRequest (credit memo for the invoice)", reason)
        self.check_statusupdate()
        self.check_secret_wrong()
        self.check_payload_duplicate()
        self.check_confirm_reject()
        return self.finish()

    def check_confirm_accept(self) -> None:
        with self.check("confirm.accept", "ConfirmationRequest type accept is accepted"):
            now = datetime.now(UTC).replace(microsecond=0)
            request = ConfirmationRequest(
                header=ConfirmationHeader(
                    type=ConfirmationType.ACCEPT, notice_date=now, confirm_id=f"CONF-{self.run_id}-A"
                ),
                order_reference=self.reference(),
            )
            self.send_accepted(
                "confirm.accept", request, what=f"The confirmation of order {self.target.order_id}"
            )

    def check_confirm_detail(self) -> None:
        with self.check(
            "confirm.detail", "ConfirmationRequest type detail with a backordered line is accepted"
        ):
            now = datetime.now(UTC).replace(microsecond=0)
            first, *others = self.target.lines
            later = now + timedelta(days=21)
            backordered = Decimal(1) if first.quantity > 1 else first.quantity
            statuses = []
            if first.quantity > backordered:
                statuses.append(
                    ConfirmationStatus(
                        type=ConfirmationStatusType.ACCEPT,
                        quantity=first.quantity - backordered,
                        unit_of_measure=first.unit,
                        delivery_date=now + timedelta(days=7),
                    )
                )
            statuses.append(
                ConfirmationStatus(
                    type=ConfirmationStatusType.BACKORDERED,
                    quantity=backordered,
                    unit_of_measure=first.unit,
                    delivery_date=later,
                    comments=[Comment("Conformance check: backordered, delivered later.", lang="en")],
                )
            )
            items = [ConfirmationItem(first.number, first.quantity, first.unit, statuses)]
            items += [
                ConfirmationItem(
                    line.number,
                    line.quantity,
                    line.unit,
                    [ConfirmationStatus(ConfirmationStatusType.ACCEPT, line.quantity, line.unit)],
                )
                for line in others
            ]
            request = ConfirmationRequest(
                header=ConfirmationHeader(
                    type=ConfirmationType.DETAIL,
                    notice_date=now,
                    confirm_id=f"CONF-{self.run_id}-D",
                    comments=[
                        Comment(f"Line {first.number}: {backordered} {first.unit} backordered.", lang="en")
                    ],
                ),
                order_reference=self.reference(),
                items=items,
            )
            self.send_accepted(
                "confirm.detail",
                request,
                what=f"The detailed confirmation (line {first.number}: {backordered} {first.unit} backordered "
                f"until {later.date().isoformat()})",
            )

    def check_shipnotice(self) -> None:
        with self.check("shipnotice", "ShipNoticeRequest for the order's lines is accepted"):
            now = datetime.now(UTC).replace(microsecond=0)
            request = ShipNoticeRequest(
                header=ShipNoticeHeader(
                    shipment_id=f"CONF-{self.run_id}",
                    notice_date=now,
                    shipment_date=now,
                    delivery_date=now + timedelta(days=2),
                ),
                portions=[
                    ShipNoticePortion(
                        order_reference=self.reference(),
                        items=[
                            ShipNoticeItem(
                                line_number=line.number,
                                quantity=line.quantity,
                                unit_of_measure=line.unit,
                                item_id=ItemID(line.part_id) if line.part_id else None,
                            )
                            for line in self.target.lines
                        ],
                    )
                ],
            )
            self.send_accepted("shipnotice", request, what=f"Ship notice CONF-{self.run_id}")

    def invoice(self, *, credit: bool) -> InvoiceDetailRequest:
        """The standard invoice of every line, or the credit memo of one unit of the first line."""
        now = datetime.now(UTC).replace(microsecond=0)
        currency = self.target.lines[0].unit_price.currency
        sign = Decimal(-1) if credit else Decimal(1)
        lines = self.target.lines[:1] if credit else self.target.lines
        items = []
        for index, line in enumerate(lines, start=1):
            quantity = min(Decimal(1), line.quantity) if credit else line.quantity
            amount = quantize_money(quantity * line.unit_price.amount, currency)
            items.append(
                InvoiceDetailItem(
                    invoice_line_number=index,
                    quantity=sign * quantity,
                    unit_of_measure=line.unit,
                    unit_price=line.unit_price,
                    reference=InvoiceDetailItemReference(
                        line_number=line.number, item_id=ItemID(line.part_id) if line.part_id else None
                    ),
                    subtotal_amount=Money(sign * amount, currency),
                )
            )
        total = sum((item.subtotal_amount.amount for item in items if item.subtotal_amount), Decimal(0))
        zero = Money(quantize_money(Decimal(0), currency), currency)
        return InvoiceDetailRequest(
            header=InvoiceDetailRequestHeader(
                invoice_id=f"CONF-{self.run_id}-CM" if credit else f"CONF-{self.run_id}",
                invoice_date=now,
                purpose=InvoicePurpose.LINE_LEVEL_CREDIT_MEMO if credit else InvoicePurpose.STANDARD,
                comments=Comment(f"Credit for invoice CONF-{self.run_id}", lang="en") if credit else None,
            ),
            orders=[InvoiceDetailOrder(order_reference=self.reference(), items=items)],
            summary=InvoiceDetailSummary(
                subtotal_amount=Money(total, currency),
                tax=CXMLTax(zero, Description("No tax (conformance check)", lang="en")),
                net_amount=Money(total, currency),
                gross_amount=Money(total, currency),
                due_amount=Money(total, currency),
            ),
        )

    def check_invoice(self) -> None:
        with self.check("invoice", "InvoiceDetailRequest (standard invoice) is accepted"):
            request = self.invoice(credit=False)
            total = request.summary.due_amount
            self.send_accepted("invoice", request, what=f"Invoice CONF-{self.run_id} ({total})")

    def check_invoice_credit(self) -> None:
        with self.check("invoice.credit", "InvoiceDetailRequest (credit memo for the invoice) is accepted"):
            request = self.invoice(credit=True)
            total = request.summary.due_amount
            self.send_accepted(
                "invoice.credit",
                request,
                what=f"Credit memo CONF-{self.run_id}-CM ({total}, for invoice CONF-{self.run_id})",
            )

    def status_update(self) -> StatusUpdateRequest:
        target = self.target
        message = f"Order {target.order_id} is being processed (conformance check)."
        if target.order_payload_id:
            return StatusUpdateRequest(
                status=CXMLStatus(200, "OK", message), document_reference=target.order_payload_id
            )
        return StatusUpdateRequest(
            status=CXMLStatus(200, "OK", message),
            document_status=DocumentStatus(
                type="processing", document_id=target.order_id, document_type="OrderRequest"
            ),
        )

    def check_statusupdate(self) -> None:
        with self.check("statusupdate", "StatusUpdateRequest is accepted"):
            named = (
                f"the OrderRequest {self.target.order_payload_id}"
                if self.target.order_payload_id
                else f"order {self.target.order_id}"
            )
            self.send_accepted("statusupdate", self.status_update(), what=f"The status update of {named}")

    def check_secret_wrong(self) -> None:
        with self.check("secret.wrong", "A document with a wrong SharedSecret is refused with a cXML 4xx"):
            wrong = f"wrong-{secrets.token_hex(6)}"
            body, _payload = self.envelope(self.status_update(), secret=wrong)
            answer = self.send(self.target.url, body, headers={"Content-Type": "text/xml; charset=utf-8"})
            document = cxml_answer(self, answer, codes=range(100, 1000), what="The answer to a wrong secret")
            status = document.status
            assert status is not None  # cxml_answer fails an answer without a Status
            said = _said(status.code, status.text, status.message)
            if 200 <= status.code < 300:
                raise CheckFailed(
                    f"A StatusUpdateRequest whose SharedSecret is wrong was accepted (cXML {said}): "
                    "anyone who knows the supplier's identity could send confirmations and invoices.",
                    "Compare Header/Sender/Credential/SharedSecret with the secret agreed with the supplier "
                    "and answer cXML 401 Unauthorized when it differs.",
                    status_code=status.code,
                )
            if not 400 <= status.code < 500:
                raise CheckFailed(
                    f"A wrong SharedSecret was answered cXML {said}, not a 4xx.",
                    "A wrong secret is the sender's error: answer cXML 401 Unauthorized, so the supplier "
                    "does not retry it as a server failure.",
                    status_code=status.code,
                )
            self.note(f"Refused with cXML {said}.")
            self.report.checks[-1].params["status_code"] = status.code

    def check_payload_duplicate(self) -> None:
        title = "The same document sent twice (same payloadID) gets the same answer"
        kind, first = next(
            (
                (name, self.accepted[code])
                for code, name in (("invoice", "invoice"), ("confirm.accept", "accept confirmation"))
                if code in self.accepted
            ),
            ("", None),
        )
        if first is None:
            self.skip(
                "payload.duplicate",
                title,
                "Skipped: the buyer accepted neither the invoice nor the accept confirmation, so there is "
                "nothing to send again.",
                required=True,
            )
            return
        with self.check("payload.duplicate", title):
            answer = self.send(
                self.target.url, first.body, headers={"Content-Type": "text/xml; charset=utf-8"}
            )
            document = cxml_answer(self, answer, codes=range(100, 1000), what="The answer to the repeat")
            status = document.status
            assert status is not None  # cxml_answer fails an answer without a Status
            again = _Sent(first.body, first.payload_id, status.code, status.text, status.message)
            self.report.checks[-1].params.update(payload_id=first.payload_id, status_code=again.code)
            if (again.code, again.text) != (first.code, first.text):
                raise CheckFailed(
                    f"The {kind} sent again with the same payloadID {first.payload_id} was answered "
                    f"cXML {_status_text(again)}; the first time it was answered cXML {_status_text(first)}.",
                    "Remember the payloadID of every document you accept and answer a repeat with the first "
                    "answer, creating nothing: suppliers resend a document when an answer is lost.",
                )
            self.note(
                f"The {kind} sent again with the same payloadID {first.payload_id} was answered "
                f"cXML {_status_text(again)} both times. Only the answers can be seen from here: check that "
                "your system holds it once."
            )

    def check_confirm_reject(self) -> None:
        title = "ConfirmationRequest type reject is accepted"
        reject = self.target.reject_order_id
        if not reject:
            self.skip(
                "confirm.reject",
                title,
                "Skipped: give a second test order to reject (--reject-order-id); rejecting the checked "
                "order would cancel it before its ship notice and invoice.",
            )
            return
        with self.check("confirm.reject", title, required=False):
            now = datetime.now(UTC).replace(microsecond=0)
            request = ConfirmationRequest(
                header=ConfirmationHeader(
                    type=ConfirmationType.REJECT,
                    notice_date=now,
                    confirm_id=f"CONF-{self.run_id}-R",
                    comments=[Comment("Conformance check: order rejected.", lang="en")],
                ),
                order_reference=self.reference(reject),
            )
            self.send_accepted("confirm.reject", request, what=f"The rejection of order {reject}")


def _said(code: int, text: str, message: str) -> str:
    """A cXML Status as a report says it: ``200 OK (Recorded)``."""
    return f"{code} {text}" + (f" ({message})" if message else "")


def _status_text(sent: _Sent) -> str:
    return _said(sent.code, sent.text, sent.message)


def run_buyer_checks(
    target: BuyerTarget, *, progress: Progress | None = None, deadline: float = ANSWER_SECONDS
) -> Report:
    """Every buyer check against ``target``, in order; the report says what passed and what to change."""
    return BuyerChecks(target, progress=progress, deadline=deadline).run()
