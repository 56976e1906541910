"""Typing for views behind ``login_required``: their request's user is a signed-in ``User``."""

from __future__ import annotations

from django.http import HttpRequest

from openprocure.core.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view behind ``login_required``, whose ``user`` is a signed-in ``User``.

    Used in annotations only (Django never builds this class): django-stubs types ``request.user`` as
    ``User | AnonymousUser``, which is wrong once ``login_required`` has let the request through.
    """

    user: User
