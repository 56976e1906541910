"""Demo data of the organisation (called by ``seed_demo`` in demo mode)."""

from __future__ import annotations

from decimal import Decimal

from openprocure.buyer.organization.choices import AddressKind, Role
from openprocure.buyer.organization.models import (
    Address,
    Company,
    CostCenter,
    Department,
    GLAccount,
    LegalEntity,
    RestrictedCategory,
    SpendingLimit,
)
from openprocure.buyer.organization.services import set_profile
from openprocure.core.demo import require_demo_mode
from openprocure.core.models import User


def seed_organization() -> Company:
    """Acme Industries: departments, cost centers, GL accounts, profiles, roles and limits.

    Created the first time only: once an organisation exists, what administrators changed stays.
    """
    require_demo_mode()
    existing = Company.objects.order_by("pk").first()
    if existing is not None:
        return existing
    company, _ = Company.objects.get_or_create(name="Acme Industries", defaults={"default_currency": "EUR"})
    entity, _ = LegalEntity.objects.get_or_create(
        company=company,
        name="Acme Industries SAS",
        defaults={"vat_number": "FR12345678901", "currency": "EUR"},
    )
    in_lyon = {
        "legal_entity": entity,
        "city": "Lyon",
        "postal_code": "69007",
        "country": "FR",
        "is_default": True,
    }
    # The storefront's demo address for Acme with its Monday delivery day (same street and postal
    # code): demo orders to it are consolidated on the delivery day.
    receiving = {"name": "Acme Industries — Receiving dock", "deliver_to": "Goods receiving"}
    ship_to, _ = Address.objects.update_or_create(
        company=company,
        kind=AddressKind.SHIP_TO,
        code="HQ",
        defaults={**in_lyon, **receiving, "street": "12 rue des Entrepôts"},
    )
    payable = {"name": "Acme Industries — Accounts payable", "street": "1 rue de l'Industrie"}
    Address.objects.update_or_create(
        company=company, kind=AddressKind.BILL_TO, code="AP", defaults={**in_lyon, **payable}
    )
    operations, _ = Department.objects.get_or_create(
        company=company, code="OPS", defaults={"name": "Operations"}
    )
    finance, _ = Department.objects.get_or_create(company=company, code="FIN", defaults={"name": "Finance"})
    it, _ = Department.objects.get_or_create(
        company=company, code="IT", defaults={"name": "Information technology"}
    )

    people = {user.email: user for user in User.objects.filter(email__endswith="@acme.test")}
    requester, approver = people["requester@acme.test"], people["approver@acme.test"]
    admin, ap = people["admin@acme.test"], people["ap@acme.test"]

    cc_ops, _ = CostCenter.objects.update_or_create(
        company=company,
        code="CC-100",
        defaults={"name": "Operations", "owner": approver, "department": operations},
    )
    CostCenter.objects.update_or_create(
        company=company, code="CC-200", defaults={"name": "Finance", "owner": ap, "department": finance}
    )
    CostCenter.objects.update_or_create(
        company=company, code="CC-300", defaults={"name": "IT", "owner": admin, "department": it}
    )
    for code, name in (
        ("6000", "Office supplies"),
        ("6100", "Maintenance and repair"),
        ("6200", "IT equipment"),
        ("6300", "Services"),
    ):
        GLAccount.objects.get_or_create(company=company, code=code, defaults={"name": name})

    set_profile(
        user=approver,
        company=company,
        roles=[Role.REQUESTER, Role.APPROVER],
        department=operations,
        default_cost_center=cc_ops,
        default_ship_to=ship_to,
        business_unit="Operations",
    )
    set_profile(
        user=requester,
        company=company,
        roles=[Role.REQUESTER],
        manager=approver,
        department=operations,
        default_cost_center=cc_ops,
        default_ship_to=ship_to,
        business_unit="Operations",
    )
    set_profile(
        user=admin,
        company=company,
        roles=[Role.REQUESTER, Role.PROCUREMENT_ADMIN, Role.TECH_ADMIN],
        department=it,
        default_ship_to=ship_to,
    )
    set_profile(user=ap, company=company, roles=[Role.AP_CLERK], department=finance, default_ship_to=ship_to)

    SpendingLimit.objects.update_or_create(
        company=company,
        role=Role.REQUESTER,
        user=None,
        defaults={"amount": Decimal("1000.00"), "currency": "EUR"},
    )
    SpendingLimit.objects.update_or_create(
        company=company,
        role=Role.APPROVER,
        user=None,
        defaults={"amount": Decimal("25000.00"), "currency": "EUR"},
    )
    RestrictedCategory.objects.get_or_create(
        company=company,
        role=Role.TECH_ADMIN,
        unspsc_prefix="4321",
        defaults={"note": "Computers: IT buys them"},
    )

    return company
