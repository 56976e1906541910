"""A production buyer suite's first data, written by the ``bootstrap_organisation`` and
``add_supplier_connection`` commands through the same forms and services as the web pages.

Each function is idempotent: given what already exists, it changes only what differs and says what
it did (``created``, ``updated`` or ``unchanged``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from openprocure.buyer.organization.choices import Role
from openprocure.buyer.organization.models import Company, UserProfile
from openprocure.buyer.organization.services import roles_of, set_profile
from openprocure.buyer.suppliers.forms import ConnectionForm, SupplierForm
from openprocure.buyer.suppliers.models import PunchOutConnection, Supplier
from openprocure.buyer.suppliers.services import save_connection, shared_secret
from openprocure.core.bootstrap import Outcome, update_user
from openprocure.core.models import User

# What the first administrator may do: every setting of the suite, and the Django admin.
ADMINISTRATOR_ROLES = [Role.REQUESTER, Role.PROCUREMENT_ADMIN, Role.TECH_ADMIN]


def bootstrap_organisation(
    *, name: str, currency: str, email: str, first_name: str, last_name: str, password: str
) -> list[Outcome]:
    """The organisation (the suite has one) and its first administrator, staff and superuser."""
    name, currency, email = name.strip(), currency.strip().upper(), email.strip().lower()
    if not name:
        raise ValidationError(_("Give the organisation's name."))
    if len(currency) != 3 or not currency.isalpha():
        raise ValidationError(
            _("%(currency)s is not an ISO 4217 currency code such as EUR.") % {"currency": currency}
        )
    outcomes = []
    with transaction.atomic():
        other = Company.objects.exclude(name=name).first()
        if other is not None:
            raise ValidationError(
                _("This suite already belongs to %(name)s: it has one organisation.") % {"name": other.name}
            )
        company, created = Company.objects.get_or_create(name=name, defaults={"default_currency": currency})
        action = "created" if created else "unchanged"
        if company.default_currency != currency:
            company.default_currency = currency
            company.save(update_fields=["default_currency"])
            action = "updated"
        outcomes.append(Outcome(f"organisation {company.name}", action))

        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            if not password:
                raise ValidationError(_("Give the administrator's password: the account is new."))
            user = User.objects.create_user(
                email,
                password=password,
                first_name=first_name,
                last_name=last_name,
                is_staff=True,
                is_superuser=True,
            )
            action = "created"
        else:
            changed = update_user(
                user,
                password=password,
                first_name=first_name,
                last_name=last_name,
                is_staff=True,
                is_superuser=True,
                is_active=True,
            )
            action = "updated" if changed else "unchanged"
        profile = UserProfile.objects.filter(user=user).first()
        if (
            profile is None
            or profile.company_id != company.pk
            or not set(ADMINISTRATOR_ROLES) <= roles_of(user)
        ):
            roles = sorted(set(ADMINISTRATOR_ROLES) | (set(profile.role_codes()) if profile else set()))
            set_profile(user=user, company=company, roles=roles)
            action = "created" if action == "created" else "updated"
        outcomes.append(Outcome(f"administrator {user.email}", action))
    return outcomes


def add_supplier_connection(
    *, supplier: dict[str, Any], connection: dict[str, Any], secret: str
) -> list[Outcome]:
    """A supplier (by name) and its PunchOut connection (by name), through the web pages' forms."""
    outcomes = []
    with transaction.atomic():
        existing = Supplier.objects.filter(name=supplier["name"]).first()
        supplier_form = SupplierForm(
            data={**_form_data(SupplierForm, existing or Supplier()), **supplier}, instance=existing
        )
        if not supplier_form.is_valid():
            raise ValidationError(_errors(supplier_form))
        action = (
            "created" if existing is None else ("updated" if supplier_form.has_changed() else "unchanged")
        )
        saved_supplier = supplier_form.save() if action != "unchanged" else existing
        assert saved_supplier is not None
        outcomes.append(Outcome(f"supplier {saved_supplier.name}", action))

        instance = PunchOutConnection.objects.filter(supplier=saved_supplier, name=connection["name"]).first()
        target = instance or PunchOutConnection(supplier=saved_supplier)
        form = ConnectionForm(
            data={**_form_data(ConnectionForm, target), **connection, "new_shared_secret": secret},
            instance=target,
        )
        if not form.is_valid():
            raise ValidationError(_errors(form))
        same_secret = instance is not None and bool(secret) and _stored_secret(instance) == secret
        changed = instance is not None and _fields(form.instance) != _fields(
            PunchOutConnection.objects.get(pk=instance.pk)
        )
        if instance is not None and not changed and (not secret or same_secret):
            outcomes.append(Outcome(f"connection {instance.name} of {saved_supplier.name}", "unchanged"))
            return outcomes
        saved = save_connection(
            connection=form.save(commit=False),
            new_secret="" if same_secret else secret,
            free_text_chosen="accepts_free_text" in form.changed_data,
        )
        outcomes.append(
            Outcome(
                f"connection {saved.name} of {saved_supplier.name}",
                "created" if instance is None else "updated",
            )
        )
    return outcomes


def _fields(instance: Any) -> dict[str, Any]:
    """Every stored field of a model instance (to tell whether a form changed anything)."""
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def _stored_secret(connection: PunchOutConnection) -> str:
    try:
        return shared_secret(connection)
    except Exception:  # unreadable (the key changed): the new one replaces it
        return ""


def _form_data(form_class: Any, instance: Any) -> dict[str, Any]:
    """The data a form would post for ``instance`` unchanged (its initial values)."""
    form = form_class(instance=instance)
    return {name: form[name].value() for name in form.fields if form[name].value() is not None}


def _errors(form: Any) -> str:
    """A form's errors on one line, each after its field's label."""
    return " ".join(
        f"{form.fields[field].label}: {message}" if field in form.fields else str(message)
        for field, messages in form.errors.items()
        for message in messages
    )
