"""Template context shared by both sites."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from openprocure.core.navigation import menu


def site(request: HttpRequest) -> dict[str, Any]:
    """Which site this is, its title, whether the demo helpers are on, and the person's menu (built when drawn)."""
    return {
        "NAV": partial(menu, request),
        "SITE_NAME": settings.SITE_NAME,
        "SITE_TITLE": settings.SITE_TITLE,
        "DEMO_MODE": settings.DEMO_MODE,
    }
