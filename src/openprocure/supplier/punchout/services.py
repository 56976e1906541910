"""PunchOut sessions: the setup, the one-shot start URL, the cart, and its return to the buyer.

This is where the PunchOut rules live: who may open a session (credentials compared in constant
time, the shopper recognised by e-mail), where the cart may go (the integration's allow-list), and
what the returned cart says (identity of each line, prices, shipping and tax estimates).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Field, Model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openprocure.core import languages, rows
from openprocure.core.models import User
from openprocure.core.status import follow, set_status, set_status_where
from openprocure.core.tunables import tunable
from openprocure.supplier.business.credentials import check_secret, token_hash
from openprocure.supplier.business.models import BusinessGroup, Integration, Membership
from openprocure.supplier.business.services import create_linked_account
from openprocure.supplier.catalog.models import Product
from openprocure.supplier.catalog.pricing import BusinessStrategy, in_minor_units
from openprocure.supplier.punchout import pricing
from openprocure.supplier.punchout.choices import (
    SESSION_TRANSITIONS,
    Operation,
    SessionProtocol,
    SessionStatus,
)
from openprocure.supplier.punchout.models import CartLine, PunchOutSession
from punchout import amounts, cxml
from punchout.cxml.errors import CXMLError
from punchout.money import Money, stated_unit_price

#: The Extrinsic of a cart line carrying our list price per unit (the buyer's savings figures).
LIST_PRICE_EXTRINSIC = "ListPrice"

# A dummy hash compared when no integration matches, so an unknown identity costs the same time.
_DUMMY_HASH = "sha256$0000000000000000$" + "0" * 64


class Refused(CXMLError):
    """A setup request we do not serve, with its cXML status (401, 403, 400…) and what to do."""


class StartRefused(Exception):
    """The start URL cannot be used: ``reason`` is ``used``, ``expired`` or ``unknown``."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


# What a user reads when a session may not move (core.status fills in both statuses as people read them).
_SESSION_REFUSAL = gettext_lazy("This PunchOut session is %(status)s; it cannot become %(new)s.")


# -- credentials and allow-list --------------------------------------------------------------------
def find_integration(*, credentials: list[cxml.Credential]) -> Integration | None:
    """The integration whose buyer identity is one of ``credentials`` (domain in any case).

    Every setup and order request starts here, so the look-up is one short SQL statement (the ORM's
    query compilation costs far more than SQLite's answer); the business is loaded only when needed.
    """
    keys = [(c.domain.strip().casefold(), c.identity.strip()) for c in credentials]
    if not keys:
        return None
    table = connection.ops.quote_name(Integration._meta.db_table)
    condition = " OR ".join(['("buyer_domain_key" = %s AND "buyer_identity" = %s)'] * len(keys))
    params = [value for key in keys for value in key]
    found = list(
        # Only quoted table names and placeholders are formatted in; every value is a parameter.
        rows.select(Integration, f"SELECT * FROM {table} WHERE {condition} ORDER BY id LIMIT 1", params)  # noqa: S608
    )
    return found[0] if found else None


def authenticate_sender(header: cxml.Header) -> tuple[Integration | None, str | None, bool]:
    """The integration ``header``'s From credentials name, the SharedSecret sent (Sender's, else one
    in From) and whether it is that integration's: checked even when no integration matches, so an
    unknown identity costs the same time as a wrong secret."""
    integration = find_integration(credentials=header.from_)
    secret = header.sender_secret
    if secret is None:
        secret = next((c.shared_secret for c in header.from_ if c.shared_secret is not None), None)
    secret_ok = check_secret(secret, integration.shared_secret_hash if integration else _DUMMY_HASH)
    return integration, secret, secret_ok


def shown_credentials(credentials: list[cxml.Credential]) -> str:
    """``domain:identity`` of each credential, as a refusal names them (``none`` when there are none)."""
    return ", ".join(f"{c.domain}:{c.identity}" for c in credentials) or "none"


