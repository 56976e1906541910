"""Template context shared by both sites."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    """Which site this is, its title, and whether the demo helpers are on."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_TITLE": settings.SITE_TITLE,
        "DEMO_MODE": settings.DEMO_MODE,
    }
