"""The buyer suite's main menu: each person sees the pages of their roles.

A person with no role yet may still shop and raise requisitions (nothing in the suite requires the
requester role), so they see the requester's links. The checks mirror the views': Invoices need the
accounts-payable role, Suppliers, Organisation and E-invoicing platforms a procurement or technical
administrator, Spend its
dashboard for those who see everything (others reach their own purchase history through it).
A supplier's account on the supplier portal sees only its orders (it opens nothing else).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from openprocure.buyer.approvals.selectors import inbox
from openprocure.buyer.organization.choices import Role
from openprocure.buyer.organization.services import platform_refusal, roles_of
from openprocure.buyer.supplierportal.selectors import account_supplier_id
from openprocure.core.navigation import Link


def menu(request: HttpRequest) -> list[Link]:
    user = request.user
    if not user.is_authenticated:
        return []
    if account_supplier_id(request) is not None:
        return [Link("supplierportal:orders", _("Your orders"))]
    roles = roles_of(user)
    buys = Role.REQUESTER in roles or not roles
    administers = bool(roles & {Role.PROCUREMENT_ADMIN, Role.TECH_ADMIN})
    links = [Link("home", _("Home"))]
    if buys:
        links += [Link("punchout:shop", _("Shop")), Link("requisitions:list", _("My requisitions"))]
    if buys or Role.PROCUREMENT_ADMIN in roles:
        links.append(
            Link("recurring:list", _("Schedules") if Role.PROCUREMENT_ADMIN in roles else _("My schedules"))
        )
    if Role.APPROVER in roles or inbox(user).exists():
        links.append(Link("approvals:inbox", _("Approvals")))
    links.append(Link("purchasing:list", _("Purchase orders")))
    if buys or Role.PROCUREMENT_ADMIN in roles:
        links.append(Link("fulfilment:to_receive", _("Receiving")))
    if Role.AP_CLERK in roles:
        links.append(Link("invoicing:list", _("Invoices")))
    links.append(
        Link(
            "spend:home",
            _("Spend") if roles & {Role.PROCUREMENT_ADMIN, Role.AP_CLERK} else _("Purchase history"),
        )
    )
    if administers:
        links += [Link("suppliers:list", _("Suppliers")), Link("organization:overview", _("Organisation"))]
    if not platform_refusal(user):
        links.append(Link("platforms", _("E-invoicing platforms")))
    if Role.PROCUREMENT_ADMIN in roles or user.is_staff:
        links.append(Link("catalogs:versions", _("Hosted catalogs")))
    if user.is_staff:
        links += [Link("operations-status", _("Operations")), Link("admin:index", _("Administration"))]
    return links