def is_allowed_return_url(integration: Integration, url: str) -> bool:
    """Whether ``url`` starts with one of the integration's allowed prefixes.

    A prefix without a trailing ``/`` only matches at a path boundary, so ``https://erp.example.com``
    does not allow ``https://erp.example.com.attacker.test/``.
    """
    url = url.strip()
    for prefix in integration.allowed_return_urls:
        if prefix.lower().startswith("sapevent:"):
            if url.lower().startswith(prefix.lower()):
                return True
            continue
        if not url.startswith(prefix):
            continue
        rest = url[len(prefix) :]
        if prefix.endswith(("/", "?", "=", "&")) or not rest or rest[0] in "/?#":
            return True
    return False


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


# -- setup -----------------------------------------------------------------------------------------
@dataclass
class SetupResult:
    session: PunchOutSession
    start_url: str


def _membership_by_email(email: str) -> Membership | None:
    """The membership of the user with exactly this e-mail, its group's name read in the same statement.

    The setup request's hot path: one short SQL statement instead of an ORM query with two joins.
    The group's name is available as ``group_name`` (None without a group); the user and group rows
    load only when used.
    """
    quote = connection.ops.quote_name
    # Only quoted table names are formatted in; the e-mail is a parameter.
    sql = (
        f"SELECT m.*, g.name AS group_name FROM {quote(Membership._meta.db_table)} m "  # noqa: S608
        f"JOIN {quote(User._meta.db_table)} u ON u.id = m.user_id "
        f"LEFT JOIN {quote(BusinessGroup._meta.db_table)} g ON g.id = m.group_id "
        "WHERE u.email = %s LIMIT 1"
    )
    found = list(rows.select(Membership, sql, [email]))
    return found[0] if found else None


def _shopper(integration: Integration, email: str) -> Membership | None:
    """The membership of the person with this e-mail in the business; refuses other businesses' people.

    One query on the usual path (a known member); the user table is read only when there is none.
    """
    membership = _membership_by_email(email)
    if membership is None:
        # E-mail addresses were stored as typed: look the user up without regard to case.
        stored = User.objects.filter(email__iexact=email).values_list("email", flat=True).first()
        if stored is None:
            return None
        membership = _membership_by_email(stored)
    if membership is None or membership.business_id != integration.business_id:
        raise Refused(
            f"The e-mail {email} belongs to an account outside {integration.business.name}. "
            "Send the shopper's work e-mail, or ask the business administrator to invite them.",
            status_code=403,
            text="Forbidden",
        )
    if not membership.is_punchout_user:
        raise Refused(
            f"{email} is not allowed to shop through PunchOut (the PunchOut user role is missing). "
            "The business administrator can grant it on the Manage your business page.",
            status_code=403,
            text="Forbidden",
        )
    return membership


def _address_json(address: cxml.Address | None) -> dict[str, Any]:
    if address is None:
        return {}
    postal = address.postal_address
    return {
        "name": address.name,
        "address_id": address.address_id or "",
        "email": address.email or "",
        "deliver_to": list(postal.deliver_to) if postal else [],
        "street": list(postal.street) if postal else [],
        "city": postal.city if postal else "",
        "postal_code": (postal.postal_code or "") if postal else "",
        "country": (postal.iso_country_code or postal.country) if postal else "",
    }


