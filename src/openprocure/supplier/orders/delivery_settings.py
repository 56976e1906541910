"""Operators set where a business's order documents go: the buyer's cXML URL, the secret we send
in Sender, and automatic fulfilment. Every change is recorded with who made it and why, beside the
integration's other settings changes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from openprocure.core.auth import AuthenticatedHttpRequest
from openprocure.core.models import User
from openprocure.core.trust import partner_url_error
from openprocure.supplier.business.models import Integration, SettingsChange
from openprocure.supplier.business.views import operator_only
from openprocure.supplier.orders import documents, services

SECRET_FIELD = "outbound_secret"  # noqa: S105 - the name of a setting, not a secret

#: The longest automatic fulfilment delay (a year, in minutes): beyond it the delay means nothing,
#: and a number past the database column's range was a server error.
MOST_MINUTES = 365 * 24 * 60


class OrderSettingsForm(forms.Form):
    buyer_cxml_url = forms.URLField(
        label=_("Buyer's inbound cXML URL"),
        required=False,
        max_length=1000,
        assume_scheme="https",
        validators=[URLValidator(schemes=["https", "http"])],
        help_text=_("Where we send order confirmations, ship notices and invoices."),
    )
    outbound_secret = forms.CharField(
        label=_("Shared secret we send (leave empty to keep the stored one)"),
        required=False,
        max_length=200,
        strip=True,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("The secret the buyer's system sends us; it must match the integration's."),
    )
    auto_fulfil_after_minutes = forms.IntegerField(
        label=_("Ship automatically after (minutes)"),
        required=False,
        min_value=0,
        max_value=MOST_MINUTES,
        error_messages={
            "max_value": _(
                "At most %(limit_value)s minutes (a year); leave it empty for operators to ship from the "
                "fulfilment queue."
            )
        },
        help_text=_("Empty: operators ship from the fulfilment queue."),
    )
    reason = forms.CharField(label=_("Why (who asked, ticket…)"), widget=forms.Textarea(attrs={"rows": 2}))

    def clean_buyer_cxml_url(self) -> str:
        """The URL, unless it resolves to a non-public address not allowed (``core.trust``)."""
        url = str(self.cleaned_data.get("buyer_cxml_url") or "")
        refused = partner_url_error(url) if url else None
        if refused:
            raise ValidationError(refused, code="non_public_address")
        return url


def change_order_settings(
    *,
    integration_id: int,
    operator: User,
    buyer_cxml_url: str,
    outbound_secret: str,
    auto_fulfil_after_minutes: int | None,
    reason: str,
) -> list[SettingsChange]:
    """Apply the operator's changes and record each one (the secret only as "replaced")."""
    if not reason.strip():
        raise ValidationError(gettext("Say why the setting changes (e.g. the administrator's request)."))
    with transaction.atomic():
        integration = Integration.objects.select_for_update().get(pk=integration_id)
        before = documents.settings_for(integration)
        old_url, old_minutes = before.buyer_cxml_url, before.auto_fulfil_after_minutes
        had_secret = bool(before.outbound_secret_encrypted)
        after = services.set_order_settings(
            integration_id=integration.pk,
            operator=operator,
            buyer_cxml_url=buyer_cxml_url,
            outbound_secret=outbound_secret or None,
            auto_fulfil_after_minutes=auto_fulfil_after_minutes,
        )
        rows: list[tuple[str, str, str]] = []
        if after.buyer_cxml_url != old_url:
            rows.append(("buyer_cxml_url", old_url, after.buyer_cxml_url))
        if outbound_secret:
            rows.append((SECRET_FIELD, gettext("set") if had_secret else "", gettext("replaced")))
        if after.auto_fulfil_after_minutes != old_minutes:
            rows.append(
                ("auto_fulfil_after_minutes", _text(old_minutes), _text(after.auto_fulfil_after_minutes))
            )
        return [
            SettingsChange.objects.create(
                integration=integration,
                field=field,
                old_value=old[:200],
                new_value=new[:200],
                changed_by=operator,
                reason=reason.strip(),
            )
            for field, old, new in rows
        ]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


@operator_only
def order_settings(request: AuthenticatedHttpRequest, integration_id: int) -> HttpResponse:
    """The operator's page for a business's order documents and fulfilment."""
    integration = get_object_or_404(Integration.objects.select_related("business"), pk=integration_id)
    current = documents.settings_for(integration)
    initial = {
        "buyer_cxml_url": current.buyer_cxml_url,
        "auto_fulfil_after_minutes": current.auto_fulfil_after_minutes,
    }
    form = OrderSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            changes = change_order_settings(
                integration_id=integration.pk,
                operator=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if changes:
                messages.success(request, gettext("Order settings changed."))
            else:
                messages.info(request, gettext("Nothing changed."))
            return redirect("orders-settings", integration_id=integration.pk)
    context = {
        "integration": integration,
        "current": current,
        "has_secret": bool(current.outbound_secret_encrypted),
        "form": form,
        "changes": integration.settings_changes.filter(
            field__in=["buyer_cxml_url", SECRET_FIELD, "auto_fulfil_after_minutes"]
        ).select_related("changed_by"),
    }
    return render(request, "orders/order_settings.html", context)
