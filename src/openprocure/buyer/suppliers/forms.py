"""Forms of the supplier directory and PunchOut connections."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from openprocure.buyer.suppliers.choices import (
    ConnectionProtocol,
    DeploymentMode,
    OrderChannel,
    UserAttribute,
)
from openprocure.buyer.suppliers.models import PunchOutConnection, Supplier
from openprocure.core.crypto import MIN_SHARED_SECRET_LENGTH, validate_shared_secret
from openprocure.core.trust import partner_url_error


class SupplierForm(forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Supplier
        fields = [
            "name",
            "number",
            "duns",
            "email",
            "phone",
            "website",
            "default_currency",
            "language",
            "is_active",
            "notes",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].required = False  # a form without it (an older script) keeps the language

    def clean_language(self) -> str:
        return str(self.cleaned_data.get("language") or self.instance.language or "en")


def _partner_url(url: str) -> str:
    """``url`` when documents may be sent there; else the form error says why (``core.trust``)."""
    refused = partner_url_error(url) if url else None
    if refused:
        raise forms.ValidationError(refused, code="non_public_address")
    return url


class ConnectionForm(forms.ModelForm):
    """A connection's settings. The shared secret is write-only: it is never rendered back."""

    setup_url = forms.URLField(
        label=_("Setup URL"),
        max_length=1000,
        required=False,
        assume_scheme="https",
        help_text=_("Where the catalog opens; required unless purchase orders go by e-mail."),
    )
    order_url = forms.URLField(label=_("Order URL"), max_length=1000, required=False, assume_scheme="https")
    new_shared_secret = forms.CharField(
        label=_("Shared secret"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    user_attributes = forms.MultipleChoiceField(
        label=_("User attributes sent in the setup request"),
        choices=UserAttribute.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = PunchOutConnection
        fields = [
            "name",
            "protocol",
            "deployment_mode",
            "setup_url",
            "order_channel",
            "order_url",
            "order_email",
            "from_domain",
            "from_identity",
            "to_domain",
            "to_identity",
            "sender_domain",
            "sender_identity",
            "user_attributes",
            "oci_username",
            "oci_login_fields",
            "oci_parameters",
            "oci_field_mapping",
            "oci_charset",
            "accepts_order_updates",
            "accepts_cancellations",
            "allows_credit_lines",
            "accepts_free_text",
            "is_active",
        ]
        widgets = {
            "oci_login_fields": forms.TextInput(),
            "oci_parameters": forms.Textarea(attrs={"rows": 3}),
            "oci_field_mapping": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.has_shared_secret:
            self.fields["new_shared_secret"].help_text = _("••• set — enter a new value to replace")
        else:
            self.fields["new_shared_secret"].help_text = _("Not set yet.")
        self.fields["new_shared_secret"].help_text = format_lazy(
            "{} {}",
            self.fields["new_shared_secret"].help_text,
            _("cXML: at least %(minimum)d characters.") % {"minimum": MIN_SHARED_SECRET_LENGTH},
        )
        # A form posted without the order channel (a script written before the field existed) keeps it.
        for name in ("oci_parameters", "oci_field_mapping", "oci_login_fields", "order_channel"):
            self.fields[name].required = False

    def clean_setup_url(self) -> str:
        return _partner_url(self.cleaned_data.get("setup_url") or "")

    def clean_order_url(self) -> str:
        return _partner_url(self.cleaned_data.get("order_url") or "")

    def clean_order_channel(self) -> str:
        """The channel chosen; a form without it (an older script) keeps the connection's."""
        return str(self.cleaned_data.get("order_channel") or self.instance.order_channel or OrderChannel.CXML)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        channel = cleaned.get("order_channel")
        # A connection that only receives orders by e-mail has no catalog to punch out to; every
        # other one opens its catalog (cXML or OCI) at its setup URL.
        if channel != OrderChannel.EMAIL and not cleaned.get("setup_url") and "setup_url" not in self.errors:
            self.add_error("setup_url", _("Enter the setup URL: the catalog opens there."))
        if (
            channel == OrderChannel.EMAIL
            and not cleaned.get("order_email")
            and "order_email" not in self.errors
        ):
            self.add_error(
                "order_email",
                _("Enter the address purchase orders are e-mailed to: the order channel is e-mail."),
            )
        secret = cleaned.get("new_shared_secret") or ""
        if secret and cleaned.get("protocol") != ConnectionProtocol.OCI:
            try:
                validate_shared_secret(secret)
            except forms.ValidationError as error:
                self.add_error("new_shared_secret", error)
        if cleaned.get("order_channel") == OrderChannel.OAGIS and not cleaned.get("order_url"):
            self.add_error(
                "order_url",
                _(
                    "Enter the supplier's OAGIS order URL: purchase orders, changes and cancellations are "
                    "posted there as BODs."
                ),
            )
        return cleaned

    def clean_oci_parameters(self) -> dict[str, str]:
        return self._json_object("oci_parameters")

    def clean_oci_field_mapping(self) -> dict[str, str]:
        return self._json_object("oci_field_mapping")

    def _json_object(self, name: str) -> dict[str, str]:
        value = self.cleaned_data.get(name) or {}
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise forms.ValidationError(_('Enter a JSON object such as {"name": "value"}.')) from None
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise forms.ValidationError(_("Enter a JSON object whose values are texts."))
        return value

    def clean_oci_login_fields(self) -> list[str]:
        value = self.cleaned_data.get("oci_login_fields") or []
        if value and (not isinstance(value, list) or len(value) != 2):
            raise forms.ValidationError(_("Give exactly two names: the user field and the password field."))
        return value


class DocumentIdentityForm(forms.Form):
    """Another identity the supplier signs its documents with."""

    domain = forms.CharField(label=_("Credential domain"), max_length=64, initial="NetworkId")
    identity = forms.CharField(label=_("Identity"), max_length=200)


class ConformanceRunForm(forms.Form):
    """Start a run of the conformance checks; test orders only for a connection in test mode."""

    send_orders = forms.BooleanField(
        label=_("Also send test orders"),
        required=False,
        help_text=_(
            "An order in test mode, the same order again, an update and a cancellation: the supplier "
            "records them and fulfils nothing."
        ),
    )

    def __init__(self, *args: Any, connection: PunchOutConnection, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.connection = connection

    @property
    def offers_orders(self) -> bool:
        return self.connection.deployment_mode == DeploymentMode.TEST

    def clean_send_orders(self) -> bool:
        send: bool = self.cleaned_data["send_orders"]
        if send and not self.offers_orders:
            raise forms.ValidationError(
                _(
                    "Test orders are sent only to a connection in test deployment mode; this one is in production."
                ),
                code="production",
            )
        return send
