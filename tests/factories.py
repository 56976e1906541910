"""factory_boy factories for the objects both sites' tests make most: people with a password."""

from __future__ import annotations

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
