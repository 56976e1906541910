"""Forms both sites share: the ids ticked for a "… selected" button, what a refused sign-in posted,
and the errors of a form posted by a button (which has no page of its own to show them on), a
number typed in a row of figures, an amount of money or another stored decimal shown in its input as a
person types it, and the order of a list asked for in its URL."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from openprocure.core.reference import is_currency, minor_units, normalize_code

_NOT_A_NUMBER = _("%(value)s is not a number.")


def report_refusal(request: HttpRequest, error: ValidationError) -> None:
    """A service's refusal of what a button asked, as messages, one per reason."""
    for message in error.messages:
        messages.error(request, message)


def report_errors(request: HttpRequest, form: forms.Form, field: str | None = None) -> None:
    """The errors of a form posted by a button, one message each: those of ``field``, or all."""
    errors = form.errors.get(field, []) if field else [e for errs in form.errors.values() for e in errs]
    for error in errors:
        messages.error(request, str(error))


def labelled_errors(form: forms.Form) -> list[str]:
    """Each field's errors in one sentence after the field's label (its name when it has none); the
    errors of the whole form as they are."""
    sentences = []
    for name, errors in form.errors.items():
        text = " ".join(str(error) for error in errors)
        sentences.append(f"{form.fields[name].label or name}: {text}" if name in form.fields else text)
    return sentences


def report_labelled_errors(request: HttpRequest, form: forms.Form) -> None:
    """The errors of a form posted by a button, one message per field naming it by its label."""
    for sentence in labelled_errors(form):
        messages.error(request, sentence)


class NumberEntryField(forms.DecimalField):
    """A number typed in a row of figures (a quantity received, an invoice amount): optional, empty
    means ``empty``; at most 18 digits, 4 after the point; anything else is refused with ``invalid``
    (which may name the ``%(value)s`` typed)."""

    def __init__(
        self, *, empty: Decimal | None = Decimal(0), invalid: Any = _NOT_A_NUMBER, **kwargs: Any
    ) -> None:
        self.empty = empty
        self.invalid = invalid
        super().__init__(required=False, max_digits=18, decimal_places=4, **kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]  # the field returns its own type, narrower than the stub's
        text = str(value if value is not None else "").strip()
        if not text:
            return self.empty
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            raise ValidationError(self.invalid, code="invalid", params={"value": text})
        return number


def amount_as_typed(amount: Decimal, currency: str = "") -> str:
    """An amount as a person types it in a form, not as it is stored (four places): with the minor
    units of ``currency`` when it is an ISO 4217 currency (``750.00`` EUR, ``750`` JPY, ``750.000``
    KWD), else without trailing zeros (``750``, ``12.5``). A digit that counts is never dropped
    (``12.3456`` stays ``12.3456`` in EUR). A point, never a comma: the input is a number input,
    which reads a point in every language."""
    number = amount.normalize()
    if is_currency(currency):
        places = minor_units(currency)
        if int(number.as_tuple().exponent) > -places:
            number = number.quantize(Decimal(1).scaleb(-places))
    return format(number, "f")


class _AsTypedBoundField(BoundField):
    """The input of a :class:`DecimalAsTypedField`: a stored number is shown by :func:`amount_as_typed`
    in the currency of the form's field named by the field's ``currency_field`` (none when the form has
    no such field); what was posted is shown as it was typed."""

    def value(self) -> Any:
        value = super().value()
        if not isinstance(value, Decimal) or not value.is_finite():
            return value
        currency_field = cast("DecimalAsTypedField", self.field).currency_field
        currency = self.form[currency_field].value() if currency_field in self.form.fields else ""
        return amount_as_typed(value, normalize_code(currency))


class DecimalAsTypedField(forms.DecimalField):
    """A number that is not money (a percentage, a rate) a form edits, stored with more places than a
    person types, shown in its input as typed: without trailing zeros (``5``, ``2.5``, not ``5.000``)."""

    bound_field_class = _AsTypedBoundField
    currency_field = ""


class AmountField(DecimalAsTypedField):
    """An amount of money a form edits, stored to four places (``core.fields.amount_field``), shown
    in its input as a person types it (:func:`amount_as_typed`) in the currency held by the form's
    field ``currency_field`` (none when the form has no such field)."""

    def __init__(self, *, currency_field: str = "currency", **kwargs: Any) -> None:
        self.currency_field = currency_field
        super().__init__(**kwargs)


class IdListField(forms.Field):
    """Several ids posted under one name (ticked checkboxes); anything that is not a number is left out."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        values = value if isinstance(value, (list, tuple)) else [value] if value else []
        return [int(item) for item in values if isinstance(item, str) and item.isdigit() and len(item) <= 18]


class SortField(forms.ChoiceField):
    """The order of a list asked for in its URL: optional; a value that is none of the choices (an
    old or edited link) is ``default``, never an error, and the page shows ``default`` selected."""

    def __init__(self, *, default: str, **kwargs: Any) -> None:
        self.default = default
        super().__init__(required=False, **kwargs)

    def clean(self, value: Any) -> str:
        value = self.to_python(value)
        return value if self.valid_value(value) else self.default

    def bound_data(self, data: Any, initial: Any) -> Any:
        return data if self.valid_value(self.to_python(data)) else self.default


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


class LanguageForm(forms.Form):
    """The site's language switch: the language chosen and the page to go back to."""

    language = forms.ChoiceField(choices=[])
    next = forms.CharField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = settings.LANGUAGES  # type: ignore[attr-defined]  # a ChoiceField
