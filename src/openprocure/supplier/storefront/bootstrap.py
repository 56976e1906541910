"""A production storefront's first data, written by the ``create_operator`` and ``create_business``
commands through the same services as the web pages (registration, review, Add PunchOut).

Each function is idempotent: given what already exists, it changes only what differs and says what
it did (``created``, ``updated`` or ``unchanged``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from openprocure.core.bootstrap import Outcome, update_user
from openprocure.core.models import User
from openprocure.supplier.business import services
from openprocure.supplier.business.choices import StaffRole, VerificationStatus
from openprocure.supplier.business.credentials import check_secret
from openprocure.supplier.business.models import Business, Integration, Membership, StaffProfile


def create_operator(*, email: str, first_name: str, last_name: str, role: str, password: str) -> Outcome:
    """A member of our staff: an operator (reviews, settings, the status page) or a support representative."""
    email = email.strip().lower()
    if role not in StaffRole.values:
        raise ValidationError(_("%(role)s is not a staff role: choose operator or support.") % {"role": role})
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first()
        if user is not None and Membership.objects.filter(user=user).exists():
            raise ValidationError(
                _("%(email)s belongs to a business account: staff use an address of their own.")
                % {"email": email}
            )
        if user is None:
            if not password:
                raise ValidationError(_("Give the password: the account is new."))
            user = User.objects.create_user(
                email, password=password, first_name=first_name, last_name=last_name, is_staff=True
            )
            StaffProfile.objects.create(user=user, role=role)
            return Outcome(f"{role} {user.email}", "created")
        changed = update_user(
            user, password=password, first_name=first_name, last_name=last_name, is_staff=True, is_active=True
        )
        profile, created = StaffProfile.objects.get_or_create(user=user, defaults={"role": role})
        if not created and profile.role != role:
            profile.role = role
            profile.save(update_fields=["role"])
            changed = True
        return Outcome(f"{role} {user.email}", "updated" if changed or created else "unchanged")


def create_business(
    *,
    operator_email: str,
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
    buyer_identity: str,
    buyer_domain: str,
    allowed_return_urls: list[str],
    shared_secret: str,
) -> list[Outcome]:
    """A business with its administrator, verified by ``operator_email``, with PunchOut added (in Test)."""
    operator = User.objects.filter(email__iexact=operator_email.strip()).first()
    if operator is None or services.staff_role(operator) != StaffRole.OPERATOR:
        raise ValidationError(
            _("%(email)s is not an operator: create one first (create_operator).") % {"email": operator_email}
        )
    email = email.strip().lower()
    outcomes = []
    membership = Membership.objects.filter(user__email__iexact=email).select_related("business").first()
    if membership is None:
        if not password:
            raise ValidationError(_("Give the administrator's password: the account is new."))
        if Business.objects.filter(name=name.strip()).exists():
            raise ValidationError(
                _("A business named %(name)s already exists with another administrator.") % {"name": name}
            )
        business = services.register_business(
            name=name,
            street=street,
            postal_code=postal_code,
            city=city,
            country=country,
            tax_number=tax_number,
            email=email,
            first_name=first_name,
            last_name=last_name,
            password=password,
        )
        outcomes.append(Outcome(f"business {business.name}", "created"))
    else:
        business = membership.business
        if business.name != name.strip() or not membership.is_administrator:
            raise ValidationError(
                _("%(email)s already administers another business (%(name)s).")
                % {"email": email, "name": business.name}
            )
        outcomes.append(Outcome(f"business {business.name}", "unchanged"))
    if business.status == VerificationStatus.PENDING:
        business = services.approve_business(business_id=business.pk, operator=operator)
        outcomes.append(Outcome(f"business {business.name}", "verified"))
    elif business.status != VerificationStatus.VERIFIED:
        raise ValidationError(
            _("%(name)s was refused by an operator: it cannot have PunchOut.") % {"name": business.name}
        )
    admin = User.objects.get(email__iexact=email)
    integration = Integration.objects.filter(business=business).first()
    if integration is None:
        created = services.add_punchout(
            business=business,
            by=admin,
            buyer_identity=buyer_identity,
            buyer_domain=buyer_domain,
            allowed_return_urls=allowed_return_urls,
            shared_secret=shared_secret,
        )
        outcomes.append(
            Outcome(f"PunchOut of {business.name} ({created.integration.get_status_display()})", "created")
        )
        return outcomes
    if (integration.buyer_identity, integration.buyer_domain_key) != (
        buyer_identity.strip(),
        buyer_domain.strip().casefold(),
    ):
        raise ValidationError(
            _(
                "%(name)s already has PunchOut as %(domain)s:%(identity)s; adding PunchOut cannot be undone or "
                "changed here."
            )
            % {
                "name": business.name,
                "domain": integration.buyer_domain,
                "identity": integration.buyer_identity,
            }
        )
    if not check_secret(shared_secret, integration.shared_secret_hash):
        raise ValidationError(
            _(
                "%(name)s already has PunchOut with another shared secret. Its administrator replaces it on the "
                "Manage your business page."
            )
            % {"name": business.name}
        )
    urls = services.clean_url_prefixes(allowed_return_urls)
    if urls and urls != integration.allowed_return_urls:
        services.update_return_urls(integration=integration, by=admin, allowed_return_urls=urls)
        outcomes.append(Outcome(f"PunchOut of {business.name}", "updated"))
    else:
        outcomes.append(Outcome(f"PunchOut of {business.name}", "unchanged"))
    return outcomes
