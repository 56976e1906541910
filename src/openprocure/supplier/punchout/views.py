"""PunchOut pages: the start URL, the first-PunchOut welcome, the cart and its return, OCI."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import get_script_prefix
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from openprocure.core import ratelimits
from openprocure.core.choices import Direction, Protocol
from openprocure.core.forms import report_refusal
from openprocure.core.journal import record_document
from openprocure.core.security import allow_form_post
from openprocure.core.tunables import tunable
from openprocure.supplier.business.credentials import token_hash
from openprocure.supplier.punchout import forms, oci, returns, services
from openprocure.supplier.punchout.choices import Operation
from openprocure.supplier.punchout.framing import frame_for_session
from openprocure.supplier.punchout.models import PunchOutSession


def _session(request: HttpRequest) -> PunchOutSession | None:
    return getattr(request, "punchout", None)


def _outside(request: HttpRequest) -> HttpResponse:
    return render(request, "punchout/not_in_session.html", status=403)


def start(request: HttpRequest, token: str) -> HttpResponse:
    """The one-shot StartPage URL: open the session and continue inside ``/po/<key>/``."""
    try:
        session, key = services.start_session(token=token)
    except services.StartRefused as refused:
        # Shown in the procurement system's frame when the link names a session we know.
        known = (
            PunchOutSession.objects.select_related("integration")
            .filter(start_token_hash=token_hash(token))
            .first()
        )
        response = render(request, "punchout/start_refused.html", {"reason": refused.reason}, status=410)
        return frame_for_session(response, known)
    base = f"{get_script_prefix()}po/{key}/"
    if session.user is None:
        target = base + "welcome/"
    elif session.operation in (Operation.EDIT, Operation.INSPECT):
        target = base + "cart/"
    else:
        target = base
    return frame_for_session(redirect(target), session)


def welcome(request: HttpRequest) -> HttpResponse:
    """First PunchOut of an unknown e-mail: a short form creates the linked account."""
    session = _session(request)
    if session is None:
        return _outside(request)
    if session.user is not None:
        return redirect("home")
    form = forms.WelcomeForm(request.POST or None, initial=session.shopper)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_account_on_first_punchout(session=session, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("cart" if session.operation != Operation.CREATE else "home")
    return render(request, "punchout/welcome.html", {"form": form, "session": session})


def cart(request: HttpRequest) -> HttpResponse:
    """The cart of the PunchOut session, with "Submit items for approval" and "Cancel and return"."""
    session = _session(request)
    if session is None:
        return _outside(request)
    summary = services.summarize(session)
    return render(request, "punchout/cart.html", {"session": session, "summary": summary})


@require_POST
def cart_add(request: HttpRequest) -> HttpResponse:
    """ "Add to cart" from any product or search page."""
    session = _session(request)
    if session is None:
        return _outside(request)
    form = forms.AddToCartForm(request.POST)
    if not form.is_valid():
        # The quantity field is the form's only one a person types; a forged ASIN is refused alike.
        ceiling = tunable("PUNCHOUT_MAX_LINE_QUANTITY")
        messages.error(request, _("Choose a quantity between 1 and %(max)s.") % {"max": ceiling})
        return redirect("cart")
    try:
        line = services.add_to_cart(session=session, **form.cleaned_data)
    except ValidationError as error:
        report_refusal(request, error)
    else:
        messages.success(request, _("Added to your cart: %(title)s") % {"title": line.product.title})
    return redirect("cart")


@require_POST
def cart_update(request: HttpRequest) -> HttpResponse:
    """A line's new quantity, or its "Remove" button (quantity 0).

    A quantity that is not a whole number from 0 to the maximum changes nothing: the cart comes back
    with the reason beside that line and what was typed still in its field.
    """
    session = _session(request)
    if session is None:
        return _outside(request)
    form = forms.UpdateLineForm(request.POST)
    if not form.is_valid():
        line_id = form.cleaned_data.get("line")
        try:
            services.require_editable(session)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("cart")
        if line_id is None or "quantity" not in form.errors or not session.lines.filter(pk=line_id).exists():
            messages.error(request, _("This line is not in your cart."))
            return redirect("cart")
        line_error = {"line": line_id, "typed": form["quantity"].value(), "messages": form.errors["quantity"]}
        context = {"session": session, "summary": services.summarize(session), "line_error": line_error}
        return render(request, "punchout/cart.html", context, status=400)
    try:
        services.update_line(
            session=session, line_id=form.cleaned_data["line"], quantity=form.cleaned_data["quantity"]
        )
    except (ValidationError, services.CartLine.DoesNotExist) as error:
        messages.error(request, " ".join(getattr(error, "messages", [_("This line is not in your cart.")])))
    return redirect("cart")


def _return(request: HttpRequest, *, cancel: bool) -> HttpResponse:
    session = _session(request)
    if session is None:
        return _outside(request)
    try:
        post, body = returns.return_cart(session=session, cancel=cancel, script_nonce=str(request.csp_nonce))  # type: ignore[attr-defined]  # django-csp adds csp_nonce to the request
    except ValidationError as error:
        report_refusal(request, error)
        return redirect("cart")
    integration = session.integration
    if body is not None:
        record_document(
            direction=Direction.OUTBOUND,
            raw=body,
            kind="PunchOutOrderMessage",
            partner=f"{integration.buyer_domain}:{integration.buyer_identity}",
            reference=f"punchout-session:{session.pk}",
            content_type="text/xml",
        )
    else:
        record_document(
            direction=Direction.OUTBOUND,
            protocol=Protocol.OCI,
            raw="\n".join(f"{k}={v}" for k, v in post.fields),
            kind="OCI cart",
            partner=f"{integration.buyer_domain}:{integration.buyer_identity}",
            reference=f"punchout-session:{session.pk}",
        )
    if post.html:
        response = HttpResponse(post.html, content_type=f"text/html; charset={post.charset}")
    else:
        response = render(
            request, "punchout/return.html", {"post": post, "session": session, "cancel": cancel}
        )
    # The page's one form posts the cart to the procurement system's return address.
    return allow_form_post(response, post.action)


@require_POST
def submit(request: HttpRequest) -> HttpResponse:
    """ "Submit items for approval": the cart goes back to the buyer's system."""
    return _return(request, cancel=False)


@require_POST
def cancel(request: HttpRequest) -> HttpResponse:
    """ "Cancel and return": nothing is added (an edit/inspect cart goes back unchanged)."""
    return _return(request, cancel=True)


@csrf_exempt
def oci_entry(request: HttpRequest) -> HttpResponse:
    """``/oci/`` (GET or POST): the OCI call-up, and the background functions VALIDATE and BACKGROUND_SEARCH."""
    refusal = ratelimits.address_refusal(request)
    if refusal is not None:
        return ratelimits.plain_response(refusal)
    params: list[tuple[str, Any]] = [
        *request.GET.lists(),
        *(request.POST.lists() if request.method == "POST" else []),
    ]
    username = next(
        (str(values[0]).strip() for name, values in params if name.upper() == "USERNAME" and values), ""
    )
    credential = f"oci:{username}" if username else ""
    refusal = ratelimits.credential_refusal(request, credential)
    if refusal is not None:
        return ratelimits.plain_response(refusal)
    response = oci.handle_callup(request, params)
    if response.status_code < 500:
        ratelimits.count(request, credential=credential, accepted=response.status_code < 400)
    return response


def not_in_session(request: HttpRequest) -> HttpResponse:
    return _outside(request)
