"""Forms of the order pages: the lines ticked to cancel, and a new API key's name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class LineNumbersField(forms.Field):
    """Order line numbers ticked in checkboxes posted under one name."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid": _("Tick the lines to cancel.")}

    def to_python(self, value: Any) -> list[int]:
        values = value if isinstance(value, (list, tuple)) else [value] if value else []
        texts = [str(item).strip() for item in values if str(item).strip()]
        if any(not text.isdigit() or len(text) > 9 for text in texts):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return [int(text) for text in texts]


class CancelOrderForm(forms.Form):
    """Cancel the whole order (no line ticked) or the lines ticked."""

    line = LineNumbersField(required=False)


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name (the system that uses the key)"),
        max_length=100,
        error_messages={"required": _("Name the key after the system that uses it.")},
    )


class ConformanceRunForm(forms.Form):
    """Run the checks of the business's procurement system: the person says they know what they send."""

    understood = forms.BooleanField(
        label=_(
            "I understand that the checks confirm, ship and invoice the latest test order in the "
            "procurement system (test documents, never charged)."
        ),
        error_messages={"required": _("Tick the box to say you know what the checks send.")},
    )


class OrdersScopeForm(forms.Form):
    """Whose orders a business member's list shows: ``?all=1`` asks for the whole business's (which
    only an administrator signed in directly sees); any other value, for one's own."""

    all = forms.TypedChoiceField(
        label=_("All orders of the business"),
        required=False,
        choices=[("1", _("All orders of the business"))],
        coerce=lambda value: value == "1",
        empty_value=None,
    )

    def whole_business(self) -> bool:
        return bool(self.cleaned_data.get("all")) if self.is_valid() else False
