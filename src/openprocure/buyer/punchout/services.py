"""The PunchOut flow, buyer side: launch a session at a supplier, and turn the returned cart into
requisition lines.

Launch (cXML 1.2.071 "PunchOutSetupRequest"): server to server, BuyerCookie = our session id,
BrowserFormPost = ``/punchout/return/<session id>/``; the browser then goes to the StartPage.
OCI has no handshake: the browser opens the call-up URL with HOOK_URL = the same return URL.

Return: the cart arrives through the user's browser as a cXML PunchOutOrderMessage (cxml-urlencoded
or cxml-base64 form field) or as OCI ``NEW_ITEM-*`` fields. It is accepted only for an open session
of the signed-in user who launched it; otherwise nothing is created.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from openprocure.buyer.organization.services import profile_for
from openprocure.buyer.punchout.choices import SESSION_TRANSITIONS, SessionOperation, SessionStatus
from openprocure.buyer.punchout.models import PunchOutSession
from openprocure.buyer.requisitions import cart_warnings, limits
from openprocure.buyer.requisitions import services as requisitions
from openprocure.buyer.requisitions.models import Requisition, RequisitionLine
from openprocure.buyer.suppliers import wire
from openprocure.buyer.suppliers.choices import ConnectionProtocol
from openprocure.buyer.suppliers.models import PunchOutConnection
from openprocure.buyer.suppliers.services import (
    ConnectionError_,
    journaled_request,
    shared_secret,
)
from openprocure.core.choices import Direction, Protocol
from openprocure.core.exceptions import ServiceError
from openprocure.core.formatting import format_money
from openprocure.core.journal import mask_form, mask_secret_bytes, mask_secrets, record_document
from openprocure.core.models import Document, User
from openprocure.core.status import set_status
from punchout import amounts, oci
from punchout.cxml import (
    Classification,
    CXMLError,
    Description,
    Extrinsic,
    ItemDetail,
    ItemID,
    Status,
    parse,
)
from punchout.cxml.order import ItemOut
from punchout.cxml.punchout_msgs import (
    ItemIn,
    PunchOutOperation,
    PunchOutOrderMessage,
    PunchOutSetupRequest,
    PunchOutSetupResponse,
)
from punchout.money import Money, quantize_money, stated_unit_price

logger = logging.getLogger(__name__)


class PunchOutError(ServiceError):
    """A PunchOut step that failed; ``message`` is shown to the person, ``http_status`` to the browser."""

    def __init__(
        self, message: str, *, http_status: int = 400, session: PunchOutSession | None = None
    ) -> None:
        self.http_status = http_status
        self.session = session
        super().__init__(message)


@dataclass
class CartOutcome:
    """What a returned cart did: the session, the requisition and the lines it created."""

    session: PunchOutSession
    requisition: Requisition | None
    lines: list[RequisitionLine] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    # The cart's Message/Status when it is not 200 (204 "no change", 500 an error at the supplier):
    # nothing was changed, and the person reads the supplier's words.
    supplier_status: Status | None = None
    # Lines whose accounting an edited cart changed (event-detail dicts, told by coding.change_message).
    coding_changes: list[dict[str, Any]] = field(default_factory=list)
    # Lines whose price the supplier changed in an edited cart (told by coding.price_message).
    price_changes: list[dict[str, Any]] = field(default_factory=list)


# -- launch --------------------------------------------------------------------------------------


def return_url(session: PunchOutSession) -> str:
    """Our BrowserFormPost / HOOK_URL for this session."""
    return settings.PUBLIC_URL + reverse("punchout:return", args=[session.cookie])


def user_values(user: User) -> dict[str, str]:
    """What we may tell a supplier about the shopper, by cXML Extrinsic name."""
    profile = profile_for(user)
    return {
        "UserEmail": user.email,
        "UniqueName": user.email,
        "FirstName": user.first_name,
        "LastName": user.last_name,
        "UserFullName": user.get_full_name(),
        "CostCenter": profile.default_cost_center.code if profile and profile.default_cost_center else "",
        "UserBusinessUnit": profile.business_unit if profile else "",
        "Department": profile.department.name if profile and profile.department else "",
        "UserPhoneNumber": "",
    }


def _extrinsics(connection: PunchOutConnection, user: User) -> list[Extrinsic]:
    values = user_values(user)
    return [Extrinsic(name, values[name]) for name in connection.user_attributes or [] if values.get(name)]


def _quantity_text(value: Decimal) -> Decimal:
    """A stored quantity without the column's padding zeros (2.0000 -> 2, 1.5000 -> 1.5)."""
    value = Decimal(value)
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


