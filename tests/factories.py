"""factory_boy factories for the objects both sites' tests make most: people with a password."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import factory
from factory.django import DjangoModelFactory

from openprocure.core.models import User


class UserFactory(DjangoModelFactory):
    """A person who signs in with an e-mail address and a usable password (hashed by the manager)."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    password = "x-correct-horse"

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        return model_class.objects.create_user(*args, **kwargs)


_copy_numbers = itertools.count(1)


def copies(row: Any, count: int, vary: Callable[[int], dict[str, Any]] | None = None) -> list[Any]:
    """``count`` copies of a saved row, written in one statement (no ``save()``, no signals): a list
    grows to any size from one row made the real way. Unique text fields get a suffix, unique optional
    links are left empty; other foreign keys are shared, so pages that read related rows still have something to read. ``vary(n)`` gives the fields of the
    n-th copy that must differ otherwise (a one-to-one link)."""
    from django.db.models import CharField, UniqueConstraint

    model = type(row)
    unique = {field.name for field in model._meta.concrete_fields if field.unique and not field.primary_key}
    for constraint in model._meta.constraints:
        if isinstance(constraint, UniqueConstraint) and constraint.fields:
            unique.update(constraint.fields)
    for together in model._meta.unique_together:
        unique.update(together)
    made = []
    for _ in range(count):
        index = next(_copy_numbers)
        values = {}
        for field in model._meta.concrete_fields:
            if field.primary_key:
                continue
            value = getattr(row, field.attname)
            if field.name in unique and isinstance(field, CharField) and value is not None:
                value = f"{value}-{index}"[-field.max_length :] if field.max_length else f"{value}-{index}"
            elif field.name in unique and field.is_relation and field.null:
                value = None  # a unique optional link (charge ↔ shipment) is left empty on the copies
            values[field.attname] = value
        made.append(model(**(values | (vary(index) if vary else {}))))
    return model.objects.bulk_create(made)
