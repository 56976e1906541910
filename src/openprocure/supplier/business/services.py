"""Every write on business accounts: registration, review, users, PunchOut, settings, payment, addresses.

Functions are keyword-only; each opens a transaction, locks what it changes, and sends its e-mails
once the transaction has committed.
"""

from __future__ import annotations

import calendar
import logging
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openprocure.core import mail
from openprocure.core.audit import record_event
from openprocure.core.choices import AdminEventKind
from openprocure.core.crypto import validate_shared_secret
from openprocure.core.models import AdminEvent, User
from openprocure.core.status import check_transition, set_status
from openprocure.core.tunables import tunable
from openprocure.supplier.business.choices import (
    INTEGRATION_TRANSITIONS,
    VERIFICATION_TRANSITIONS,
    CartEncoding,
    IntegrationStatus,
    PaymentKind,
    Role,
    StaffRole,
    VerificationStatus,
)
from openprocure.supplier.business.credentials import generate_secret, hash_secret, token_hash
from openprocure.supplier.business.hooks import delivery_day_changed, shared_secret_replaced
from openprocure.supplier.business.models import (
    SETTING_FIELDS,
    Business,
    BusinessGroup,
    Integration,
    Invitation,
    Membership,
    PaymentMethod,
    SettingsChange,
    ShippingAddress,
    StaffProfile,
    setting_field,
)

INVITATION_LIFETIME = timedelta(days=7)

logger = logging.getLogger(__name__)


# What an operator or administrator reads when a status move is refused (core.status fills in the
# current status and the one asked for, as people read them).
_VERIFICATION_REFUSAL = gettext_lazy("This business is %(status)s: it cannot be changed to %(new)s.")
_INTEGRATION_REFUSAL = gettext_lazy(
    "The integration is %(status)s and cannot go to %(new)s: this switch is irreversible."
)


# -- helpers ---------------------------------------------------------------------------------------
def verified_domains() -> set[str]:
    """E-mail domains whose businesses are verified at once (setting ``BUSINESS_VERIFIED_DOMAINS``)."""
    domains = tunable("BUSINESS_VERIFIED_DOMAINS")
    return {d.strip().lower() for d in domains if d.strip()}


def membership_of(user: Any) -> Membership | None:
    """The user's membership of a business, or None (anonymous, staff, or not in any business)."""
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_membership_cache", False)
    if cached is not False:
        return cast("Membership | None", cached)
    membership = Membership.objects.select_related("business").filter(user=user).first()
    user._membership_cache = membership
    return membership


def staff_role(user: Any) -> str | None:
    """``operator`` or ``support`` for our staff; superusers count as operators."""
    if not getattr(user, "is_authenticated", False):
        return None
    if user.is_superuser:
        return StaffRole.OPERATOR
    profile = StaffProfile.objects.filter(user=user).first()
    return profile.role if profile else None


def require_operator(user: Any) -> None:
    if staff_role(user) != StaffRole.OPERATOR:
        raise PermissionDenied(_("Only an operator may do this."))


def platform_refusal(user: Any) -> str:
    """Why ``user`` may not configure the e-invoicing platforms (``""``: operators may)."""
    if staff_role(user) == StaffRole.OPERATOR:
        return ""
    return str(_("Only operators configure e-invoicing platforms."))


def require_administrator(user: Any, business: Business) -> Membership:
    membership = membership_of(user)
    if membership is None or membership.business_id != business.pk or not membership.is_administrator:
        raise PermissionDenied(_("Only the administrator of this business may do this."))
    return membership


def require_any_administrator(user: Any, business_id: int, message: str | None = None) -> Membership:
    """The membership of an administrator or technical administrator of the business, else 403."""
    membership = membership_of(user)
    if (
        membership is None
        or membership.business_id != business_id
        or not (membership.is_administrator or membership.is_technical_administrator)
    ):
        raise PermissionDenied(message or _("Only the administrators of this business may do this."))
    return membership


def _public(path: str) -> str:
    return settings.PUBLIC_URL + path