def _item_out(line: RequisitionLine) -> ItemOut:
    """A requisition line sent back to the supplier for edit/inspect, IDs exactly as received."""
    detail = None
    if line.unspsc and line.description:
        detail = ItemDetail(
            unit_price=Money(stated_unit_price(Decimal(line.unit_price), line.currency), line.currency),
            descriptions=[Description(line.description)],
            unit_of_measure=line.unit_of_measure,
            classifications=[Classification("UNSPSC", line.unspsc)],
        )
    return ItemOut(
        quantity=_quantity_text(line.quantity),
        item_id=ItemID(line.supplier_part_id, line.supplier_part_auxiliary_id or None),
        item_detail=detail,
        line_number=line.line_number,
    )


def launch_punchout(
    *,
    user: User,
    connection: PunchOutConnection,
    operation: str = SessionOperation.CREATE,
    requisition: Requisition | None = None,
    selected_item: ItemID | None = None,
) -> PunchOutSession:
    """Open a shopping session: for cXML, send the PunchOutSetupRequest and keep the StartPage.

    ``selected_item`` opens the supplier's site on one product (level-2 PunchOut: ``SelectedItem``
    in the setup request, e.g. a hosted catalog item marked PunchOut-enabled); cXML only.

    Returns the session; when the supplier refuses or cannot be reached, the session is FAILED and
    ``error_text`` holds what the supplier said (secrets masked).
    """
    if not connection.is_active or not connection.supplier.is_active:
        raise PunchOutError(
            _("%(supplier)s is not available for shopping.") % {"supplier": connection.supplier}
        )
    lines: list[RequisitionLine] = []
    if operation in (SessionOperation.EDIT, SessionOperation.INSPECT):
        if requisition is None:
            raise PunchOutError(_("Choose the requisition whose lines you want to open."))
        if requisition.requester_id != user.pk:
            raise PunchOutError(_("Only the requester can open this requisition's cart."), http_status=403)
        if operation == SessionOperation.EDIT and not requisition.is_editable:
            raise PunchOutError(
                _("Requisition %(number)s is %(status)s: its lines can no longer be edited.")
                % {"number": requisition.number, "status": requisition.get_status_display()}
            )
        lines = list(requisition.lines.filter(connection=connection).order_by("line_number"))
        if not lines:
            raise PunchOutError(
                _("This requisition has no lines from %(supplier)s.") % {"supplier": connection.supplier}
            )
    elif requisition is not None and (requisition.requester_id != user.pk or not requisition.is_editable):
        raise PunchOutError(_("You can only add to your own draft requisitions."), http_status=403)

    session = PunchOutSession.objects.create(
        user=user,
        connection=connection,
        operation=operation,
        requisition=requisition,
        edited_line_ids=[line.pk for line in lines] if operation == SessionOperation.EDIT else [],
    )
    if connection.protocol == ConnectionProtocol.OCI:
        set_status(session, SessionStatus.OPEN, table=SESSION_TRANSITIONS)
        return session
    try:
        return _setup_cxml(session, lines, selected_item)
    except ConnectionError_ as error:
        _fail(session, error.message)
        return session


def _fail(session: PunchOutSession, text: str) -> None:
    set_status(session, SessionStatus.FAILED, table=SESSION_TRANSITIONS, values={"error_text": text})