def setup_cxml_session(
    *, document: cxml.CXML, in_transaction: Callable[[SetupResult], None] | None = None
) -> SetupResult:
    """Check a PunchOutSetupRequest and open a session; raises :class:`Refused` with the reason.

    ``in_transaction`` runs in the transaction that stores the session, once it is stored (the
    endpoint journals its answer there: one write transaction per setup request).
    """
    header = document.require_header()
    request: cxml.PunchOutSetupRequest = document.message  # type: ignore[assignment]  # the endpoint routes only PunchOutSetupRequest documents here
    integration, _secret, secret_ok = authenticate_sender(header)
    if integration is None:
        shown = shown_credentials(header.from_)
        raise Refused(
            f"No PunchOut account is registered for the From credential ({shown}). Check the identity "
            "and domain with the supplier, or ask your administrator to add PunchOut.",
            status_code=401,
            text="Unauthorized",
        )
    if not secret_ok:
        raise Refused(
            "The SharedSecret in Sender does not match the one issued for this account. "
            "Copy it again from the supplier's integration page.",
            status_code=401,
            text="Unauthorized",
        )
    url = (request.browser_form_post_url or "").strip()
    if not url:
        raise Refused(
            "The request has no BrowserFormPost URL: we could not return the cart. "
            "Send BrowserFormPost/URL with your system's cart return address.",
            status_code=400,
            text="Bad Request",
        )
    if not is_allowed_return_url(integration, url):
        raise Refused(
            f"BrowserFormPost {url} is not among the return addresses allowed for this account. "
            "Ask the business administrator to add it on the Manage your business page.",
            status_code=403,
            text="Forbidden",
        )
    email = (request.user_email or "").strip().lower()
    if not email or "@" not in email:
        raise Refused(
            "We could not tell who is shopping: send the user's e-mail in Extrinsic UserEmail "
            "(or Contact/Email, or ShipTo/Address/Email).",
            status_code=400,
            text="Bad Request",
        )
    check_lengths(
        email=("The user's e-mail", email),
        buyer_cookie=("The BuyerCookie", request.buyer_cookie),
        return_url=("The BrowserFormPost URL", url),
    )
    membership = _shopper(integration, email)
    unit = cxml.get_extrinsic(request.extrinsics, "UserBusinessUnit")
    token, hashed = _new_token()
    with transaction.atomic():
        group_id = None
        unit = (unit or "").strip()[:100]
        if (
            unit
            and membership is not None
            and membership.group_id is not None
            and getattr(membership, "group_name", None) == unit
        ):
            group_id = membership.group_id  # the usual case: nothing to read or write
        elif unit:
            group, _created = BusinessGroup.objects.get_or_create(
                business_id=integration.business_id, name=unit
            )
            group_id = group.pk
            if membership is not None and membership.group_id != group.pk:
                Membership.objects.filter(pk=membership.pk).update(group=group)
        now = timezone.now()
        session = create_session(
            integration=integration,
            membership=membership,
            email=email,
            group_id=group_id,
            protocol=SessionProtocol.CXML,
            operation=Operation(request.operation.value)
            if request.operation.value in Operation.values
            else Operation.CREATE,
            buyer_cookie=request.buyer_cookie,
            return_url=url,
            buyer_credentials=[{"domain": c.domain, "identity": c.identity} for c in header.from_],
            ship_to=_address_json(request.ship_to),
            shopper=shopper_details(_shopper_names(request), language=document.lang),
            setup_payload_id=document.payload_id or "",
            start_token_hash=hashed,
            start_expires_at=now + tunable("PUNCHOUT_START_URL_LIFETIME"),
            created_at=now,
        )
        if membership is not None:
            languages.record_from_punchout(user_id=membership.user_id, tag=document.lang)
        if request.items:
            _copy_items(session, request.items)
        result = SetupResult(
            session=session, start_url=settings.PUBLIC_URL + reverse("punchout-start", args=[token])
        )
        if in_transaction is not None:
            in_transaction(result)
    return result


def _max_length(model: type[Model], name: str) -> int:
    field = model._meta.get_field(name)
    assert isinstance(field, Field) and field.max_length is not None, f"{name} is not a text column"
    return field.max_length


def check_lengths(**values: tuple[str, str]) -> None:
    """Raise :class:`Refused` (400) for the first value longer than the session keeps it.

    Each keyword is a :class:`PunchOutSession` column, its value ``(what the partner calls it, the
    text)``: a value too long to store is refused with its name and limit, which the partner can act
    on, rather than failing on the database as a fault to retry.
    """
    for column, (label, text) in values.items():
        limit = _max_length(PunchOutSession, column)
        if column == "email":
            # The shopper's account is made with the e-mail as its username too.
            limit = min(limit, _max_length(User, "username"))
        if len(text) > limit:
            raise Refused(
                f"{label} has {len(text)} characters; at most {limit} are accepted. Send a shorter one.",
                status_code=400,
                text="Bad Request",
            )


def create_session(
    *, integration: Integration, membership: Membership | None, email: str, **fields: Any
) -> PunchOutSession:
    """A new session of ``integration`` for the shopper ``email`` (``membership`` is None until the
    shopper has an account here), in Test when the integration is; ``fields`` set the rest."""
    return PunchOutSession.objects.create(
        business_id=integration.business_id,
        integration=integration,
        user_id=membership.user_id if membership else None,
        email=email,
        is_test=integration.is_test,
        **fields,
    )


