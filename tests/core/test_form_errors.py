"""The errors of a form posted by a button, said as sentences naming each field by its label."""

from __future__ import annotations

from typing import Any

from django import forms

from openprocure.core.forms import labelled_errors


class _Order(forms.Form):
    quantity = forms.IntegerField(label="Quantity", min_value=1)
    item = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label="Note", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("note") == "twice":
            raise forms.ValidationError("Say it once.")
        return data


def test_each_field_is_one_sentence_after_its_label_or_its_name() -> None:
    form = _Order({"quantity": "0", "item": "x"})
    assert not form.is_valid()
    assert labelled_errors(form) == [
        "Quantity: Ensure this value is greater than or equal to 1.",
        "item: Enter a whole number.",
    ]


def test_the_errors_of_the_whole_form_stand_as_they_are() -> None:
    form = _Order({"quantity": "2", "item": "7", "note": "twice"})
    assert not form.is_valid()
    assert labelled_errors(form) == ["Say it once."]


def test_a_valid_form_has_no_sentence() -> None:
    form = _Order({"quantity": "2", "item": "7"})
    assert form.is_valid()
    assert labelled_errors(form) == []