def _setup_cxml(
    session: PunchOutSession, lines: list[RequisitionLine], selected_item: ItemID | None = None
) -> PunchOutSession:
    connection = session.connection
    message = PunchOutSetupRequest(
        buyer_cookie=session.cookie,
        operation=PunchOutOperation(session.operation),
        browser_form_post_url=return_url(session),
        extrinsics=_extrinsics(connection, session.user),
        selected_item=selected_item,
        items=[_item_out(line) for line in lines],
    )
    body, sent = journaled_request(
        connection, message, kind="PunchOutSetupRequest", reference=f"punchout-session:{session.pk}"
    )
    session.setup_document = sent
    session.save(update_fields=["setup_document"])
    answer = wire.post_xml(connection.setup_url, body)
    if answer.http_status is None:
        _fail(
            session,
            _("%(supplier)s could not be reached (%(error)s). Try again later or tell your procurement team.")
            % {"supplier": connection.supplier, "error": answer.error},
        )
        return session
    masked = mask_secrets(answer.body)
    try:
        # Read from the masked answer: a secret element the supplier echoes shows in no text we keep.
        parsed = parse(mask_secret_bytes(answer.body))
    except CXMLError as error:
        record_document(
            direction=Direction.INBOUND,
            raw=masked,
            partner=connection.supplier.name,
            reference=sent.reference,
            status_code=answer.http_status,
            status_text=error.message,
            in_reply_to=sent,
            content_type=answer.content_type,
        )
        _fail(
            session,
            _("%(supplier)s answered HTTP %(status)s with something that is not a cXML answer: %(error)s")
            % {"supplier": connection.supplier, "status": answer.http_status, "error": error.message},
        )
        return session
    doc = parsed.document
    status = doc.status
    record_document(
        direction=Direction.INBOUND,
        raw=masked,
        kind=doc.kind,
        payload_id=doc.payload_id or "",
        partner=connection.supplier.name,
        reference=sent.reference,
        status_code=status.code if status else answer.http_status,
        status_text=(status.message or status.text) if status else "",
        in_reply_to=sent,
        content_type=answer.content_type,
        warnings=[{"code": w.code, "path": w.path, "message": w.message} for w in parsed.warnings],
    )
    if status is None or not status.is_success or not isinstance(doc.message, PunchOutSetupResponse):
        said = " ".join(part for part in (status.text, status.message) if part) if status else ""
        code = status.code if status else answer.http_status
        _fail(
            session,
            _("%(supplier)s refused to open the catalog (%(code)s): %(said)s")
            % {
                "supplier": connection.supplier,
                "code": code,
                "said": said or _("no explanation given"),
            },
        )
        return session
    start_page = doc.message.start_page_url.strip()
    if not start_page:
        _fail(
            session,
            _(
                "%(supplier)s opened the catalog without saying where: its StartPage URL is empty. "
                "Try again later or tell your procurement team."
            )
            % {"supplier": connection.supplier},
        )
        return session
    set_status(session, SessionStatus.OPEN, table=SESSION_TRANSITIONS, values={"start_page_url": start_page})
    return session


def _oci_params(connection: PunchOutConnection, user: User) -> dict[str, str]:
    values = user_values(user)
    context = {
        "email": values["UserEmail"],
        "unique_name": values["UniqueName"],
        "first_name": values["FirstName"],
        "last_name": values["LastName"],
        "cost_center": values["CostCenter"],
    }
    params = {}
    for name, template in (connection.oci_parameters or {}).items():
        try:
            params[name] = str(template).format(**context)
        except (KeyError, IndexError, ValueError):
            params[name] = str(template)
    return params


def oci_callup_url(session: PunchOutSession, *, password: str | None = None) -> str:
    """The OCI call-up URL of a session. It carries the password: never log or store it."""
    connection = session.connection
    return oci.build_callup_url(
        connection.setup_url,
        hook_url=return_url(session),
        username=connection.oci_username,
        password=shared_secret(connection) if password is None else password,
        login_fields=tuple(connection.oci_login_fields or oci.DEFAULT_LOGIN_FIELDS),
        target="_top",
        extra=_oci_params(connection, session.user),
    )