def shopper_details(names: dict[str, str], *, language: str | None) -> dict[str, str]:
    """What the session keeps of the shopper: ``names`` and, when the request named a language the
    site ships, that language (given to the account made on the first PunchOut)."""
    code = languages.site_language(language)
    return {**names, "language": code} if code else names


def _shopper_names(request: cxml.PunchOutSetupRequest) -> dict[str, str]:
    """First and last name from the setup request's Extrinsics (or the Contact's name), when sent."""
    first = cxml.get_extrinsic(request.extrinsics, "FirstName", "UserFirstName") or ""
    last = cxml.get_extrinsic(request.extrinsics, "LastName", "UserLastName") or ""
    if not (first or last):
        for contact in request.contacts:
            parts = (contact.name or "").strip().split(" ", 1)
            if parts[0]:
                first, last = parts[0], parts[1] if len(parts) > 1 else ""
                break
    return {"first_name": first.strip()[:150], "last_name": last.strip()[:150]}


def _copy_items(session: PunchOutSession, items: list[cxml.ItemOut]) -> None:
    """Pre-fill an edit/inspect cart from the ItemOut lines, matched on our SupplierPartAuxiliaryID."""
    aux_ids = [i.item_id.supplier_part_auxiliary_id for i in items if i.item_id.supplier_part_auxiliary_id]
    known = {
        line.auxiliary_id: line
        for line in CartLine.objects.filter(business_id=session.business_id, auxiliary_id__in=aux_ids)
    }
    ceiling = tunable("PUNCHOUT_MAX_LINE_QUANTITY")
    for index, item in enumerate(items, start=1):
        if item.quantity > ceiling:
            raise Refused(
                f"ItemOut {index} asks for {item.quantity}: a cart line holds at most "
                f"{ceiling}. Send the line with a smaller quantity.",
                path=f"/cXML/Request/PunchOutSetupRequest/ItemOut[{index}]/@quantity",
                status_code=400,
                text="Bad Request",
            )
        quantity = int(item.quantity) if item.quantity == int(item.quantity) and item.quantity > 0 else 0
        if quantity <= 0:
            continue
        source = known.get(item.item_id.supplier_part_auxiliary_id or "")
        if source is not None:
            product_id, price, currency = source.product_id, source.unit_price, source.currency
        else:
            product = Product.objects.filter(asin=item.item_id.supplier_part_id.strip()).first()
            if product is None:
                continue
            product_id, price, currency = product.pk, price_for(product, quantity), product.currency
        CartLine.objects.create(
            business_id=session.business_id,
            session=session,
            product_id=product_id,
            quantity=quantity,
            unit_price=price,
            currency=currency,
            auxiliary_id=new_auxiliary_id(),
            source_line=source,
        )


def new_auxiliary_id() -> str:
    """An opaque, unguessable identity for a cart line (sent as SupplierPartAuxiliaryID)."""
    return "CL-" + secrets.token_urlsafe(12)


# -- the browser arrives ---------------------------------------------------------------------------
def start_session(*, token: str) -> tuple[PunchOutSession, str]:
    """Use a start URL (once, within its lifetime): open the session and return it with its URL key.

    Any earlier open session of the same person is superseded: the newest PunchOut takes over.
    """
    with transaction.atomic():
        session = (
            PunchOutSession.objects.select_for_update().filter(start_token_hash=token_hash(token)).first()
        )
        if session is None:
            raise StartRefused("unknown")
        if session.status != SessionStatus.PENDING:
            raise StartRefused("used")
        now = timezone.now()
        expired = session.start_expires_at is None or session.start_expires_at <= now
        if expired:
            set_status(session, SessionStatus.EXPIRED, table=SESSION_TRANSITIONS, refusal=_SESSION_REFUSAL)
    if expired:
        raise StartRefused("expired")
    with transaction.atomic():
        session = PunchOutSession.objects.select_for_update().get(pk=session.pk)
        if session.status != SessionStatus.PENDING:
            raise StartRefused("used")
        key, hashed = _new_token()
        session.key_hash, session.started_at = hashed, now
        set_status(
            session,
            SessionStatus.OPEN,
            table=SESSION_TRANSITIONS,
            also=["key_hash", "started_at"],
            refusal=_SESSION_REFUSAL,
        )
        if session.user_id is not None:
            _supersede_others(session)
    return session, key


