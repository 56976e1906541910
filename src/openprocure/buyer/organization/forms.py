"""Forms of the organisation's reference data that procurement administrators edit in the suite."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from openprocure.buyer.organization.choices import AddressKind, Role
from openprocure.buyer.organization.models import (
    Address,
    Company,
    CostCenter,
    Department,
    GLAccount,
    LegalEntity,
    PreferredSupplier,
    RestrictedCategory,
    RoleAssignment,
    UserProfile,
)
from openprocure.core.fields import AMOUNT_DECIMALS, MAX_DIGITS
from openprocure.core.forms import AmountField
from openprocure.core.models import User
from openprocure.core.reference import (
    normalize_code,
    validate_country,
    validate_currency,
    validate_minor_units,
)


class _CompanyForm(forms.ModelForm):
    """A row of the editor's company: the company is never posted."""

    def __init__(self, *args: Any, company: Company, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.company = company
        self.instance.company = company

    def _taken(self, **lookups: Any) -> bool:
        """Whether another row of the company (not the one being edited) matches ``lookups``."""
        others = type(self.instance).objects.filter(company=self.company, **lookups)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        return others.exists()


def _duplicate(message: Any, **params: str) -> forms.ValidationError:
    """The error of a value another row of the company already has (``message`` names it)."""
    return forms.ValidationError(message, code="duplicate", params=params)


class _CompanyCodeForm(_CompanyForm):
    """A row with a code unique within the company."""

    duplicate_message: Any = ""

    def clean_code(self) -> str:
        code = " ".join(str(self.cleaned_data["code"]).split())
        if self._taken(code__iexact=code):
            raise _duplicate(self.duplicate_message, code=code)
        return code


class CostCenterForm(_CompanyCodeForm):
    duplicate_message = _("Another cost center already has the code %(code)s.")

    class Meta:
        model = CostCenter
        fields = ["code", "name", "owner", "department", "is_active"]
        help_texts = {
            "owner": _(
                "Accountable for the budget; approves when a policy step asks for the cost-center owner."
            ),
            "is_active": _(
                "Inactive cost centers are no longer offered on requisition lines; past spend keeps them."
            ),
        }

    def __init__(self, *args: Any, company: Company, **kwargs: Any) -> None:
        super().__init__(*args, company=company, **kwargs)
        users = (
            get_user_model().objects.filter(buyer_profile__company=company, is_active=True).order_by("email")
        )
        self.fields["owner"].queryset = users  # type: ignore[attr-defined]  # a ModelChoiceField, typed as plain Field in the stubs
        self.fields["owner"].label_from_instance = lambda user: user.email  # type: ignore[attr-defined]  # a ModelChoiceField, typed as plain Field in the stubs
        self.fields["department"].queryset = Department.objects.filter(company=company)  # type: ignore[attr-defined]  # a ModelChoiceField, typed as plain Field in the stubs


class GLAccountForm(_CompanyCodeForm):
    duplicate_message = _("Another GL account already has the code %(code)s.")

    class Meta:
        model = GLAccount
        fields = ["code", "name", "is_active"]
        help_texts = {
            "is_active": _(
                "Inactive accounts are no longer offered on requisition lines; past spend keeps them."
            ),
        }


class DepartmentForm(_CompanyCodeForm):
    duplicate_message = _("Another department already has the code %(code)s.")

    class Meta:
        model = Department
        fields = ["code", "name", "parent"]

    def __init__(self, *args: Any, company: Company, **kwargs: Any) -> None:
        super().__init__(*args, company=company, **kwargs)
        parents = Department.objects.filter(company=company)
        if self.instance.pk:
            parents = parents.exclude(pk__in=_department_subtree(self.instance))
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]  # a ModelChoiceField, typed as plain Field in the stubs