def start_url(session: PunchOutSession) -> str:
    """Where to send the browser for an open session."""
    if session.connection.protocol == ConnectionProtocol.OCI:
        return oci_callup_url(session)
    return session.start_page_url


# -- return --------------------------------------------------------------------------------------


def find_session_for(*, cookie: str, user: User) -> PunchOutSession:
    """The open session ``cookie`` of ``user``, or :class:`PunchOutError` saying why not."""
    session = PunchOutSession.objects.select_related("connection__supplier").filter(cookie=cookie).first()
    if session is None:
        raise PunchOutError(
            _("This PunchOut session does not exist. Start shopping again from the Shop page."),
            http_status=404,
        )
    if session.user_id != user.pk:
        logger.warning("cart for session %s posted by another user (%s); refused", session.pk, user.pk)
        raise PunchOutError(
            _(
                "This cart belongs to a shopping session started by another person, so it was not "
                "accepted and nothing was created. Start your own session from the Shop page."
            ),
            http_status=403,
        )
    if session.status != SessionStatus.OPEN:
        raise PunchOutError(
            _(
                "This shopping session is %(status)s; a cart can only be returned once. Start a new session from the Shop page."
            )
            % {"status": session.get_status_display()},
            http_status=409,
            session=session,
        )
    return session


def hold_cart(
    *, cookie: str, fields: Mapping[str, Any], raw_body: bytes = b"", content_type: str = ""
) -> PunchOutSession:
    """Keep a cart that arrived without a signed-in user, as it came, on its open session.

    On a real deployment the buyer suite and the supplier are different sites: the supplier's page
    posts the cart across sites, and browsers leave the SameSite=Lax session cookie out of that
    POST (a sign-in may also have expired while shopping). The unguessable session id in the URL
    says which session the cart is for; it is applied only when the person who launched the
    session, signed in, comes for it (:func:`receive_held_cart`). One cart per session: a second
    post is refused, and nothing is read or created until then.
    """
    with transaction.atomic():
        session = PunchOutSession.objects.select_for_update().filter(cookie=cookie).first()
        if session is None:
            raise PunchOutError(
                _("This PunchOut session does not exist. Start shopping again from the Shop page."),
                http_status=404,
            )
        if session.status != SessionStatus.OPEN or session.held_at is not None:
            raise PunchOutError(
                _("A cart was already received for this shopping session; it is kept only once."),
                http_status=409,
                session=session,
            )
        session.held_at = timezone.now()
        session.held_body = raw_body
        session.held_fields = {str(name): str(value) for name, value in fields.items()}
        session.held_content_type = content_type[:200]
        session.save(update_fields=["held_at", "held_body", "held_fields", "held_content_type"])
    logger.info("cart for PunchOut session %s held until its owner signs in", session.pk)
    return session


def receive_held_cart(*, cookie: str, user: User) -> CartOutcome:
    """Apply the cart :func:`hold_cart` kept, for the signed-in user who launched the session."""
    session = find_session_for(cookie=cookie, user=user)
    if session.held_at is None:
        raise PunchOutError(
            _("No cart has come back for this shopping session yet. Finish shopping at the supplier's site."),
            http_status=404,
            session=session,
        )
    return receive_cart(
        cookie=cookie,
        user=user,
        fields=session.held_fields,
        raw_body=bytes(session.held_body),
        content_type=session.held_content_type,
    )