def _supersede_others(session: PunchOutSession) -> None:
    user_id = session.user_id
    assert user_id is not None  # only sessions of a known user supersede others
    set_status_where(
        PunchOutSession.objects.filter(
            user_id=user_id, status__in=[SessionStatus.OPEN, SessionStatus.PENDING]
        ).exclude(pk=session.pk),
        SessionStatus.SUPERSEDED,
        table=SESSION_TRANSITIONS,
        closed_at=timezone.now(),
    )


def session_for_key(key: str) -> PunchOutSession | None:
    """The session a URL key names (any status), or None."""
    return (
        PunchOutSession.objects.select_related("business", "integration", "user")
        .filter(key_hash=token_hash(key))
        .first()
    )


def is_usable(session: PunchOutSession) -> bool:
    """Open, and not older than the session lifetime."""
    return (
        session.status == SessionStatus.OPEN
        and session.started_at is not None
        and session.started_at + tunable("PUNCHOUT_SESSION_LIFETIME") > timezone.now()
    )


def create_account_on_first_punchout(*, session: PunchOutSession, first_name: str, last_name: str) -> User:
    """The shopper's e-mail was unknown: create their linked account in the business."""
    with transaction.atomic():
        locked = PunchOutSession.objects.select_for_update().get(pk=session.pk)
        if locked.user_id is not None:
            return locked.user  # type: ignore[return-value]  # user_id is set, so the user exists
        if User.objects.filter(email__iexact=locked.email).exists():
            raise ValidationError(_("An account already uses this e-mail address."))
        user = create_linked_account(
            business=locked.business,
            email=locked.email,
            first_name=first_name,
            last_name=last_name,
            group=locked.group,
        )
        languages.record_from_punchout(user_id=user.pk, tag=(locked.shopper or {}).get("language"))
        locked.user = user
        locked.save(update_fields=["user"])
        session.user = user
        _supersede_others(locked)
    return user


# -- the cart --------------------------------------------------------------------------------------
def price_for(product: Product, quantity: int) -> Decimal:
    """The business unit price of ``quantity`` units, as the catalog's business pricing strategy says."""
    return Decimal(BusinessStrategy().price_for(product, quantity).amount)


def require_editable(session: PunchOutSession) -> None:
    if not is_usable(session):
        raise ValidationError(_("This PunchOut session has ended. Start again from your procurement system."))
    if session.read_only:
        raise ValidationError(_("This cart is open for viewing only: return it to your procurement system."))


def allowed_product(session: PunchOutSession, product: Product) -> bool:
    """Whether the business's settings let this product in its carts (fulfilled-by-us restriction)."""
    return product.fulfilled_by_us or not session.integration.fulfilled_by_us_only


def add_to_cart(*, session: PunchOutSession, asin: str, quantity: int) -> CartLine:
    """Add a product to the session's cart (or more of it), priced for the new quantity."""
    require_editable(session)
    ceiling = tunable("PUNCHOUT_MAX_LINE_QUANTITY")
    if quantity < 1 or quantity > ceiling:
        raise ValidationError(_("Choose a quantity between 1 and %(max)s.") % {"max": ceiling})
    product = Product.objects.select_related("seller").filter(asin=asin.strip()).first()
    if product is None:
        raise ValidationError(_("This product is no longer available."))
    if not allowed_product(session, product):
        raise ValidationError(_("Your business buys only items fulfilled by us; this one is not."))
    if product.stock == 0:
        raise ValidationError(
            _("%(title)s is out of stock and cannot be added to your cart.") % {"title": product.title}
        )
    with transaction.atomic():
        PunchOutSession.objects.select_for_update().get(pk=session.pk)
        line = CartLine.objects.filter(session=session, product=product, source_line__isnull=True).first()
        if line is not None and line.quantity + quantity > ceiling:
            raise ValidationError(
                _("Your cart already has %(quantity)s of %(title)s; at most %(max)s of one item per line.")
                % {"quantity": line.quantity, "title": product.title, "max": ceiling}
            )
        PunchOutSession.objects.filter(pk=session.pk).update(changed=True)
        session.changed = True
        if line is None:
            return CartLine.objects.create(
                business_id=session.business_id,
                session=session,
                product=product,
                quantity=quantity,
                unit_price=price_for(product, quantity),
                currency=product.currency,
                auxiliary_id=new_auxiliary_id(),
            )
        line.quantity += quantity
        line.unit_price = price_for(product, line.quantity)
        line.save(update_fields=["quantity", "unit_price"])
        return line


