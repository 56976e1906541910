"""Helpers for seeding demo data (used only by the ``seed_demo`` commands)."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.management.base import CommandError

from openprocure.core.models import User

_LOOPBACK = re.compile(r"^http://127\.0\.0\.1:\d+(?P<rest>/.*)$")
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
    """The demo user with this e-mail: created with the demo password the first time, then left as
    it is (a password, name or role an administrator changed stays)."""
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        return existing
    user = User(
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_staff=staff or superuser,
        is_superuser=superuser,
    )
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def follow_demo_peer(url: str, peer: str) -> str:
    """A loopback address the demo seeded (``http://127.0.0.1:<port>/…``) moved to this run's ``peer``.

    The demo's two sites may start on other ports than last time (OPENPROCURE_BUYER_PORT…); an
    address an administrator changed to anything else is returned unchanged.
    """
    match = _LOOPBACK.match(url)
    peer_match = _LOOPBACK.match(peer + "/")
    if match is None or peer_match is None:
        return url
    return peer.rstrip("/") + match["rest"]
