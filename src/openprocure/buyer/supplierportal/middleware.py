"""Keeps a supplier's account on the supplier portal.

Signed in, a supplier's account opens the portal's pages (its orders, each order's page), signing
out and the language switch; every other page of the buyer suite answers 403, present and future.

Why here and not in the views' role checks: a person with no role may shop, raise requisitions and
open their own orders, receiving and purchase history (nothing requires the requester role), so a
role-less account passes most views. One check before every view covers them all; whether the
person is a supplier's account is read once per session (``selectors.account_supplier_id``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from openprocure.buyer.supplierportal.selectors import account_supplier_id

#: The paths a supplier's account may open.
ALLOWED = ("/supplier-portal/", "/accounts/logout/", "/i18n/", "/static/", "/healthz")


class SupplierAccountMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.user.is_authenticated
            and not request.path_info.startswith(ALLOWED)
            and account_supplier_id(request) is not None
        ):
            raise PermissionDenied(
                _(
                    "A supplier's account opens only the supplier portal: your orders are under "
                    "“Your orders”. People of the company sign in with their own account."
                )
            )
        return self.get_response(request)
