"""Forms both sites share: the ids ticked for a "… selected" button, what a refused sign-in posted,
and the errors of a form posted by a button (which has no page of its own to show them on)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest


def report_errors(request: HttpRequest, form: forms.Form, field: str | None = None) -> None:
    """The errors of a form posted by a button, one message each: those of ``field``, or all."""
    errors = form.errors.get(field, []) if field else [e for errs in form.errors.values() for e in errs]
    for error in errors:
        messages.error(request, str(error))


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
