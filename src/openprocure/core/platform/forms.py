"""The administration page's form for a legal entity's e-invoicing platform connection."""

from __future__ import annotations

import os
from ipaddress import ip_address
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.utils.translation import gettext_lazy as _
from stdnum.fr import siren

from openprocure.core.choices import PlatformAdapter
from openprocure.core.models import PlatformConnection
from openprocure.core.platform import environment_entities
from openprocure.core.platform.credentials import encrypt_client_secret
from openprocure.core.trust import partner_url_error

FOLDER_FIELDS = ("outbound", "inbound")
XP_FIELDS = ("base_url", "token_url", "client_id")


def is_loopback(host: str) -> bool:
    """``localhost`` or a loopback address (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


class PlatformConnectionForm(forms.ModelForm):
    """A platform connection's settings; only the chosen adapter's fields are required and kept.
    The client secret is write-only: never rendered back, kept when left empty."""

    siren = forms.CharField(
        label=_("SIREN"), max_length=20, help_text=_("The legal entity's 9-digit SIREN.")
    )  # spaces and dots allowed as typed: kept as the 9 digits
    base_url = forms.URLField(
        label=_("API base URL"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("XP Z12-013: the flow API's address, e.g. https://pa.example/flow-api."),
    )
    token_url = forms.URLField(
        label=_("Token URL"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("XP Z12-013: the OAuth2 token service's address."),
    )
    new_client_secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        strip=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = PlatformConnection
        fields = [
            "siren",
            "name",
            "adapter",
            "enabled",
            "outbound",
            "inbound",
            "base_url",
            "token_url",
            "client_id",
        ]
        help_texts = {
            "outbound": _(
                "Folder exchange: the directory where the platform takes our files (absolute path)."
            ),
            "inbound": _(
                "Folder exchange: the directory where the platform leaves files for us (absolute path)."
            ),
            "enabled": _("A disabled platform is neither pulled nor used to send."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.editing = self.instance.pk is not None
        if self.editing:
            # Flows and messages are recorded under the SIREN: an entity keeps its own.
            self.fields["siren"].disabled = True
        self.fields["new_client_secret"].help_text = (
            _("XP Z12-013: leave empty to keep the secret saved (it is never shown again).")
            if self.instance.client_secret_encrypted
            else _("XP Z12-013: the secret the platform gave with the client ID.")
        )

    def clean_siren(self) -> str:
        value: str = self.cleaned_data["siren"]
        compact = value.replace(" ", "").replace(".", "")
        if not (compact.isdigit() and siren.is_valid(compact)):
            raise forms.ValidationError(
                _("%(value)s is not a valid SIREN: 9 digits, the last one a check digit.") % {"value": value},
                code="invalid_siren",
            )
        if not self.editing and compact in environment_entities():
            raise forms.ValidationError(
                _(
                    "The platform of SIREN %(siren)s is set by the environment (OPENPROCURE_EINVOICE_PLATFORMS)."
                )
                % {"siren": compact},
                code="set_by_environment",
            )
        return compact

    def _check_directory(self, field: str) -> None:
        path = (self.cleaned_data.get(field) or "").strip()
        if not path:
            self.add_error(field, _("The folder exchange needs this directory."))
        elif not os.path.isabs(path):
            self.add_error(field, _("Give an absolute path (starting with /)."))
        elif not os.path.isdir(path):
            self.add_error(field, _("This directory does not exist on the server."))
        elif not os.access(path, os.R_OK | os.W_OK | os.X_OK):
            self.add_error(field, _("This site's processes cannot read and write in this directory."))
        else:
            self.cleaned_data[field] = os.path.normpath(path)

    def _check_url(self, field: str) -> None:
        url = self.cleaned_data.get(field) or ""
        if not url:
            if field not in self.errors:
                self.add_error(field, _("The XP Z12-013 API needs this address."))
            return
        # The same guard as every delivery to a partner (punchout.netguard, core.trust).
        refused = partner_url_error(url)
        if refused:
            self.add_error(field, refused)
            return
        parts = urlsplit(url)
        if parts.scheme == "https" or is_loopback(parts.hostname or ""):
            return  # plain http only to this machine, when the allow-list admits it (the demo's platform)
        self.add_error(field, _("The address must start with https:// (the credentials travel over it)."))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        adapter = cleaned.get("adapter")
        if adapter == PlatformAdapter.FOLDER:
            for field in FOLDER_FIELDS:
                self._check_directory(field)
        elif adapter == PlatformAdapter.XP_Z12_013:
            self._check_url("base_url")
            self._check_url("token_url")
            if not (cleaned.get("client_id") or "").strip():
                self.add_error("client_id", _("The XP Z12-013 API needs the client ID."))
            if not cleaned.get("new_client_secret") and not self.instance.client_secret_encrypted:
                self.add_error("new_client_secret", _("The XP Z12-013 API needs the client secret."))
        return cleaned

    def save(self, commit: bool = True) -> PlatformConnection:
        connection: PlatformConnection = super().save(commit=False)
        # Keep only the chosen adapter's settings: nothing stale is left behind a switch.
        if connection.adapter == PlatformAdapter.FOLDER:
            connection.base_url = connection.token_url = connection.client_id = ""
            connection.client_secret_encrypted = ""
        else:
            connection.outbound = connection.inbound = ""
            if self.cleaned_data.get("new_client_secret"):
                connection.client_secret_encrypted = encrypt_client_secret(
                    self.cleaned_data["new_client_secret"]
                )
        if commit:
            connection.save()
        return connection


class TestConnectionForm(forms.Form):
    """The "Test connection" button (nothing to type: the POST carries only its CSRF token)."""
