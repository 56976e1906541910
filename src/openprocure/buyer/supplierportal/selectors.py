"""Read-only questions about supplier accounts, shared by the middleware, the menu and the pages."""

from __future__ import annotations

from django.http import HttpRequest

from openprocure.buyer.supplierportal.models import SupplierAccount

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
