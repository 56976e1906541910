"""The storefront's main menu: shoppers see their account, a business's administrators its management,
our staff the fulfilment queue and the PO lookup. A PunchOut session shows only what shopping needs.

The checks are the views' own: "Your account" needs a business membership, "Manage your business" and
"API keys" its administrator or technical administrator, "Fulfilment" and "PO lookup" a staff role, "E-invoicing platforms" an operator.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from openprocure.core.navigation import Link
from openprocure.supplier.business.services import membership_of, platform_refusal, staff_role


def menu(request: HttpRequest) -> list[Link]:
    links = [Link("home", _("Catalog"))]
    if getattr(request, "punchout", None) is not None:
        return [*links, Link("cart", _("Cart"))]
    user = request.user
    if not user.is_authenticated:
        return links
    membership = membership_of(user)
    if membership is not None:
        links.append(Link("orders-account", _("Your account")))
        if membership.is_administrator or membership.is_technical_administrator:
            links += [
                Link("business-manage", _("Manage your business")),
                Link("orders-api-keys", _("API keys")),
            ]
        if membership.is_administrator:
            links.append(Link("catalog-exports", _("Catalog export")))
    if staff_role(user) is not None:
        links += [Link("fulfilment-queue", _("Fulfilment")), Link("support-lookup", _("PO lookup"))]
    if not platform_refusal(user):
        links.append(Link("platforms", _("E-invoicing platforms")))
    if user.is_staff:
        links += [Link("operations-status", _("Operations")), Link("admin:index", _("Administration"))]
    return links
