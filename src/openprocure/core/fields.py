"""Model fields that many records declare alike, defined once so that their columns agree everywhere.

- :func:`amount_field`: an amount of money (``Decimal``, four decimals: the most minor units of any
  currency a document can be priced in, CLF's; the amount itself is rounded to its own currency's
  minor units, JPY 0, EUR 2, KWD 3, by ``punchout.money.quantize_money``; unit prices are
  :func:`price_field`);
- :func:`price_field` and :func:`quantity_field`: four decimals, as cXML and OCI carry them;
- :func:`currency_field`: an ISO 4217 code, checked by :func:`openprocure.core.reference.validate_currency`;
- :func:`payload_id_field`: a cXML payloadID (of a document we sent or received, or one it refers to);
- :func:`optional_link`: a foreign key that may be empty (by default emptied when its target goes,
  with no reverse accessor).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from openprocure.core.reference import validate_currency

#: Digits of every stored amount, price and quantity: enough for the domain maxima of each app.
MAX_DIGITS = 18
#: Characters kept of a cXML payloadID (the sender's unique ID of a document).
PAYLOAD_ID_LENGTH = 250
#: Decimals of a stored amount: the most minor units of an ISO 4217 currency a document is priced
#: in (KWD and six others: 3; the units of account CLF and UYW: 4). An amount keeps 16 digits
#: before the point.
AMOUNT_DECIMALS = 4

_CURRENCY = _("currency")
_QUANTITY = _("quantity")
_PAYLOAD_ID = _("payloadID")


def amount_field(verbose_name: Any, **options: Any) -> models.DecimalField[Any, Any]:
    return models.DecimalField(
        verbose_name, max_digits=MAX_DIGITS + AMOUNT_DECIMALS - 2, decimal_places=AMOUNT_DECIMALS, **options
    )


def price_field(verbose_name: Any, **options: Any) -> models.DecimalField[Any, Any]:
    return models.DecimalField(verbose_name, max_digits=MAX_DIGITS, decimal_places=4, **options)


def quantity_field(verbose_name: Any = _QUANTITY, **options: Any) -> models.DecimalField[Any, Any]:
    return models.DecimalField(verbose_name, max_digits=MAX_DIGITS, decimal_places=4, **options)


def currency_field(verbose_name: Any = _CURRENCY, **options: Any) -> models.CharField[Any, Any]:
    return models.CharField(verbose_name, max_length=3, validators=[validate_currency], **options)


def payload_id_field(verbose_name: Any = _PAYLOAD_ID, **options: Any) -> models.CharField[Any, Any]:
    return models.CharField(verbose_name, max_length=PAYLOAD_ID_LENGTH, **options)


def optional_link(
    to: Any,
    verbose_name: Any = None,
    *,
    on_delete: Any = models.SET_NULL,
    related_name: str = "+",
    **options: Any,
) -> models.ForeignKey[Any, Any]:
    return models.ForeignKey(
        to,
        verbose_name=verbose_name,
        on_delete=on_delete,
        null=True,
        blank=True,
        related_name=related_name,
        **options,
    )
