"""SAP OCI at ``/oci/``: the call-up opens the same storefront; the cart goes back as NEW_ITEM-* fields.

Background functions answer at once, without a session or any page to click: ``VALIDATE`` returns
the product re-priced at QUANTITY, ``BACKGROUND_SEARCH`` the matching products, each as the
NEW_ITEM-* fields of an OCI return form. ``DETAIL`` opens the session on the product.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from openprocure.core import languages
from openprocure.core.choices import Direction, Protocol
from openprocure.core.journal import mask_form, record_document
from openprocure.core.security import allow_form_post
from openprocure.core.trust import client_address
from openprocure.core.tunables import tunable
from openprocure.supplier.business.credentials import check_secret, token_hash
from openprocure.supplier.business.models import Integration
from openprocure.supplier.catalog.models import Product
from openprocure.supplier.catalog.search import SearchQuery, get_backend
from openprocure.supplier.punchout import services
from openprocure.supplier.punchout.choices import Operation, SessionProtocol, SessionStatus
from openprocure.supplier.punchout.framing import frame_for_integration
from openprocure.supplier.punchout.models import CartLine, PunchOutSession
from punchout import oci
from punchout.money import stated_unit_price

EMAIL_PARAMETERS = ("email", "user_email", "useremail", "e-mail")
#: the call-up parameters that name the user's language (SAP sends ``sap-language``)
LANGUAGE_PARAMETERS = ("sap-language", "~language", "language")
_DUMMY_HASH = "sha256$0000000000000000$" + "0" * 64


def _version(callup: oci.CallUp) -> str:
    return callup.oci_version if callup.oci_version in ("4.0", "5.0") else "4.0"


def _charset(callup: oci.CallUp) -> str:
    return (callup.http_content_charset or "iso-8859-1").strip() or "iso-8859-1"


def _refuse(
    request: HttpRequest, status: int, message: str, integration: Integration | None = None
) -> HttpResponse:
    """The refusal page, framed only by the business's procurement system (nobody when unknown)."""
    response = render(request, "punchout/oci_refused.html", {"message": message}, status=status)
    return frame_for_integration(response, integration)


def item_for(
    product: Product, quantity: int, *, price: Decimal | None = None, auxiliary_id: str = ""
) -> oci.OCIItem:
    """The OCI line of a product: price per one unit, our ASIN as VENDORMAT, the line identity as EXT_PRODUCT_ID."""
    unit_price = services.price_for(product, quantity) if price is None else price
    return oci.OCIItem(
        description=product.title[:40],
        quantity=Decimal(quantity),
        unit=product.unit_of_measure,
        price=stated_unit_price(Decimal(unit_price), product.currency),
        currency=product.currency,
        price_unit=Decimal(1),
        lead_time=product.delivery_days,
        long_text=product.title,
        vendor_mat=product.asin,
        manufact_mat=product.manufacturer_part_number[:40],
        mat_group=product.unspsc[:10],
        ext_product_id=auxiliary_id or product.asin,
        ext_schema_type="UNSPSC",
        ext_category_id=product.unspsc,
    )


def _fields_page(request: HttpRequest, callup: oci.CallUp, items: list[oci.OCIItem]) -> HttpResponse:
    """A background answer: the NEW_ITEM-* fields as a form (posting to HOOK_URL when one was sent)."""
    charset = _charset(callup)
    if callup.hook_url:
        form = oci.build_return_form(
            callup.hook_url,
            items,
            version=_version(callup),
            target=callup.target,
            okcode=callup.okcode,
            caller=callup.caller,
            charset=charset,
            title=_("Transferring your cart"),
            submit_label=_("Transfer cart"),
            script_nonce=str(request.csp_nonce),  # type: ignore[attr-defined]  # django-csp adds csp_nonce to the request
        )
        return allow_form_post(HttpResponse(form.encode(), content_type=form.content_type), callup.hook_url)
    fields = oci.build_return_fields(items, version=_version(callup), charset=charset)
    from html import escape

    inputs = "\n".join(
        f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">' for name, value in fields
    )
    page = f'<!DOCTYPE html>\n<html><head><meta charset="{charset}"></head><body><form method="post">\n{inputs}\n</form></body></html>\n'
    return HttpResponse(
        page.encode(charset, "xmlcharrefreplace"), content_type=f"text/html; charset={charset}"
    )


def _login(callup: oci.CallUp) -> Integration | None:
    username = (callup.username or "").strip()
    integration = (
        Integration.objects.select_related("business").filter(oci_username=username).first()
        if username
        else None
    )
    ok = check_secret(callup.password, integration.oci_password_hash if integration else _DUMMY_HASH)
    return integration if ok and integration is not None else None


def _language(callup: oci.CallUp) -> str:
    """The language the call-up names (``sap-language``, ``~language`` or ``language``), as sent."""
    for name, values in callup.extra.items():
        if name.lower() in LANGUAGE_PARAMETERS and values and values[0].strip():
            return values[0].strip()
    return ""


def _email(callup: oci.CallUp) -> str:
    for name, values in callup.extra.items():
        if name.lower() in EMAIL_PARAMETERS and values and values[0].strip():
            return values[0].strip().lower()
    return ""