def receive_cart(
    *, cookie: str, user: User, fields: Mapping[str, Any], raw_body: bytes = b"", content_type: str = ""
) -> CartOutcome:
    """Turn a cart posted to ``/punchout/return/<cookie>/`` into requisition lines."""
    session = find_session_for(cookie=cookie, user=user)
    connection = session.connection
    declined: Status | None = None
    if connection.protocol == ConnectionProtocol.OCI:
        lines, warnings, journal = _read_oci_cart(session, fields, raw_body, content_type)
    else:
        lines, warnings, journal, declined = _read_cxml_cart(session, fields, raw_body, content_type)
    if declined is None and session.operation != SessionOperation.INSPECT:
        _refuse_out_of_bounds(session, lines, journal)
    try:
        return _apply_received(session, lines, warnings, journal, declined)
    except requisitions.RequisitionError as error:
        # The requisition may no longer change (submitted meanwhile, or too large): nothing changed.
        journal.status_code = 409
        journal.status_text = error.message[:2000]
        journal.save(update_fields=["status_code", "status_text"])
        raise PunchOutError(error.message, http_status=409, session=session) from None


def _apply_received(
    session: PunchOutSession,
    lines: list[requisitions.CartLine],
    warnings: list[dict[str, Any]],
    journal: Document,
    declined: Status | None,
) -> CartOutcome:
    with transaction.atomic():
        locked = PunchOutSession.objects.select_for_update().get(pk=session.pk)
        if locked.status != SessionStatus.OPEN:  # a second post of the same cart
            raise PunchOutError(_("This cart was already received."), http_status=409, session=locked)
        if declined is not None:
            # Not a cart to apply: the requisition stays as it was; the session is over.
            outcome = CartOutcome(locked, locked.requisition, [], warnings, supplier_status=declined)
        else:
            outcome = _apply_cart(locked, lines, warnings)
        finished = locked.operation == SessionOperation.INSPECT or declined is not None
        set_status(
            locked,
            SessionStatus.CLOSED if finished else SessionStatus.RETURNED,
            table=SESSION_TRANSITIONS,
            values={
                "returned_at": timezone.now(),
                "return_document": journal,
                "requisition": outcome.requisition or locked.requisition,
            },
        )
        journal.reference = outcome.requisition.number if outcome.requisition else journal.reference
        journal.save(update_fields=["reference"])
        outcome.session = locked
    return outcome


def _refuse_out_of_bounds(
    session: PunchOutSession, lines: list[requisitions.CartLine], journal: Document
) -> None:
    """The cart is evidence, not truth: refuse it whole when a line's quantity or price is not one we
    may order (zero or negative without the connection's leave for credit lines, or beyond the
    domain maxima), or when the lines add up to nothing. The received document stays in the journal
    with the refusal; nothing else is created."""
    connection = session.connection
    problems = [
        limits.line_problem(
            quantity=line.quantity,
            unit_price=line.unit_price,
            currency=line.currency,
            price_basis_quantity=line.price_basis_quantity,
            credit_allowed=connection.allows_credit_lines,
            label=_("Line %(n)s (%(part)s)") % {"n": index, "part": line.supplier_part_id.strip()},
        )
        for index, line in enumerate(lines, 1)
    ]
    problems = [problem for problem in problems if problem]
    if not problems and lines:
        total = sum(
            (
                amounts.line_amount(line.quantity, line.unit_price, line.currency, line.price_basis_quantity)
                for line in lines
            ),
            Decimal(0),
        )
        if total <= 0:
            problems.append(
                _("The cart's lines add up to %(total)s: a cart must be worth more than zero.")
                % {"total": format_money(total, lines[0].currency)}
            )
    if not problems:
        return
    message = _("The cart from %(supplier)s was refused and nothing was created. %(problems)s") % {
        "supplier": connection.supplier,
        "problems": " ".join(problems),
    }
    journal.status_code = 400
    journal.status_text = message[:2000]
    journal.save(update_fields=["status_code", "status_text"])
    logger.warning("cart for PunchOut session %s refused: %s", session.pk, "; ".join(problems))
    raise PunchOutError(message, http_status=422, session=session)


