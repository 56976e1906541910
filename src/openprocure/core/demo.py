"""Helpers for seeding demo data (used only by the ``seed_demo`` commands)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import CommandError

from openprocure.core.models import User

DEMO_PASSWORD = "demo"  # noqa: S105 - documented demo password, refused outside demo mode


def require_demo_mode() -> None:
    """Refuse to seed well-known passwords into a production installation."""
    if not settings.DEMO_MODE:
        raise CommandError(
            "seed_demo only runs with OPENPROCURE_DEMO=1: it creates users with known passwords."
        )


def demo_user(
    email: str, *, first_name: str, last_name: str, staff: bool = False, superuser: bool = False
) -> User:
    """Create or refresh one demo user (idempotent)."""
    user, _ = User.objects.get_or_create(
        email=email, defaults={"first_name": first_name, "last_name": last_name}
    )
    user.first_name, user.last_name = first_name, last_name
    user.is_staff = staff or superuser
    user.is_superuser = superuser
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user