def handle_callup(request: HttpRequest, params: list[tuple[str, Any]]) -> HttpResponse:
    """Serve one OCI call-up (interactive or background)."""
    record_document(
        direction=Direction.INBOUND,
        protocol=Protocol.OCI,
        raw="\n".join(
            f"{k}={v}"
            for k, v in mask_form({k: v[0] if isinstance(v, list) and v else v for k, v in params}).items()
        ),
        kind="OCI call-up",
        remote_addr=client_address(request) or None,
    )
    try:
        callup = oci.parse_callup(params)
    except oci.OCIError as error:
        return _refuse(request, 400, str(error))
    integration = _login(callup)
    if integration is None:
        return _refuse(
            request,
            401,
            _("The OCI username or password is wrong. Copy them again from the Manage your business page."),
        )
    if callup.hook_url and not services.is_allowed_return_url(integration, callup.hook_url):
        return _refuse(
            request,
            403,
            _(
                "HOOK_URL %(url)s is not among the return addresses allowed for this account. Ask the business administrator to add it."
            )
            % {"url": callup.hook_url},
            integration,
        )
    if callup.function == oci.OCIFunction.VALIDATE:
        product = Product.objects.filter(asin=(callup.product_id or "").strip()).first()
        if product is None or not _allowed(integration, product):
            return _fields_page(request, callup, [])
        quantity = validated_quantity(callup.quantity)
        if quantity is None:
            return _fields_page(request, callup, [])
        return _fields_page(request, callup, [item_for(product, quantity)])
    if callup.function == oci.OCIFunction.BACKGROUND_SEARCH:
        return _fields_page(
            request,
            callup,
            [item_for(p, 1) for p in search_products(integration, callup.search_string or "")],
        )
    email = _email(callup)
    if not email:
        return _refuse(
            request,
            400,
            _(
                "The call-up has no user e-mail: add a parameter email=<the user's e-mail> to the catalog call-up in your system."
            ),
            integration,
        )
    try:
        services.check_lengths(
            email=("The user's e-mail", email), return_url=("The HOOK_URL", callup.hook_url or "")
        )
        membership = services._shopper(integration, email)
    except services.Refused as refused:
        return _refuse(request, refused.status_code, refused.message, integration)
    key = secrets.token_urlsafe(32)
    language = _language(callup)
    with transaction.atomic():
        now = timezone.now()
        session = services.create_session(
            integration=integration,
            membership=membership,
            email=email,
            protocol=SessionProtocol.OCI,
            operation=Operation.CREATE,
            status=SessionStatus.OPEN,
            return_url=callup.hook_url or "",
            oci_options={
                "target": callup.target or "",
                "okcode": callup.okcode or "",
                "caller": callup.caller or "",
                "version": _version(callup),
                "charset": _charset(callup),
            },
            shopper=services.shopper_details({}, language=language),
            key_hash=token_hash(key),
            started_at=now,
            created_at=now,
        )
        if session.user_id is not None:
            languages.record_from_punchout(user_id=session.user_id, tag=language)
            services._supersede_others(session)
    base = f"{get_script_prefix()}po/{key}/"
    if session.user_id is None:
        return redirect(base + "welcome/")
    if callup.function == oci.OCIFunction.DETAIL and callup.product_id:
        for name in ("catalog-product",):
            try:
                return redirect(base + reverse(name, args=[callup.product_id]).lstrip("/"))
            except NoReverseMatch:
                continue
    return redirect(base)


def validated_quantity(quantity: Decimal | None) -> int | None:
    """The quantity VALIDATE prices: 1 when the call-up names none; None (the item is not valid) when
    it is not a whole number from 1 to the cart's ceiling, never another quantity than the one asked."""
    if quantity is None:
        return 1
    if quantity != quantity.to_integral_value() or not 1 <= quantity <= tunable("PUNCHOUT_MAX_LINE_QUANTITY"):
        return None
    return int(quantity)


def _allowed(integration: Integration, product: Product) -> bool:
    return product.fulfilled_by_us or not integration.fulfilled_by_us_only


def search_products(integration: Integration, text: str) -> list[Product]:
    """The storefront's own catalog search for the words (full text, as on the search page; a scan
    of every product would not do for millions of them), best matches first."""

    query = SearchQuery(
        text=" ".join(text.split()[:8]),
        fulfilled_by_us=True if integration.fulfilled_by_us_only else None,
        page_size=tunable("PUNCHOUT_BACKGROUND_SEARCH_LIMIT"),
    )
    ranks = get_backend().search(query=query).sales_ranks
    by_rank = {p.sales_rank: p for p in Product.objects.filter(sales_rank__in=ranks).select_related("seller")}
    return [by_rank[rank] for rank in ranks if rank in by_rank]


def oci_return(*, session: PunchOutSession, cancel: bool, script_nonce: str = "") -> services.ReturnPost:
    """The OCI return page for the session's cart (empty when cancelled)."""
    lines: list[CartLine] = [] if cancel else services.cart_lines(session)
    items = [
        item_for(line.product, line.quantity, price=line.unit_price, auxiliary_id=line.auxiliary_id)
        for line in lines
    ]
    options = session.oci_options
    form = oci.build_return_form(
        session.return_url,
        items,
        version=options.get("version", "4.0"),
        target=options.get("target") or None,
        okcode=options.get("okcode") or None,
        caller=options.get("caller") or None,
        charset=options.get("charset", "iso-8859-1"),
        title=_("Transferring your cart"),
        submit_label=_("Transfer cart"),
        script_nonce=script_nonce or None,
    )
    return services.ReturnPost(
        action=session.return_url, fields=list(form.fields), charset=form.charset, html=form.html
    )


__all__ = ["handle_callup", "item_for", "oci_return", "search_products"]