def _apply_cart(
    session: PunchOutSession, lines: list[requisitions.CartLine], warnings: list[dict[str, Any]]
) -> CartOutcome:
    connection = session.connection
    common: dict[str, Any] = {
        "supplier": connection.supplier,
        "connection": connection,
        "session": session,
        "warnings": warnings,
    }
    if session.operation == SessionOperation.INSPECT:
        return CartOutcome(session=session, requisition=session.requisition, warnings=warnings)
    if session.operation == SessionOperation.EDIT:
        assert session.requisition is not None
        edited = requisitions.replace_lines(
            requisition=session.requisition,
            actor=session.user,
            line_ids=session.edited_line_ids,
            lines=lines,
            **common,
        )
        return CartOutcome(
            session,
            Requisition.objects.get(pk=session.requisition.pk),
            edited.lines,
            warnings,
            coding_changes=edited.coding_changes,
            price_changes=edited.price_changes,
        )
    if not lines:
        return CartOutcome(session, session.requisition, [], warnings)
    if session.requisition is not None:
        created = requisitions.add_cart_lines(
            requisition=session.requisition, actor=session.user, lines=lines, **common
        )
        return CartOutcome(session, Requisition.objects.get(pk=session.requisition.pk), created, warnings)
    requisition = requisitions.create_requisition_from_cart(requester=session.user, lines=lines, **common)
    return CartOutcome(session, requisition, list(requisition.lines.all()), warnings)


def _warning(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message}


def _unreadable_cart(
    session: PunchOutSession, raw: bytes, status_code: int, error: str, problem: str
) -> PunchOutError:
    """Journal a cart that could not be read, with why (``error``); the refusal to raise says so in
    ``problem`` (with ``%(supplier)s`` and ``%(error)s``)."""
    supplier = session.connection.supplier
    record_document(
        direction=Direction.INBOUND,
        raw=raw,
        kind="PunchOutOrderMessage",
        partner=supplier.name,
        reference=f"punchout-session:{session.pk}",
        status_code=status_code,
        status_text=error,
    )
    return PunchOutError(problem % {"supplier": supplier, "error": error})


def _read_cxml_cart(
    session: PunchOutSession, fields: Mapping[str, Any], raw_body: bytes, content_type: str
) -> tuple[list[requisitions.CartLine], list[dict[str, str]], Document, Status | None]:
    """The cart's lines, warnings and journal entry; and its Message/Status when not 200 (then no
    line is read: the supplier said there is no change, or that something failed on its side)."""
    connection = session.connection
    try:
        if content_type.startswith(("text/xml", "application/xml")):
            raw = raw_body
        else:
            raw = wire.decode_form({name: str(value) for name, value in fields.items()})
    except (ValueError, CXMLError) as error:
        problem = _("%(supplier)s sent the cart in a form we cannot read (%(error)s); nothing was created.")
        raise _unreadable_cart(
            session, raw_body, 400, getattr(error, "message", str(error)), problem
        ) from None
    try:
        result = parse(raw, max_bytes=settings.CXML_MAX_BYTES)
    except CXMLError as error:
        problem = _("The cart from %(supplier)s could not be read (%(error)s); nothing was created.")
        raise _unreadable_cart(session, raw, error.status_code, error.message, problem) from None
    document = result.document
    message = document.message
    journal = record_document(
        direction=Direction.INBOUND,
        raw=raw,
        kind=document.kind,
        payload_id=document.payload_id or "",
        partner=connection.supplier.name,
        reference=f"punchout-session:{session.pk}",
        warnings=[{"code": w.code, "path": w.path, "message": w.message} for w in result.warnings],
    )
    if not isinstance(message, PunchOutOrderMessage):
        raise PunchOutError(
            _(
                "%(supplier)s sent a %(kind)s where a cart (PunchOutOrderMessage) was expected; nothing was created."
            )
            % {"supplier": connection.supplier, "kind": document.kind}
        )
    if message.buyer_cookie.strip() != session.cookie:
        raise PunchOutError(
            _(
                "The cart's BuyerCookie does not match this shopping session, so it was not accepted; nothing was created."
            ),
            http_status=403,
        )
    status = document.status
    if status is not None and status.code != 200:
        journal.status_code = status.code
        journal.status_text = status.message or status.text
        journal.save(update_fields=["status_code", "status_text"])
        return [], [], journal, status
    return (*cxml_cart_lines(message, default_currency=connection.supplier.default_currency), journal, None)