def _department_subtree(department: Department) -> set[int]:
    """The department and every department under it (a parent chosen among them would make a loop)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Department.objects.filter(company_id=department.company_id).values_list(
        "pk", "parent_id"
    ):
        children.setdefault(parent, []).append(pk)
    found, todo = set(), [department.pk]
    while todo:
        pk = todo.pop()
        if pk not in found:
            found.add(pk)
            todo.extend(children.get(pk, []))
    return found


class AddressForm(_CompanyForm):
    # Longer than the column, so that "FRA" gets the message below rather than a length error.
    country = forms.CharField(label=_("Country (ISO code)"), max_length=16)

    class Meta:
        model = Address
        fields = [
            "kind",
            "code",
            "name",
            "deliver_to",
            "street",
            "postal_code",
            "city",
            "state",
            "country",
            "legal_entity",
            "is_default",
        ]
        help_texts = {
            "is_default": _("Offered first on new requisitions; one default per kind."),
        }

    def __init__(self, *args: Any, company: Company, **kwargs: Any) -> None:
        super().__init__(*args, company=company, **kwargs)
        self.fields["legal_entity"].queryset = LegalEntity.objects.filter(company=company)  # type: ignore[attr-defined]  # a ModelChoiceField, typed as plain Field in the stubs

    def clean_country(self) -> str:
        country = normalize_code(self.cleaned_data["country"])
        validate_country(country)
        return country

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code = " ".join(str(data.get("code") or "").split())
        if code:
            data["code"] = code
            if self._taken(kind=data.get("kind"), code__iexact=code):
                self.add_error(
                    "code",
                    _duplicate(_("Another address of this kind already has the code %(code)s."), code=code),
                )
        return data

    def save(self, commit: bool = True) -> Address:
        with transaction.atomic():
            address = super().save(commit=commit)
            if commit and address.is_default:
                Address.objects.filter(company=self.company, kind=address.kind, is_default=True).exclude(
                    pk=address.pk
                ).update(is_default=False)
        return address


class LegalEntityForm(_CompanyForm):
    class Meta:
        model = LegalEntity
        fields = ["name", "registration_number", "vat_number", "currency"]

    # Longer than the column, so that "euro" gets the message below rather than a length error.
    currency = forms.CharField(label=_("Currency"), max_length=16)

    def clean_name(self) -> str:
        name = " ".join(str(self.cleaned_data["name"]).split())
        if self._taken(name__iexact=name):
            raise _duplicate(_("Another legal entity is already called %(name)s."), name=name)
        return name

    def clean_currency(self) -> str:
        return _currency(str(self.cleaned_data["currency"]))


def _currency(value: str) -> str:
    code = normalize_code(value)
    validate_currency(code)
    return code


def _limit_field(label: Any, help_text: Any, currency_field: str) -> AmountField:
    """An optional spending-limit amount (empty: no limit of its own), in the form's ``currency_field``:
    16 digits before the point, after it at most the stored four, and no more than the currency's
    minor units (:func:`_check_limit_places`)."""
    return AmountField(
        currency_field=currency_field,
        label=label,
        max_digits=MAX_DIGITS + AMOUNT_DECIMALS - 2,
        decimal_places=AMOUNT_DECIMALS,
        min_value=Decimal("0"),
        required=False,
        help_text=help_text,
    )


def _check_limit_places(form: forms.Form, amount_field: str, currency_field: str) -> None:
    """Refuse a limit in ``amount_field`` with more decimals than the minor units of the currency
    cleaned in ``currency_field`` (JPY 0, EUR 2, KWD 3); trailing zeros do not count."""
    amount, currency = form.cleaned_data.get(amount_field), form.cleaned_data.get(currency_field)
    if amount is None or not currency:
        return
    try:
        validate_minor_units(amount, currency)
    except forms.ValidationError as error:
        form.add_error(amount_field, error)


class PersonForm(forms.Form):
    """A person of the company: who they are, their roles, manager, defaults and own spending limit."""

    email = forms.EmailField(label=_("E-mail address"))
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    # Each queryset is the editor's company's, set in __init__.
    manager = forms.ModelChoiceField(label=_("Manager"), queryset=User.objects.none(), required=False)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False
    )
    default_cost_center = forms.ModelChoiceField(
        label=_("Default cost center"), queryset=CostCenter.objects.none(), required=False
    )
    default_ship_to = forms.ModelChoiceField(
        label=_("Default ship-to address"), queryset=Address.objects.none(), required=False
    )
    business_unit = forms.CharField(label=_("Business unit"), max_length=100, required=False)
    employee_id = forms.CharField(label=_("Employee ID"), max_length=64, required=False)
    limit_amount = _limit_field(
        _("Own spending limit"),
        _(
            "Requisitions above it need an approval even when no policy rule asks for one. "
            "Leave empty to use the highest limit of the person's roles."
        ),
        "limit_currency",
    )
    limit_currency = forms.CharField(label=_("Currency of the limit"), max_length=16, required=False)
    is_active = forms.BooleanField(
        label=_("May sign in"),
        required=False,
        initial=True,
        help_text=_("Someone who left keeps their history but can no longer sign in or approve."),
    )

    def __init__(
        self, *args: Any, company: Company, editor: Any, person: Any | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.company, self.editor, self.person = company, editor, person
        people = (
            get_user_model().objects.filter(buyer_profile__company=company, is_active=True).order_by("email")
        )
        if person is not None:
            people = people.exclude(pk=person.pk)
        self.fields["manager"].queryset = people  # type: ignore[attr-defined]  # a ModelChoiceField, typed as plain Field in the stubs
        self.fields["manager"].label_from_instance = lambda user: user.email  # type: ignore[attr-defined]  # a ModelChoiceField, typed as plain Field in the stubs
        self.fields["department"].queryset = Department.objects.filter(company=company)  # type: ignore[attr-defined]  # a ModelChoiceField, typed as plain Field in the stubs
        self.fields["default_cost_center"].queryset = CostCenter.objects.filter(  # type: ignore[attr-defined]  # a ModelChoiceField, typed as plain Field in the stubs
            company=company, is_active=True
        )
        self.fields["default_ship_to"].queryset = Address.objects.filter(  # type: ignore[attr-defined]  # a ModelChoiceField, typed as plain Field in the stubs
            company=company, kind=AddressKind.SHIP_TO
        )
        self.fields["limit_currency"].initial = company.default_currency
        self.fields["email"].help_text = _(
            "They sign in with it, and it is the e-mail sent to suppliers when they punch out."
        )

    def clean_email(self) -> str:
        email = str(self.cleaned_data["email"]).strip().lower()
        others = User.objects.filter(email__iexact=email)
        if self.person is not None:
            others = others.exclude(pk=self.person.pk)
        if others.exists():
            raise forms.ValidationError(
                _("Someone already signs in with %(email)s."), params={"email": email}
            )
        return email

    def clean_limit_currency(self) -> str:
        value = str(self.cleaned_data.get("limit_currency") or "")
        return _currency(value) if value.strip() else self.company.default_currency

    def clean_manager(self) -> Any:
        manager = self.cleaned_data.get("manager")
        if manager is None or self.person is None:
            return manager
        # Walk up from the chosen manager: meeting the person means they would manage themselves.
        seen: set[int] = set()
        current: int | None = manager.pk
        chain = dict(UserProfile.objects.filter(company=self.company).values_list("user_id", "manager_id"))
        while current is not None and current not in seen:
            if current == self.person.pk:
                raise forms.ValidationError(
                    _("%(manager)s reports to %(person)s, directly or not: that would make a loop."),
                    params={"manager": manager.email, "person": self.person.email},
                )
            seen.add(current)
            current = chain.get(current)
        return manager

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_limit_places(self, "limit_amount", "limit_currency")
        if self.person is None:
            return data
        if self.person.pk == self.editor.pk and not data.get("is_active", True):
            self.add_error("is_active", _("You cannot stop yourself from signing in."))
        keeps_admin = Role.PROCUREMENT_ADMIN in (data.get("roles") or []) and data.get("is_active")
        if not keeps_admin:
            others = RoleAssignment.objects.filter(
                profile__company=self.company, role=Role.PROCUREMENT_ADMIN, profile__user__is_active=True
            ).exclude(profile__user=self.person)
            held = RoleAssignment.objects.filter(profile__user=self.person, role=Role.PROCUREMENT_ADMIN)
            if held.exists() and not others.exists():
                raise forms.ValidationError(
                    _(
                        "%(person)s is the company's last procurement administrator: "
                        "make someone else one first."
                    ),
                    params={"person": self.person.email},
                )
        return data


class RoleLimitForm(forms.Form):
    """The spending limit everyone holding a role has, unless they have their own."""

    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    amount = _limit_field(_("Spending limit"), _("Leave empty to remove the role's limit."), "currency")
    currency = forms.CharField(label=_("Currency"), max_length=16, required=False)

    def __init__(self, *args: Any, company: Company, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.company = company
        self.fields["currency"].initial = company.default_currency

    def clean_currency(self) -> str:
        value = str(self.cleaned_data.get("currency") or "")
        return _currency(value) if value.strip() else self.company.default_currency

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_limit_places(self, "amount", "currency")
        return data


def _unspsc_prefix(value: Any, *, optional: bool = False) -> str:
    prefix = str(value or "").strip()
    if optional and not prefix:
        return ""
    if not (prefix.isdigit() and 2 <= len(prefix) <= 8):
        raise forms.ValidationError(_("Enter 2 to 8 digits of a UNSPSC code, such as 43 or 4321."))
    return prefix


class PreferredSupplierForm(_CompanyForm):
    """The company prefers a supplier: overall, or for one UNSPSC category (a prefix of its code)."""

    rank = forms.IntegerField(
        label=_("Rank"),
        min_value=1,
        max_value=99,
        initial=1,
        help_text=_("1 comes first on the Shop page, then 2…"),
    )

    class Meta:
        model = PreferredSupplier
        fields = ["unspsc_prefix", "rank"]
        help_texts = {
            "unspsc_prefix": _(
                "Empty: preferred for everything. Otherwise 2 to 8 digits, such as 44 for office supplies."
            ),
        }

    def __init__(self, *args: Any, company: Company, supplier: Any, **kwargs: Any) -> None:
        super().__init__(*args, company=company, **kwargs)
        self.instance.supplier = supplier

    def clean_unspsc_prefix(self) -> str:
        prefix = _unspsc_prefix(self.cleaned_data.get("unspsc_prefix"), optional=True)
        taken = PreferredSupplier.objects.filter(
            company=self.company, supplier=self.instance.supplier, unspsc_prefix=prefix
        )
        if taken.exists():
            raise forms.ValidationError(
                _("This supplier is already preferred for everything.")
                if not prefix
                else _("This supplier is already preferred for UNSPSC %(prefix)s."),
                params={"prefix": prefix},
            )
        return prefix


class RestrictedCategoryForm(_CompanyForm):
    """A UNSPSC category (a prefix of its code) only people holding a role may requisition."""

    class Meta:
        model = RestrictedCategory
        fields = ["unspsc_prefix", "role", "note"]
        help_texts = {
            "unspsc_prefix": _(
                "2 to 8 digits: 43 restricts every IT product, 4321 only computers. Lines whose "
                "UNSPSC code starts with it are refused at submit for anyone without the role."
            ),
        }

    def clean_unspsc_prefix(self) -> str:
        return _unspsc_prefix(self.cleaned_data["unspsc_prefix"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        prefix, role = data.get("unspsc_prefix"), data.get("role")
        if prefix and role:
            if self._taken(unspsc_prefix=prefix, role=role):
                self.add_error(
                    "unspsc_prefix",
                    _duplicate(_("UNSPSC %(prefix)s is already restricted to this role."), prefix=prefix),
                )
        return data
