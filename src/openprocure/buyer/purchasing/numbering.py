"""Purchase-order numbers: the next ones of the pattern ``PO_NUMBER_PATTERN``, from a locked counter."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from openprocure.buyer.purchasing.models import PONumberCounter, PurchaseOrder
from openprocure.core.tunables import tunable


def next_po_number(*, today: Any = None) -> str:
    """The next PO number of the pattern ``settings.PO_NUMBER_PATTERN`` (one counter per year/month scope).

    The counter row is locked (SELECT … FOR UPDATE) while it is incremented, and the PO number is
    unique in the database, so concurrent approvals can never share a number.
    """
    return allocate_po_numbers(1, today=today)[0]


def allocate_po_numbers(count: int, *, today: Any = None) -> list[str]:
    """The next ``count`` PO numbers, taken from the counter at once (locked as in :func:`next_po_number`).

    Numbers already used by an order (e.g. entered before the counter existed) are skipped.
    """
    pattern = tunable("PO_NUMBER_PATTERN")
    today = today or timezone.localdate()
    values = {"year": today.year, "month": f"{today.month:02d}"}
    scope = pattern
    if "{year" in pattern:
        scope += f"|{today.year}"
    if "{month" in pattern:
        scope += f"|{today.month:02d}"
    numbers: list[str] = []
    if count <= 0:
        return numbers
    with transaction.atomic():
        try:
            with transaction.atomic():
                PONumberCounter.objects.get_or_create(scope=scope[:64])
        except IntegrityError:  # another transaction created it first: it exists now
            pass
        counter = PONumberCounter.objects.select_for_update().get(scope=scope[:64])
        while len(numbers) < count:
            needed = count - len(numbers)
            candidates = [pattern.format(seq=counter.last_value + n, **values) for n in range(1, needed + 1)]
            counter.last_value += needed
            taken = set(PurchaseOrder.objects.filter(number__in=candidates).values_list("number", flat=True))
            numbers.extend(number for number in candidates if number not in taken)
        counter.save(update_fields=["last_value"])
    return numbers