def cxml_cart_lines(
    message: PunchOutOrderMessage, *, default_currency: str = "EUR"
) -> tuple[list[requisitions.CartLine], list[dict[str, str]]]:
    """Requisition lines from the ItemIn lines of a cart, and the warnings worth showing people."""
    warnings: list[dict[str, Any]] = []
    total = message.header.total
    currency_default = total.currency if total else default_currency
    lines = []
    for index, item in enumerate(message.items, 1):
        lines.append(_cxml_line(index, item, currency_default, warnings))
    if total is not None and lines:
        currencies = {line.currency for line in lines}
        if currencies == {total.currency}:
            # the money rules (punchout.amounts): each line rounded on its own, then added up
            computed = sum(
                (
                    amounts.line_amount(
                        line.quantity, line.unit_price, total.currency, line.price_basis_quantity
                    )
                    for line in lines
                ),
                Decimal(0),
            )
            sent = quantize_money(total.amount, total.currency)
            if computed != sent:
                warnings.append(
                    cart_warnings.warning(
                        cart_warnings.TOTAL_MISMATCH, sent=sent, computed=computed, currency=total.currency
                    )
                )
        else:
            warnings.append(
                cart_warnings.warning(
                    cart_warnings.MIXED_CURRENCIES, currencies=", ".join(sorted(currencies))
                )
            )
    return lines, warnings


def _cxml_line(
    index: int, item: ItemIn, currency_default: str, warnings: list[dict[str, Any]]
) -> requisitions.CartLine:
    detail = item.item_detail
    description = ""
    if detail is not None and detail.description is not None:
        description = detail.description.text or detail.description.short_name or ""
    if not description:
        warnings.append(cart_warnings.warning(cart_warnings.NO_DESCRIPTION, line=index))
    unit_price = Decimal(0)
    currency = currency_default
    if detail is not None and detail.unit_price is not None:
        unit_price = detail.unit_price.amount
        currency = detail.unit_price.currency or currency_default
    else:
        warnings.append(cart_warnings.warning(cart_warnings.NO_PRICE, line=index))
    basis = Decimal(1)
    if detail is not None and detail.price_basis_quantity is not None:
        pbq = detail.price_basis_quantity
        try:
            if pbq.quantity and pbq.conversion_factor:
                basis = pbq.quantity / pbq.conversion_factor
        except (InvalidOperation, ZeroDivisionError):
            basis = Decimal(1)
    classifications = [
        {"domain": c.domain, "value": c.value} for c in (detail.classifications if detail else [])
    ]
    unspsc = next(
        (
            c.value.strip()
            for c in (detail.classifications if detail else [])
            if c.domain.strip().casefold() == "unspsc"
        ),
        "",
    )
    extrinsics: dict[str, Any] = {}
    for extrinsic in [*(detail.extrinsics if detail else []), *item.extrinsics]:
        if extrinsic.name in extrinsics:
            previous = extrinsics[extrinsic.name]
            extrinsics[extrinsic.name] = (
                [*previous, extrinsic.value] if isinstance(previous, list) else [previous, extrinsic.value]
            )
        else:
            extrinsics[extrinsic.name] = extrinsic.value
    return requisitions.CartLine(
        supplier_part_id=item.item_id.supplier_part_id,
        supplier_part_auxiliary_id=item.item_id.supplier_part_auxiliary_id or "",
        quantity=item.quantity,
        unit_price=unit_price,
        currency=currency.upper(),
        description=description,
        unit_of_measure=(detail.unit_of_measure if detail else "") or "EA",
        price_basis_quantity=basis,
        unspsc=unspsc[:16],
        manufacturer_name=(detail.manufacturer_name or "") if detail else "",
        manufacturer_part_id=(detail.manufacturer_part_id or "") if detail else "",
        lead_time_days=detail.lead_time if detail else None,
        extrinsics=extrinsics,
        classifications=classifications,
    )


