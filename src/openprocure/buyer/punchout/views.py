"""Shop page, launching a PunchOut session, and the return URL where carts come back."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from openprocure.buyer.organization.models import PreferredSupplier, UserProfile
from openprocure.buyer.punchout import services
from openprocure.buyer.punchout.choices import SessionOperation, SessionStatus
from openprocure.buyer.punchout.forms import LaunchForm
from openprocure.buyer.requisitions import cart_warnings, coding
from openprocure.buyer.requisitions.models import Requisition
from openprocure.buyer.suppliers.models import PunchOutConnection
from openprocure.buyer.suppliers.services import ConnectionError_
from openprocure.core.auth import AuthenticatedHttpRequest
from openprocure.core.formatting import format_money


@login_required
def shop(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The connected suppliers, the company's preferred ones first; each opens its catalog in this window
    (the returned cart brings the person back to the requisition in the same tab)."""
    # A connection without a setup URL only receives orders (by e-mail): it has no catalog to open.
    connections = list(
        PunchOutConnection.objects.filter(is_active=True, supplier__is_active=True)
        .exclude(setup_url="")
        .select_related("supplier")
    )
    profile = UserProfile.objects.filter(user=request.user).only("company_id").first()
    preferences: dict[int, list[PreferredSupplier]] = {}
    if profile is not None:
        chosen = PreferredSupplier.objects.filter(company_id=profile.company_id)
        for preference in chosen.order_by("rank", "unspsc_prefix"):
            preferences.setdefault(preference.supplier_id, []).append(preference)
    for connection in connections:
        found = preferences.get(connection.supplier_id, [])
        connection.preferred_overall = any(not p.unspsc_prefix for p in found)  # type: ignore[attr-defined]  # attributes set on the row for the template
        connection.preferred_categories = [p.unspsc_prefix for p in found if p.unspsc_prefix]  # type: ignore[attr-defined]  # attributes set on the row for the template
        connection.preference_rank = min((p.rank for p in found), default=None)  # type: ignore[attr-defined]  # attributes set on the row for the template
    connections.sort(
        key=lambda c: (c.preference_rank is None, c.preference_rank or 0, c.supplier.name.casefold())  # type: ignore[attr-defined]  # attributes set on the row for the template
    )
    return render(request, "punchout/shop.html", {"connections": connections})


class _Redirect(HttpResponseRedirect):
    # Start pages are any supplier's http(s) URL (validated below), not only our own hosts.
    allowed_schemes = ["http", "https"]