# -- registration and review -----------------------------------------------------------------------
def register_business(
    *,
    name: str,
    street: str,
    postal_code: str,
    city: str,
    country: str,
    tax_number: str,
    email: str,
    first_name: str,
    last_name: str,
    password: str,
) -> Business:
    """Register a business and its administrator; verify it at once when its e-mail domain is known."""
    email = email.strip().lower()
    with transaction.atomic():
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("An account already uses this e-mail address. Sign in instead."))
        domain = email.rsplit("@", 1)[-1]
        known = domain in verified_domains()
        business = Business.objects.create(
            name=name.strip(),
            street=street.strip(),
            postal_code=postal_code.strip(),
            city=city.strip(),
            country=country.strip().upper(),
            tax_number=tax_number,
            email=email,
            status=VerificationStatus.VERIFIED if known else VerificationStatus.PENDING,
            reviewed_at=timezone.now() if known else None,
        )
        user = User.objects.create_user(email, password=password, first_name=first_name, last_name=last_name)
        Membership.objects.create(user=user, business=business, is_administrator=True)
        if known:
            mail.send_after_commit(
                _("Your business account %(name)s is verified") % {"name": business.name},
                _(
                    "Welcome! %(name)s is verified: you can add users, payment methods and PunchOut on the "
                    "Manage your business page: %(url)s"
                )
                % {"name": business.name, "url": _public(reverse("business-manage"))},
                email,
            )
        else:
            mail.send_after_commit(
                _("We are reviewing your business account %(name)s") % {"name": business.name},
                _(
                    "Thank you for registering %(name)s. Our team checks every new business; you will "
                    "receive an e-mail when the review is done, usually within one working day."
                )
                % {"name": business.name},
                email,
            )
    return business


def approve_business(*, business_id: int, operator: User) -> Business:
    """An operator verifies a pending business; its administrator is told by e-mail."""
    require_operator(operator)
    with transaction.atomic():
        business = Business.objects.select_for_update().get(pk=business_id)
        business.reviewed_by, business.reviewed_at = operator, timezone.now()
        set_status(
            business,
            VerificationStatus.VERIFIED,
            table=VERIFICATION_TRANSITIONS,
            also=["reviewed_by", "reviewed_at"],
            refusal=_VERIFICATION_REFUSAL,
        )
        with translation.override(_administrator_language(business)):
            mail.send_after_commit(
                _("Your business account %(name)s is verified") % {"name": business.name},
                _("Good news: %(name)s is verified. Manage your business here: %(url)s")
                % {"name": business.name, "url": _public(reverse("business-manage"))},
                business.email,
            )
    return business


def _administrator_language(business: Business) -> str:
    """The language of the business's administrator (the e-mails of the review are theirs, not the
    operator's who decides)."""
    admin = business.memberships.filter(is_administrator=True).select_related("user").order_by("pk").first()
    return (admin.user.preferred_language if admin else "") or settings.LANGUAGE_CODE


def refuse_business(*, business_id: int, operator: User, reason: str) -> Business:
    """An operator refuses a pending business, with a reason sent to its administrator."""
    require_operator(operator)
    if not reason.strip():
        raise ValidationError(_("Give the reason for the refusal: it is sent to the administrator."))
    with transaction.atomic():
        business = Business.objects.select_for_update().get(pk=business_id)
        business.refusal_reason = reason.strip()
        business.reviewed_by, business.reviewed_at = operator, timezone.now()
        set_status(
            business,
            VerificationStatus.REFUSED,
            table=VERIFICATION_TRANSITIONS,
            also=["refusal_reason", "reviewed_by", "reviewed_at"],
            refusal=_VERIFICATION_REFUSAL,
        )
        with translation.override(_administrator_language(business)):
            mail.send_after_commit(
                _("Your business account %(name)s was not approved") % {"name": business.name},
                _(
                    "We could not verify %(name)s. Reason: %(reason)s\nReply to this e-mail if you can correct it."
                )
                % {"name": business.name, "reason": business.refusal_reason},
                business.email,
            )
    return business