def _read_oci_cart(
    session: PunchOutSession, fields: Mapping[str, Any], raw_body: bytes, content_type: str
) -> tuple[list[requisitions.CartLine], list[dict[str, str]], Document]:
    connection = session.connection
    if raw_body and content_type.startswith("application/x-www-form-urlencoded"):
        result = oci.parse_cart(raw_body, charset=connection.oci_charset or "iso-8859-1")
    else:
        result = oci.parse_cart(fields, charset=connection.oci_charset or "iso-8859-1")
    journal = record_document(
        direction=Direction.INBOUND,
        protocol=Protocol.OCI,
        raw=raw_body.decode("latin-1")
        if raw_body
        else str(mask_form({k: str(v) for k, v in fields.items()})),
        kind="OCI cart",
        partner=connection.supplier.name,
        reference=f"punchout-session:{session.pk}",
        warnings=[
            {"code": "oci", "path": f"{w.line or ''}/{w.field or ''}", "message": w.message}
            for w in result.warnings
        ],
        content_type=content_type,
    )
    money_errors = [error for error in result.errors if error.field in {"QUANTITY", "PRICE", "PRICEUNIT"}]
    if money_errors:
        # A line whose quantity or price cannot be ordered refuses the whole cart (see limits).
        message = _("The cart from %(supplier)s was refused and nothing was created. %(problems)s") % {
            "supplier": connection.supplier,
            "problems": " ".join(
                _("Line %(n)s: %(field)s %(error)s.") % {"n": e.line, "field": e.field, "error": e.message}
                for e in money_errors
            ),
        }
        journal.status_code = 400
        journal.status_text = message[:2000]
        journal.save(update_fields=["status_code", "status_text"])
        raise PunchOutError(message, http_status=422, session=session)
    warnings = [_warning("oci-line-refused", str(error)) for error in result.errors]
    mapping = connection.oci_field_mapping or {}
    lines = [
        _oci_line(item, mapping, connection.supplier.default_currency, warnings) for item in result.items
    ]
    return lines, warnings, journal


def _oci_value(item: oci.OCIItem, field_name: str) -> str:
    spec = next((s for s in oci.NEW_ITEM_FIELDS if s.name == field_name.upper()), None)
    if spec is not None:
        value = getattr(item, spec.attr, "")
        return "" if value is None else str(value)
    return item.extra.get(field_name.upper(), "")


def _oci_line(
    item: oci.OCIItem, mapping: Mapping[str, str], default_currency: str, warnings: list[dict[str, Any]]
) -> requisitions.CartLine:
    unspsc = item.ext_category_id if "UNSPSC" in item.ext_schema_type.upper() else ""
    line = requisitions.CartLine(
        supplier_part_id=item.vendor_mat or item.ext_product_id or item.matnr,
        supplier_part_auxiliary_id=item.ext_product_id if item.vendor_mat else "",
        quantity=item.quantity,
        unit_price=item.price if item.price is not None else Decimal(0),
        currency=(item.currency or default_currency).upper(),
        description=item.description or item.long_text[:200],
        unit_of_measure=item.unit or "EA",
        price_basis_quantity=item.price_unit or Decimal(1),
        unspsc=unspsc,
        manufacturer_name=item.manufact_code,
        manufacturer_part_id=item.manufact_mat,
        lead_time_days=item.lead_time,
        extrinsics={key: value for key, value in item.extra.items()},
    )
    if item.long_text:
        line.extrinsics["LONGTEXT"] = item.long_text
    for target, source in mapping.items():
        if hasattr(line, target) and target not in {"quantity", "unit_price", "price_basis_quantity"}:
            setattr(line, target, _oci_value(item, source))
    if item.price is None:
        warnings.append(
            _warning(
                "no-price", _("Item %(part)s has no price; 0 was used.") % {"part": line.supplier_part_id}
            )
        )
    return line
