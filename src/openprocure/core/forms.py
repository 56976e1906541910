"""Forms both sites share: the ids ticked for a "… selected" button, and what a refused sign-in posted."""

from __future__ import annotations

from typing import Any

from django import forms


class IdListField(forms.Field):
    """Several ids posted under one name (ticked checkboxes); anything that is not a number is left out."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        values = value if isinstance(value, (list, tuple)) else [value] if value else []
        return [int(item) for item in values if isinstance(item, str) and item.isdigit() and len(item) <= 18]


class SelectionForm(forms.Form):
    """The ids ticked in the checkboxes named ``field`` of a list page."""

    def __init__(self, *args: Any, field: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.field_name = field
        self.fields[field] = IdListField(required=False)

    def ids(self) -> list[int]:
        return list(self.cleaned_data[self.field_name]) if self.is_valid() else []


class SignInEchoForm(forms.Form):
    """What a sign-in POST named, read back when it is refused: the account, and where to go after."""

    username = forms.CharField(required=False, max_length=254)
    next = forms.CharField(required=False, max_length=2000, strip=False)

    def value(self, name: str) -> str:
        return str(self.cleaned_data.get(name) or "") if self.is_valid() else ""