def update_line(*, session: PunchOutSession, line_id: int, quantity: int) -> CartLine | None:
    """Change a line's quantity (re-priced); 0 removes it. Lines of other sessions are not found."""
    require_editable(session)
    ceiling = tunable("PUNCHOUT_MAX_LINE_QUANTITY")
    if quantity < 0 or quantity > ceiling:
        raise ValidationError(_("Choose a quantity between 0 and %(max)s.") % {"max": ceiling})
    with transaction.atomic():
        line = (
            CartLine.objects.select_for_update(of=("self",))
            .select_related("product")
            .get(pk=line_id, session=session)
        )
        PunchOutSession.objects.filter(pk=session.pk).update(changed=True)
        session.changed = True
        if quantity == 0:
            line.delete()
            return None
        line.quantity = quantity
        line.unit_price = price_for(line.product, quantity)
        line.save(update_fields=["quantity", "unit_price"])
        return line


@dataclass
class CartSummary:
    """The cart priced by the storefront's rules (:mod:`openprocure.supplier.punchout.pricing`)."""

    lines: list[CartLine]
    currency: str
    shipping_by_line: list[Decimal]
    totals: amounts.Totals

    @property
    def subtotal(self) -> Decimal:
        return self.totals.subtotal

    @property
    def shipping(self) -> Decimal:
        return self.totals.shipping

    @property
    def tax(self) -> Decimal:
        return self.totals.tax

    @property
    def total(self) -> Decimal:
        return self.totals.total

    @property
    def rows(self) -> list[tuple[CartLine, amounts.LineAmounts]]:
        """Each line with its amount and tax."""
        return list(zip(self.lines, self.totals.lines, strict=True))


def cart_lines(session: PunchOutSession) -> list[CartLine]:
    return list(session.lines.select_related("product", "product__seller", "source_line").order_by("id"))


def summarize(session: PunchOutSession, lines: list[CartLine] | None = None) -> CartSummary:
    """The cart with its amounts, shipping and tax estimates, by the storefront's money rules."""
    lines = cart_lines(session) if lines is None else lines
    currency = lines[0].currency if lines else "EUR"
    shipping = pricing.shipping_by_line(
        [(line.product.seller_id, line.product.fulfilled_by_us) for line in lines], currency
    )
    totals = pricing.totals(currency, [(Decimal(line.quantity), line.unit_price) for line in lines], shipping)
    return CartSummary(lines, currency, shipping, totals)


# -- returning the cart ----------------------------------------------------------------------------
def _line_identity(session: PunchOutSession, line: CartLine) -> str:
    # An edit/inspect cart closed without changes goes back exactly as it came: the original ids.
    if line.source_line is not None and not session.changed:
        return line.source_line.auxiliary_id
    return line.auxiliary_id


def ship_to_address(session: PunchOutSession) -> cxml.Address | None:
    """The ShipTo the buyer sent at setup, echoed in the returned cart (when it is complete)."""
    data = session.ship_to
    if not (data.get("street") and data.get("city") and data.get("country")):
        return None
    return cxml.Address(
        name=data.get("name") or session.business.name,
        address_id=data.get("address_id") or None,
        email=data.get("email") or None,
        postal_address=cxml.PostalAddress(
            street=list(data["street"]),
            city=data["city"],
            country=data["country"],
            iso_country_code=data["country"],
            deliver_to=list(data.get("deliver_to") or []),
            postal_code=data.get("postal_code") or None,
        ),
    )