# -- users -----------------------------------------------------------------------------------------
def invite_user(*, business: Business, by: User, email: str, role: str = Role.PUNCHOUT_USER) -> Invitation:
    """E-mail a one-time link to create a linked account in the business. An address whose
    invitation to the business is still open (neither used nor expired) is refused: its link is the
    one to use, and a second one would stop working once the first made the account."""
    require_administrator(by, business)
    email = email.strip().lower()
    if role not in Role.values:
        raise ValidationError(_("Unknown role."))
    with transaction.atomic():
        # The business locked: two invitations to one address at once take turns.
        Business.objects.select_for_update().get(pk=business.pk)
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("%(email)s already has an account.") % {"email": email})
        waiting = (
            Invitation.objects.filter(
                business=business,
                email__iexact=email,
                accepted_at__isnull=True,
                expires_at__gt=timezone.now(),
            )
            .order_by("-expires_at", "-pk")
            .first()
        )
        if waiting is not None:
            raise ValidationError(
                _(
                    "%(email)s was already invited: the link in that e-mail can be used until %(date)s. "
                    "A new invitation can be sent once it has expired."
                )
                % {"email": email, "date": formats.date_format(timezone.localtime(waiting.expires_at))}
            )
        token = generate_secret()
        invitation = Invitation.objects.create(
            business=business,
            email=email,
            role=role,
            token_hash=token_hash(token),
            invited_by=by,
            expires_at=timezone.now() + INVITATION_LIFETIME,
        )
        link = _public(reverse("business-invitation", args=[token]))
        mail.send_after_commit(
            _("%(name)s invites you to shop at %(site)s")
            % {"name": business.name, "site": settings.SITE_TITLE},
            _(
                "%(who)s added you to %(name)s. Create your account with this link (valid 7 days, usable "
                "once):\n%(link)s\nYou will shop from your company's procurement system."
            )
            % {"who": by.get_full_name() or by.email, "name": business.name, "link": link},
            email,
        )
    return invitation


