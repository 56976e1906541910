"""Reading and changing the organisation: profiles, roles, spending limits, restricted categories."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from openprocure.buyer.organization.choices import Role
from openprocure.buyer.organization.models import (
    Address,
    Company,
    CostCenter,
    Department,
    RestrictedCategory,
    RoleAssignment,
    SpendingLimit,
    UserProfile,
)
from openprocure.core.models import User


def profile_for(user: User | AnonymousUser | None) -> UserProfile | None:
    """The buyer profile of ``user`` (with its roles prefetched), or None for someone without one."""
    if user is None or not user.is_authenticated:
        return None
    return (
        UserProfile.objects.select_related("company", "department", "default_cost_center", "default_ship_to")
        .prefetch_related("roles")
        .filter(user=user)
        .first()
    )


def has_role(user: User | AnonymousUser | None, *roles: str) -> bool:
    """Whether ``user`` holds any of ``roles`` (superusers hold every role)."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return RoleAssignment.objects.filter(profile__user=user, role__in=roles).exists()


def can_administer_procurement(user: User | AnonymousUser | None) -> bool:
    """Procurement and technical administrators manage suppliers, connections and reference data."""
    return has_role(user, Role.PROCUREMENT_ADMIN, Role.TECH_ADMIN)


def set_profile(
    *,
    user: User,
    company: Company,
    roles: list[str],
    manager: User | None = None,
    department: Department | None = None,
    default_cost_center: CostCenter | None = None,
    default_ship_to: Address | None = None,
    business_unit: str = "",
) -> UserProfile:
    """Create or update a person's profile and replace their roles."""
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")
    with transaction.atomic():
        profile, _ = UserProfile.objects.update_or_create(
            user=user,
            defaults={
                "company": company,
                "manager": manager,
                "department": department,
                "default_cost_center": default_cost_center,
                "default_ship_to": default_ship_to,
                "business_unit": business_unit,
            },
        )
        profile.roles.exclude(role__in=roles).delete()
        for role in roles:
            RoleAssignment.objects.get_or_create(profile=profile, role=role)
    return profile


def spending_limit_for(*, user: User) -> tuple[Decimal, str] | None:
    """The user's own limit, else the highest limit among their roles in their company, else None."""
    own = SpendingLimit.objects.filter(user=user).first()
    if own is not None:
        return Decimal(own.amount), own.currency
    profile = UserProfile.objects.filter(user=user).only("company_id").first()
    if profile is None:
        return None
    roles = list(RoleAssignment.objects.filter(profile=profile).values_list("role", flat=True))
    limits = [
        (Decimal(limit.amount), limit.currency)
        for limit in SpendingLimit.objects.filter(company_id=profile.company_id, role__in=roles)
    ]
    return max(limits, default=None)


def restricted_prefixes_for(*, user: User) -> list[str]:
    """UNSPSC prefixes ``user`` may not requisition (restricted to roles they do not hold)."""
    profile = profile_for(user)
    if profile is None:
        return []
    roles = profile.role_codes()
    return [
        r.unspsc_prefix
        for r in RestrictedCategory.objects.filter(company=profile.company)
        if r.role not in roles
    ]