def order_message(*, session: PunchOutSession, cancel: bool = False) -> cxml.CXML:
    """The PunchOutOrderMessage returning the session's cart.

    Submit: every line, ``operationAllowed="edit"``. Cancel: a ``create`` session returns an empty
    cart (``operationAllowed="create"``: nothing to edit); an ``edit`` or ``inspect`` session
    returns the original cart unchanged, since cancelling must not delete the buyer's lines.
    """
    lines = cart_lines(session)
    if cancel:
        if session.operation == Operation.CREATE:
            lines = []
        else:
            session.changed = False
            lines = [line for line in lines if line.source_line is not None]
    if session.operation == Operation.INSPECT:
        allowed = cxml.PunchOutOperation.INSPECT
    elif cancel and session.operation == Operation.CREATE:
        allowed = cxml.PunchOutOperation.CREATE
    else:
        allowed = cxml.PunchOutOperation.EDIT
    summary = summarize(session, lines)
    currency = summary.currency
    line_taxes = pricing.line_taxes(summary.totals, summary.shipping_by_line)
    items = []
    for number, (line, shipping, taxes) in enumerate(
        zip(lines, summary.shipping_by_line, line_taxes, strict=True), start=1
    ):
        product = line.product
        extrinsics = [
            cxml.Extrinsic("SoldBy", product.seller.name),
            cxml.Extrinsic(
                "FulfilledBy", settings.SITE_TITLE if product.fulfilled_by_us else product.seller.name
            ),
            # Our list price per unit, in the line's currency: what the buyer's savings are measured
            # against (cXML's ItemDetail has no element of its own for it).
            cxml.Extrinsic(LIST_PRICE_EXTRINSIC, format(in_minor_units(product.list_price, currency), "f")),
        ]
        items.append(
            cxml.ItemIn(
                quantity=Decimal(line.quantity),
                line_number=number,
                item_id=cxml.ItemID(product.asin, _line_identity(session, line)),
                item_detail=cxml.ItemDetail(
                    unit_price=Money(stated_unit_price(Decimal(line.unit_price), currency), currency),
                    descriptions=[cxml.Description(product.title, lang="en", short_name=None)],
                    unit_of_measure=product.unit_of_measure,
                    classifications=[cxml.Classification("UNSPSC", product.unspsc)],
                    manufacturer_part_id=product.manufacturer_part_number or None,
                    manufacturer_name=product.manufacturer or None,
                    lead_time=product.delivery_days,
                    extrinsics=extrinsics,
                ),
                shipping=cxml.Shipping(
                    Money(shipping, currency), cxml.Description(_("Shipping estimate"), lang="en")
                ),
                tax=pricing.tax_element(currency, taxes, description=_("VAT estimate")),
            )
        )
    header = cxml.PunchOutOrderMessageHeader(
        total=Money(summary.subtotal, currency),
        operation_allowed=allowed,
        ship_to=ship_to_address(session),
        shipping=cxml.Shipping(
            Money(summary.shipping, currency), cxml.Description(_("Shipping estimate"), lang="en")
        ),
        tax=pricing.tax_element(currency, summary.totals.tax_details, description=_("VAT estimate")),
    )
    ours = cxml.Credential(settings.CXML_DOMAIN, session.integration.supplier_identity)
    buyer = [cxml.Credential(c["domain"], c["identity"]) for c in session.buyer_credentials]
    return cxml.CXML(
        message=cxml.PunchOutOrderMessage(buyer_cookie=session.buyer_cookie, header=header, items=items),
        payload_id=cxml.new_payload_id(settings.PAYLOAD_ID_DOMAIN),
        timestamp=datetime.now(UTC).replace(microsecond=0),
        header=cxml.make_header(from_=[ours], to=buyer, sender=[ours], user_agent="OpenProcure Marketplace"),
        deployment_mode=cxml.DeploymentMode.TEST if session.is_test else cxml.DeploymentMode.PRODUCTION,
        lang="en",
    )


@dataclass
class ReturnPost:
    """Where the browser posts the cart and the form fields it posts."""

    action: str
    fields: list[tuple[str, str]]
    target: str = ""
    charset: str = "utf-8"
    html: str = ""  # a complete page (OCI builds its own)


def close_session(*, session: PunchOutSession, cancel: bool) -> None:
    """Mark the session returned or cancelled (the same browser cannot return it twice)."""
    with transaction.atomic():
        locked = PunchOutSession.objects.select_for_update().get(pk=session.pk)
        locked.closed_at = timezone.now()
        set_status(
            locked,
            SessionStatus.CANCELLED if cancel else SessionStatus.RETURNED,
            table=SESSION_TRANSITIONS,
            also=["closed_at"],
            refusal=_SESSION_REFUSAL,
        )
        follow(session, locked)
