"""Reading and changing the organisation: profiles, roles, spending limits, restricted categories."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from openprocure.buyer.organization.choices import Role
from openprocure.buyer.organization.forms import PreferredSupplierForm
from openprocure.buyer.organization.hooks import person_left
from openprocure.buyer.organization.models import (
    Address,
    Company,
    CostCenter,
    Department,
    PreferredSupplier,
    RestrictedCategory,
    RoleAssignment,
    SpendingLimit,
    UserProfile,
)
from openprocure.core import mail
from openprocure.core.audit import delete_administered, save_administered
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


def roles_of(user: User | AnonymousUser | None) -> frozenset[str]:
    """The codes of every role ``user`` holds (all of them for a superuser, none when signed out)."""
    if user is None or not user.is_authenticated:
        return frozenset()
    if user.is_superuser:
        return frozenset(Role.values)
    return frozenset(RoleAssignment.objects.filter(profile__user=user).values_list("role", flat=True))


def is_procurement_admin(user: User | AnonymousUser | None) -> bool:
    """Procurement administrators (and staff) edit the policy, budgets and reassign approvals."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return RoleAssignment.objects.filter(profile__user=user, role=Role.PROCUREMENT_ADMIN).exists()


def can_administer_procurement(user: User | AnonymousUser | None) -> bool:
    """Procurement and technical administrators manage suppliers, connections and reference data."""
    return has_role(user, Role.PROCUREMENT_ADMIN, Role.TECH_ADMIN)


def platform_refusal(user: User | AnonymousUser | None) -> str:
    """Why ``user`` may not configure the e-invoicing platforms (``""``: procurement and technical
    administrators may)."""
    if can_administer_procurement(user):
        return ""
    return str(_("Only procurement or technical administrators configure e-invoicing platforms."))


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
        profile, _created = UserProfile.objects.update_or_create(
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


def save_person(
    *, company: Company, data: dict[str, Any], actor: User, person: User | None = None
) -> SavedPerson:
    """Add a person to the company, or change one, from a :class:`PersonForm`'s cleaned data.

    A new person gets an account without a password and an e-mail with a link to choose one.
    Their own spending limit is set, changed or removed (an empty amount removes it). Someone who
    can no longer sign in has their open tasks handed over by the receivers of ``person_left``.
    """
    with transaction.atomic():
        added = person is None
        was_active = person is not None and person.is_active
        if person is None:
            person = User(email=data["email"])
            person.set_unusable_password()
        person.email = data["email"]
        person.first_name = data.get("first_name", "")
        person.last_name = data.get("last_name", "")
        person.is_active = bool(data.get("is_active"))
        person.save()
        set_profile(
            user=person,
            company=company,
            roles=list(data.get("roles") or []),
            manager=data.get("manager"),
            department=data.get("department"),
            default_cost_center=data.get("default_cost_center"),
            default_ship_to=data.get("default_ship_to"),
            business_unit=data.get("business_unit", ""),
        )
        UserProfile.objects.filter(user=person).update(employee_id=data.get("employee_id", ""))
        set_own_limit(
            company=company, user=person, amount=data.get("limit_amount"), currency=data["limit_currency"]
        )
        if added:
            send_sign_in_link(person)
        handed_over = 0
        if was_active and not person.is_active:
            handed_over = sum(int(count or 0) for count in person_left(person=person, actor=actor))
    return SavedPerson(person, added, handed_over)


@dataclass(frozen=True)
class SavedPerson:
    person: User
    added: bool
    #: Open approvals of someone who can no longer sign in, handed to someone else.
    handed_over: int = 0


def set_own_limit(*, company: Company, user: User, amount: Decimal | None, currency: str) -> None:
    if amount is None:
        SpendingLimit.objects.filter(user=user).delete()
    else:
        SpendingLimit.objects.update_or_create(
            user=user, defaults={"company": company, "role": "", "amount": amount, "currency": currency}
        )


def set_role_limit(*, company: Company, role: str, amount: Decimal | None, currency: str) -> None:
    """The limit of everyone holding ``role`` in the company (an empty amount removes it)."""
    if amount is None:
        SpendingLimit.objects.filter(company=company, user=None, role=role).delete()
    else:
        SpendingLimit.objects.update_or_create(
            company=company, user=None, role=role, defaults={"amount": amount, "currency": currency}
        )


def send_sign_in_link(person: User) -> None:
    """E-mail ``person`` a link to choose their password (valid PASSWORD_RESET_TIMEOUT, used once)."""
    link = settings.PUBLIC_URL + reverse(
        "set-password",
        args=[urlsafe_base64_encode(force_bytes(person.pk)), default_token_generator.make_token(person)],
    )
    with translation.override(person.preferred_language or settings.LANGUAGE_CODE):
        subject = _("Your OpenProcure account")
        body = render_to_string(
            "organization/email_sign_in_link.txt",
            {"person": person, "link": link, "days": settings.PASSWORD_RESET_TIMEOUT // 86400},
        )
    mail.send_after_commit(subject, body, person.email)


def save_reference(*, form: Any, actor: Any) -> Any:
    """An administrator adds or changes a row of the company's reference data (a cost center, a
    GL account, a department, an address, a legal entity, a restricted category); the change is
    recorded."""
    return save_administered(form, actor=actor)


def lift_restriction(*, restriction: RestrictedCategory, actor: Any) -> None:
    """Anyone may requisition the category again; the removal is recorded."""
    delete_administered(restriction, actor=actor)


def save_preferred_supplier(*, form: PreferredSupplierForm, actor: Any) -> PreferredSupplier:
    """A procurement administrator makes a supplier preferred (for a category); the change is recorded."""
    preference: PreferredSupplier = save_administered(form, actor=actor)
    return preference


def delete_preferred_supplier(*, preference: PreferredSupplier, actor: Any) -> None:
    """The company no longer prefers the supplier (for that category); the removal is recorded."""
    delete_administered(preference, actor=actor)