@login_required
@require_POST
def launch(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Open a session (create, or edit/inspect a requisition's lines) and send the browser to the supplier."""
    connection = get_object_or_404(PunchOutConnection.objects.select_related("supplier"), pk=pk)
    form = LaunchForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "punchout/failed.html",
            {"connection": connection, "error_text": form.error_text()},
            status=400,
        )
    operation = form.cleaned_data["operation"]
    requisition = None
    if form.cleaned_data["requisition"] is not None:
        requisition = get_object_or_404(
            Requisition, pk=form.cleaned_data["requisition"], requester=request.user
        )
    try:
        session = services.launch_punchout(
            user=request.user, connection=connection, operation=operation, requisition=requisition
        )
        url = services.start_url(session) if session.status == SessionStatus.OPEN else ""
    except (services.PunchOutError, ConnectionError_) as error:
        return render(
            request,
            "punchout/failed.html",
            {"connection": connection, "error_text": error.message},
            status=getattr(error, "http_status", 400),
        )
    if session.status != SessionStatus.OPEN or not url.lower().startswith(("http://", "https://")):
        return render(
            request,
            "punchout/failed.html",
            {
                "connection": connection,
                "error_text": session.error_text or _("The supplier gave no start page."),
            },
            status=502,
        )
    return _Redirect(url)


@csrf_exempt  # the supplier's page posts the cart through the user's browser; the session id binds it
def cart_return(request: HttpRequest, cookie: str) -> HttpResponse:
    """BrowserFormPost / HOOK_URL: the cart of one session, applied only for the person who launched it.

    A cart posted without a signed-in user (a cross-site POST carries no SameSite=Lax cookie) is
    held on its session and the browser is sent to this URL again with a GET, which does carry the
    cookie; a person who is not signed in any more signs in first. Nothing is lost either way.
    """
    if request.method == "GET":
        if not request.user.is_authenticated:
            messages.info(
                request, _("The cart from your supplier is kept. Sign in to add it to a requisition.")
            )
            return redirect_to_login(request.get_full_path())
        try:
            outcome = services.receive_held_cart(cookie=cookie, user=request.user)
        except services.PunchOutError as error:
            if error.http_status == 409 and error.session is not None and error.session.requisition_id:
                # Already applied (a reload of this page): show the result again.
                return redirect(reverse("requisitions:detail", args=[error.session.requisition_id]))
            return render(
                request, "punchout/refused.html", {"message": error.message}, status=error.http_status
            )
        return _cart_landed(request, outcome)
    if request.method != "POST":
        return redirect("punchout:shop")
    content_type = request.META.get("CONTENT_TYPE", "")
    # Read the raw body first (an OCI cart is best decoded from its bytes); multipart has none.
    raw_body = b"" if content_type.startswith("multipart/") else request.body
    fields = request.POST if not content_type.startswith(("text/", "application/xml")) else {}
    if not request.user.is_authenticated:
        try:
            services.hold_cart(cookie=cookie, fields=fields, raw_body=raw_body, content_type=content_type)
        except services.PunchOutError as error:
            return render(
                request, "punchout/refused.html", {"message": error.message}, status=error.http_status
            )
        return HttpResponseSeeOther(request.path)
    try:
        outcome = services.receive_cart(
            cookie=cookie, user=request.user, fields=fields, raw_body=raw_body, content_type=content_type
        )
    except services.PunchOutError as error:
        return render(request, "punchout/refused.html", {"message": error.message}, status=error.http_status)
    return _cart_landed(request, outcome)


def _returned(outcome: services.CartOutcome) -> str:
    """What came back: how many lines, from whom, worth how much, and where they are now."""
    assert outcome.requisition is not None
    count = len(outcome.lines)
    currencies = {line.currency for line in outcome.lines}
    values = {
        "count": count,
        "supplier": outcome.session.connection.supplier,
        "number": outcome.requisition.number,
        "total": format_money(sum((line.amount for line in outcome.lines), Decimal(0)), currencies.pop())
        if len(currencies) == 1
        else "",
    }
    if not values["total"]:
        return (
            ngettext(
                "%(count)s line from %(supplier)s is in requisition %(number)s.",
                "%(count)s lines from %(supplier)s are in requisition %(number)s.",
                count,
            )
            % values
        )
    return (
        ngettext(
            "%(count)s line from %(supplier)s (%(total)s) is in requisition %(number)s.",
            "%(count)s lines from %(supplier)s (%(total)s) are in requisition %(number)s.",
            count,
        )
        % values
    )


class HttpResponseSeeOther(HttpResponseRedirect):
    """303: the browser follows with a GET (carrying the SameSite=Lax session cookie)."""

    status_code = 303


def _cart_landed(request: HttpRequest, outcome: services.CartOutcome) -> HttpResponse:
    """Where a person lands once their cart is applied."""
    for warning in outcome.warnings:
        messages.warning(request, cart_warnings.text(warning))
    declined = outcome.supplier_status
    if declined is not None:
        said = declined.message or declined.text
        values = {"supplier": outcome.session.connection.supplier, "code": declined.code, "text": said}
        if declined.code == 204:
            messages.info(request, _("%(supplier)s: no change (%(text)s). Nothing was changed.") % values)
        else:
            messages.error(
                request,
                _("%(supplier)s could not return the cart (%(code)s %(text)s). Nothing was changed.")
                % values,
            )
        if outcome.requisition is None:
            return redirect("punchout:shop")
        return redirect(reverse("requisitions:detail", args=[outcome.requisition.pk]))
    if outcome.requisition is None:
        messages.info(request, _("The cart was empty; nothing was added."))
        return redirect("punchout:shop")
    for change in outcome.price_changes:
        messages.warning(request, coding.price_message(change))
    for change in outcome.coding_changes:
        messages.warning(request, coding.change_message(change))
    if outcome.session.operation == SessionOperation.INSPECT:
        messages.info(request, _("Inspection closed; the requisition was not changed."))
    else:
        messages.success(request, _returned(outcome))
    return redirect(reverse("requisitions:detail", args=[outcome.requisition.pk]))
