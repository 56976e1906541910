"""Read-only questions about supplier accounts, shared by the middleware, the menu, the pages and the
403 page."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from openprocure.buyer.supplierportal.models import SupplierAccount
from openprocure.core.errors import Refusal

#: Where the answer is kept for the session: [the signed-in person's id, their supplier's id or None].
SESSION_KEY = "supplierportal.account"


def account_supplier_id(request: HttpRequest) -> int | None:
    """The supplier whose account is signed in, or ``None`` for anyone else (signed out included).

    Read from the database once per session and kept there with the person's id, so the check that
    runs on every request costs no query (signing out clears the session)."""
    user = request.user
    if not user.is_authenticated:
        return None
    cached = request.session.get(SESSION_KEY)
    if isinstance(cached, list) and len(cached) == 2 and cached[0] == user.pk:
        return cached[1] if isinstance(cached[1], int) else None
    found = SupplierAccount.objects.filter(user_id=user.pk).values_list("supplier_id", flat=True).first()
    request.session[SESSION_KEY] = [user.pk, found]
    return found


def refusal(request: HttpRequest, reason: str) -> Refusal | None:
    """The 403 page of a supplier's account (``core.errors.refusal_for``): the view's reason, or that
    the page is not the supplier's, and the way back to its orders instead of the company's home page
    and the advice to sign in with another role. ``None`` for anyone else."""
    if account_supplier_id(request) is None:
        return None
    return Refusal(
        message=reason
        or _("This page is not part of the supplier portal. The orders we sent you are under “Your orders”."),
        link=reverse("supplierportal:orders"),
        link_text=_("Go to your orders"),
    )
