"""Forms of business accounts: registration, invitations, PunchOut, payment, addresses, settings."""

from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _
from stdnum.eu import vat
from stdnum.fr import siren, siret

from openprocure.core.choices import Weekday
from openprocure.core.reference import CountryField
from openprocure.supplier.business.choices import CartEncoding, PaymentKind, Role
from openprocure.supplier.business.models import SETTING_FIELDS, setting_field


def clean_tax_number(value: str) -> str:
    """A French SIREN (9 digits) or SIRET (14 digits, the establishment invoiced), or an EU VAT
    number, validated and compacted."""
    compact = value.replace(" ", "").replace(".", "").upper()
    if compact.isdigit() and siren.is_valid(compact):
        return siren.compact(compact)
    if compact.isdigit() and siret.is_valid(compact):
        return siret.compact(compact)
    if vat.is_valid(compact):
        return vat.compact(compact)
    raise forms.ValidationError(
        _(
            "%(value)s is neither a valid SIREN (9 digits), a valid SIRET (14 digits) nor a valid EU VAT "
            "number (e.g. FR40303265045)."
        )
        % {"value": value}
    )


class AddressForm(forms.Form):
    """A postal address: who it is for, street, postal code, city and country (a form that derives
    from it keeps these fields first, in this order, and may relabel ``name``)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    street = forms.CharField(label=_("Street"), max_length=200)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20)
    city = forms.CharField(label=_("City"), max_length=100)
    country = CountryField(label=_("Country (two letters)"), initial="FR")


class RegistrationForm(AddressForm):
    name = forms.CharField(label=_("Company name"), max_length=200)
    tax_number = forms.CharField(label=_("VAT, SIREN or SIRET number"), max_length=32)
    first_name = forms.CharField(label=_("Your first name"), max_length=150)
    last_name = forms.CharField(label=_("Your last name"), max_length=150)
    email = forms.EmailField(label=_("Your work e-mail"))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)

    def clean_tax_number(self) -> str:
        return clean_tax_number(self.cleaned_data["tax_number"])

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        validate_password(password)
        return password


class RefusalForm(forms.Form):
    reason = forms.CharField(label=_("Reason (sent to the administrator)"), widget=forms.Textarea)


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), error_messages={"invalid": _("Give a valid e-mail address.")})
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.PUNCHOUT_USER)


class AcceptInvitationForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        validate_password(password)
        return password


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


class AddPunchOutForm(forms.Form):
    buyer_identity = forms.CharField(label=_("Your procurement system's identity (From)"), max_length=200)
    buyer_domain = forms.CharField(label=_("Its credential domain"), max_length=100, initial="NetworkId")
    allowed_return_urls = forms.CharField(
        label=_("Allowed return URLs (BrowserFormPost / HOOK_URL), one prefix per line"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    cart_encoding = forms.ChoiceField(label=_("Cart encoding"), choices=CartEncoding.choices)
    confirm = forms.BooleanField(label=_("I understand that adding PunchOut cannot be undone."))

    def clean_allowed_return_urls(self) -> list[str]:
        return _lines(self.cleaned_data["allowed_return_urls"])


class ReturnUrlsForm(forms.Form):
    allowed_return_urls = forms.CharField(
        label=_("Allowed return URLs, one prefix per line"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_allowed_return_urls(self) -> list[str]:
        return _lines(self.cleaned_data["allowed_return_urls"])


class CredentialKindForm(forms.Form):
    """Which credential a form of the credentials page replaces (the page has one form per kind)."""

    which = forms.ChoiceField(
        choices=[("shared_secret", _("cXML shared secret")), ("oci_password", _("OCI password"))],
        widget=forms.HiddenInput,
    )

    def kind(self) -> str | None:
        return str(self.cleaned_data["which"]) if self.is_valid() else None


class ReplaceCredentialForm(CredentialKindForm):
    reason = forms.CharField(label=_("Why (kept in the changes)"), max_length=500, required=False)
    confirm = forms.BooleanField(
        label=_(
            "I understand that the current one stops working at once: our procurement system must get the new one."
        )
    )


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label=_("I understand that this switch cannot be undone."))


class PaymentMethodForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PaymentKind.choices)
    card_brand = forms.CharField(label=_("Card brand"), max_length=32, required=False)
    card_last4 = forms.CharField(label=_("Last four digits"), max_length=4, required=False)
    card_expiry = forms.CharField(label=_("Expiry (MM/YY)"), max_length=5, required=False)
    invoice_terms = forms.CharField(label=_("Invoice terms"), max_length=100, required=False)


def _delivery_day_field() -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=_("Preferred delivery day"),
        choices=[("", _("Any day")), *Weekday.choices],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Recurring orders to this address are held and delivered together on that day."),
    )


class ShippingAddressForm(AddressForm):
    preferred_delivery_day = _delivery_day_field()


class DeliveryDayForm(forms.Form):
    """The consolidated delivery day of one of the business's addresses (empty: any day)."""

    address_id = forms.IntegerField(widget=forms.HiddenInput)
    preferred_delivery_day = _delivery_day_field()


class RolesForm(forms.Form):
    membership_id = forms.IntegerField(widget=forms.HiddenInput)
    punchout_user = forms.BooleanField(label=_("PunchOut user"), required=False)
    technical_administrator = forms.BooleanField(label=_("Technical administrator"), required=False)


class SettingChangeForm(forms.Form):
    field = forms.ChoiceField(
        label=_("Setting"),
        choices=[(name, setting_field(name).verbose_name) for name in SETTING_FIELDS],
    )
    value = forms.CharField(label=_("New value (empty for no limit)"), required=False, max_length=200)
    reason = forms.CharField(label=_("Why (who asked, ticket…)"), widget=forms.Textarea(attrs={"rows": 2}))
