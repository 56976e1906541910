"""One way to read a tunable: :func:`tunable`.

A tunable is a value an operator may change without touching code (a lifetime, a rate, a page size).
Each has one default, written once with a comment saying why, as an upper-case constant of its app's
``defaults.py`` (or a ``DEFAULTS`` mapping there). A Django setting of the same name wins: the site's
settings module sets it, from an ``OPENPROCURE_*`` environment variable when operators choose it at
deployment (environment variables are read in the settings modules only), and tests override it with
``override_settings``. Code reads every tunable through this function, never ``settings.X`` beside a
module constant of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType
from typing import Any

from django.conf import settings

__all__ = ["tunable"]


def tunable(name: str, defaults: ModuleType | Mapping[str, Any]) -> Any:
    """The setting ``name`` when the site sets it, else its default in ``defaults``.

    Raises ``KeyError`` for a name that has no default: a tunable without a documented default is a typo.
    """
    if isinstance(defaults, Mapping):
        default = defaults[name]
    else:
        try:
            default = getattr(defaults, name)
        except AttributeError:
            raise KeyError(name) from None
    return getattr(settings, name, default)