def find_invitation(token: str) -> Invitation | None:
    """The open invitation for a token (unused and not expired), or None."""
    return (
        Invitation.objects.select_related("business")
        .filter(token_hash=token_hash(token), accepted_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )


def accept_invitation(*, token: str, first_name: str, last_name: str, password: str) -> User:
    """Create the linked account of an invitation; the link cannot be used again."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .filter(token_hash=token_hash(token), accepted_at__isnull=True, expires_at__gt=timezone.now())
            .first()
        )
        if invitation is None:
            raise ValidationError(
                _(
                    "This invitation link has expired or was already used. Ask your administrator for a new one."
                )
            )
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ValidationError(_("An account already uses this e-mail address."))
        user = User.objects.create_user(
            invitation.email, password=password, first_name=first_name, last_name=last_name
        )
        Membership.objects.create(
            user=user,
            business=invitation.business,
            linked=True,
            is_punchout_user=invitation.role == Role.PUNCHOUT_USER,
            is_technical_administrator=invitation.role == Role.TECHNICAL_ADMINISTRATOR,
            is_administrator=invitation.role == Role.ADMINISTRATOR,
        )
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
    return user


def create_linked_account(
    *, business: Business, email: str, first_name: str, last_name: str, group: BusinessGroup | None = None
) -> User:
    """The linked account of a person met on their first PunchOut (they never get a password)."""
    with transaction.atomic():
        user = User.objects.create_user(email.strip().lower(), first_name=first_name, last_name=last_name)
        user.set_unusable_password()
        user.save()
        Membership.objects.create(
            user=user, business=business, linked=True, is_punchout_user=True, group=group
        )
    return user


# -- PunchOut --------------------------------------------------------------------------------------
@dataclass
class NewCredentials:
    """Secrets generated for an integration, shown once and never stored in clear."""

    integration: Integration
    shared_secret: str
    oci_password: str


def clean_url_prefixes(prefixes: list[str]) -> list[str]:
    """Allowed return URL prefixes: http(s) URLs or SAP GUI's ``SAPEVENT:``."""
    cleaned: list[str] = []
    for prefix in prefixes:
        prefix = prefix.strip()
        if not prefix:
            continue
        if not prefix.lower().startswith(("https://", "http://", "sapevent:")):
            raise ValidationError(
                _("%(url)s is not an http(s) URL nor SAPEVENT: — give the start of your system's return URL.")
                % {"url": prefix}
            )
        cleaned.append(prefix)
    return cleaned


def add_punchout(
    *,
    business: Business,
    by: User,
    buyer_identity: str,
    buyer_domain: str = "NetworkId",
    allowed_return_urls: list[str] | None = None,
    cart_encoding: str = CartEncoding.URLENCODED,
    shared_secret: str | None = None,
    oci_password: str | None = None,
) -> NewCredentials:
    """Add PunchOut to a verified business (irreversible): the integration starts in Test."""
    require_administrator(by, business)
    if not business.is_verified:
        raise PermissionDenied(_("PunchOut can be added once the business is verified."))
    buyer_identity, buyer_domain = buyer_identity.strip(), buyer_domain.strip()
    if not buyer_identity or not buyer_domain:
        raise ValidationError(_("Give the identity and domain your procurement system sends in From."))
    if shared_secret is not None:
        validate_shared_secret(shared_secret)  # a generated one is 43 characters
    with transaction.atomic():
        Business.objects.select_for_update().get(pk=business.pk)
        if Integration.objects.filter(business=business).exists():
            raise ValidationError(_("PunchOut is already added to this business."))
        if Integration.objects.filter(
            buyer_domain_key=buyer_domain.casefold(), buyer_identity=buyer_identity
        ).exists():
            raise ValidationError(
                _("Another business already uses this buyer identity. Check it with your procurement team.")
            )
        secret = shared_secret or generate_secret()
        password = oci_password or generate_secret(12)
        integration = Integration.objects.create(
            business=business,
            buyer_identity=buyer_identity,
            buyer_domain=buyer_domain,
            buyer_domain_key=buyer_domain.casefold(),
            supplier_identity=settings.CXML_IDENTITY,
            shared_secret_hash=hash_secret(secret),
            oci_username=f"oci-{business.pk}-{generate_secret(4).lower().replace('_', '').replace('-', '')}",
            oci_password_hash=hash_secret(password),
            allowed_return_urls=clean_url_prefixes(allowed_return_urls or []),
            cart_encoding=cart_encoding,
        )
    return NewCredentials(integration=integration, shared_secret=secret, oci_password=password)


# Credentials a business's administrators may replace: (field, hash field, length of a new one).
REPLACEABLE_CREDENTIALS = {
    "shared_secret": ("shared_secret_hash", 32),
    "oci_password": ("oci_password_hash", 12),
}


def replace_credential(*, integration_id: int, by: User, which: str, reason: str = "") -> str:
    """Replace the cXML shared secret or the OCI password; the new one, to be shown once.

    The old one stops working at once (a secret that leaked must not keep working). The change is
    recorded with who, when and why, never with either value. The shared secret is also the one our
    outbound documents carry: the orders app updates it through ``shared_secret_replaced``.
    """
    if which not in REPLACEABLE_CREDENTIALS:
        raise ValidationError(_("%(field)s is not a credential that can be replaced.") % {"field": which})
    hash_field, length = REPLACEABLE_CREDENTIALS[which]
    with transaction.atomic():
        integration = Integration.objects.select_for_update().get(pk=integration_id)
        require_any_administrator(by, integration.business_id)
        new = generate_secret(length)
        setattr(integration, hash_field, hash_secret(new))
        integration.save(update_fields=[hash_field])
        SettingsChange.objects.create(
            integration=integration,
            field=which,
            old_value=_("(replaced)"),
            new_value=_("(new, shown once)"),
            changed_by=by,
            reason=reason.strip() or _("Replaced by an administrator of the business."),
        )
        if which == "shared_secret":
            shared_secret_replaced(integration=integration, secret=new)
    logger.info("integration %s: %s replaced by user %s", integration.pk, which, by.pk)
    return new


def update_return_urls(*, integration: Integration, by: User, allowed_return_urls: list[str]) -> Integration:
    """The administrator (or technical administrator) changes the allowed return URL prefixes."""
    require_any_administrator(by, integration.business_id)
    with transaction.atomic():
        locked = Integration.objects.select_for_update().get(pk=integration.pk)
        locked.allowed_return_urls = clean_url_prefixes(allowed_return_urls)
        locked.save(update_fields=["allowed_return_urls"])
    return locked


def activate_integration(*, integration_id: int, by: User) -> Integration:
    """Switch an integration from Test to Active (irreversible).

    Active orders are charged to the business's default payment method, so one must exist and be
    valid (invoice terms, or a card that has not expired)."""
    with transaction.atomic():
        integration = (
            Integration.objects.select_for_update(of=("self",))
            .select_related("business")
            .get(pk=integration_id)
        )
        require_administrator(by, integration.business)
        check_transition(
            INTEGRATION_TRANSITIONS,
            obj=integration,
            current=integration.status,
            target=IntegrationStatus.ACTIVE,
            refusal=_INTEGRATION_REFUSAL,
        )
        default = PaymentMethod.objects.filter(business_id=integration.business_id, is_default=True).first()
        if default is None or not payment_method_valid(default):
            raise ValidationError(
                _(
                    "Add a valid default payment method first (invoice terms, or a card that has not "
                    "expired): Active orders are charged to it."
                ),
                code="no_valid_payment_method",
            )
        integration.activated_at = timezone.now()
        set_status(
            integration,
            IntegrationStatus.ACTIVE,
            table=INTEGRATION_TRANSITIONS,
            also=["activated_at"],
            refusal=_INTEGRATION_REFUSAL,
        )
    return integration


def change_setting(
    *, integration_id: int, operator: User, field: str, value: Any, reason: str
) -> SettingsChange:
    """An operator changes one integration setting; the change is recorded with who and why."""
    require_operator(operator)
    if field not in SETTING_FIELDS:
        raise ValidationError(_("%(field)s is not a setting.") % {"field": field})
    if not reason.strip():
        raise ValidationError(_("Say why the setting changes (e.g. the administrator's request)."))
    with transaction.atomic():
        integration = Integration.objects.select_for_update().get(pk=integration_id)
        model_field = setting_field(field)
        new = model_field.to_python(value if value != "" else None)
        if isinstance(new, int | Decimal) and not isinstance(new, bool) and new < 0:
            raise ValidationError(
                _("%(setting)s cannot be negative: enter 0 or more, or leave it empty for no limit.")
                % {"setting": str(model_field.verbose_name).capitalize()}
            )
        old = getattr(integration, field)
        setattr(integration, field, new)
        integration.full_clean(exclude=["business"])
        integration.save(update_fields=[field])
        return SettingsChange.objects.create(
            integration=integration,
            field=field,
            old_value="" if old is None else str(old),
            new_value="" if new is None else str(new),
            changed_by=operator,
            reason=reason.strip(),
        )


# -- payment and shipping --------------------------------------------------------------------------
def card_expiry_end(expiry: str) -> date | None:
    """The last day a card with this ``MM/YY`` expiry can pay, or None when it is not a real month."""
    match = re.fullmatch(r"(0[1-9]|1[0-2])/([0-9]{2})", expiry.strip())
    if match is None:
        return None
    month, year = int(match[1]), 2000 + int(match[2])
    return date(year, month, calendar.monthrange(year, month)[1])


def payment_method_valid(method: PaymentMethod, today: date | None = None) -> bool:
    """Whether the method can pay today: invoice terms always, a card until the end of its expiry month."""
    if method.kind != PaymentKind.CARD:
        return True
    end = card_expiry_end(method.card_expiry)
    return end is not None and end >= (today or timezone.localdate())


def _require_valid_card(expiry: str) -> None:
    end = card_expiry_end(expiry)
    if end is None:
        raise ValidationError(
            _("Give the card's expiry as MM/YY, e.g. 09/28 (month 01 to 12)."), code="card_expiry_format"
        )
    if end < timezone.localdate():
        raise ValidationError(
            _("This card expired at the end of %(expiry)s: add a card that is still valid.")
            % {"expiry": expiry.strip()},
            code="card_expired",
        )


def add_payment_method(
    *,
    business: Business,
    by: User,
    kind: str,
    card_brand: str = "",
    card_last4: str = "",
    card_expiry: str = "",
    invoice_terms: str = "",
) -> PaymentMethod:
    """Add a payment method; the first becomes the default and gives the administrator the PunchOut role."""
    membership = require_administrator(by, business)
    if kind == PaymentKind.CARD:
        if not (card_brand and len(card_last4) == 4 and card_last4.isdigit() and len(card_expiry) == 5):
            raise ValidationError(_("Give the card brand, its last four digits and its expiry (MM/YY)."))
        _require_valid_card(card_expiry)
        invoice_terms = ""
    elif kind == PaymentKind.INVOICE:
        if not invoice_terms.strip():
            raise ValidationError(_("Give the invoice terms (e.g. 30 days end of month)."))
        card_brand = card_last4 = card_expiry = ""
    else:
        raise ValidationError(_("Unknown payment method."))
    with transaction.atomic():
        Business.objects.select_for_update().get(pk=business.pk)
        first = not PaymentMethod.objects.filter(business=business).exists()
        method = PaymentMethod.objects.create(
            business=business,
            kind=kind,
            card_brand=card_brand,
            card_last4=card_last4,
            card_expiry=card_expiry,
            invoice_terms=invoice_terms.strip(),
            is_default=first,
        )
        if first:
            Membership.objects.filter(pk=membership.pk).update(is_punchout_user=True)
    return method


def set_default_payment_method(*, business: Business, by: User, method_id: int) -> PaymentMethod:
    """Make one of the business's payment methods its default."""
    require_administrator(by, business)
    with transaction.atomic():
        method = PaymentMethod.objects.select_for_update().get(pk=method_id, business=business)
        if method.kind == PaymentKind.CARD:
            _require_valid_card(method.card_expiry)
        PaymentMethod.objects.filter(business=business).update(is_default=False)
        method.is_default = True
        method.save(update_fields=["is_default"])
    return method


def add_shipping_address(
    *,
    business: Business,
    by: User,
    name: str,
    street: str,
    postal_code: str,
    city: str,
    country: str,
    preferred_delivery_day: int | None = None,
) -> ShippingAddress:
    """Add a shipping address to the business."""
    require_administrator(by, business)
    with transaction.atomic():
        return ShippingAddress.objects.create(
            business=business,
            name=name,
            street=street,
            postal_code=postal_code,
            city=city,
            country=country.upper(),
            preferred_delivery_day=preferred_delivery_day,
        )


def set_delivery_day(
    *, business: Business, by: User, address_id: int, preferred_delivery_day: int | None
) -> ShippingAddress:
    """The administrator sets (or clears) an address's consolidated delivery day: recurring orders
    received afterwards are held for it, and those already held move to it (``hooks.delivery_day_changed``).
    Recorded as an administrative change."""
    require_administrator(by, business)
    with transaction.atomic():
        address = ShippingAddress.objects.select_for_update().filter(pk=address_id, business=business).first()
        if address is None:
            raise ValidationError(_("This address is not one of your business's."))
        before = address.preferred_delivery_day
        if before != preferred_delivery_day:
            address.preferred_delivery_day = preferred_delivery_day
            address.save(update_fields=["preferred_delivery_day"])
            record_event(
                AdminEvent,
                address,
                AdminEventKind.CHANGED,
                actor=by,
                detail={"fields": ["preferred_delivery_day"], "old": before, "new": preferred_delivery_day},
            )
            delivery_day_changed(address=address, before=before, by=by)
    return address


def set_roles(
    *, business: Business, by: User, membership_id: int, punchout_user: bool, technical_administrator: bool
) -> Membership:
    """The administrator changes a person's roles (a technical administrator cannot buy).
    Recorded as an administrative change when a role changes."""
    require_administrator(by, business)
    fields = ["is_technical_administrator", "is_punchout_user"]
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update().filter(pk=membership_id, business=business).first()
        )
        if membership is None:
            raise ValidationError(_("This person is not a member of your business."))
        before = {name: getattr(membership, name) for name in fields}
        membership.is_technical_administrator = technical_administrator
        membership.is_punchout_user = punchout_user and not technical_administrator
        after = {name: getattr(membership, name) for name in fields}
        if after != before:
            membership.save(update_fields=fields)
            record_event(
                AdminEvent,
                membership,
                AdminEventKind.CHANGED,
                actor=by,
                detail={"fields": fields, "old": before, "new": after},
            )
    return membership


def default_payment_method(business: Business) -> PaymentMethod | None:
    return PaymentMethod.objects.filter(business=business, is_default=True).first()
