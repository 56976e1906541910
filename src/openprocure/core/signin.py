"""Sign-in protection on both sites (django-axes): who is counted, how long a lockout lasts, what
the person sees, and the same count for API tokens.

- Wrong passwords count per account (the e-mail, compared without case) and per client address;
  after ``AXES_FAILURE_LIMIT`` of either, sign-in is refused for that account from anywhere and
  for any account from that address, with the right password too.
- The lockout lasts ``SIGNIN_COOLOFF_MINUTES``, doubled by every further failure while locked (at
  most a day): guessing on makes it longer. A successful sign-in clears the account's count.
- Every failure and lockout is logged (logger ``axes``) and kept as an access attempt, which an
  administrator deletes to unlock (Django admin → Access attempts, or ``axes_reset_username`` /
  ``axes_reset_ip``; see docs/operators.md).
- A wrong API token counts against the client address the same way (``check_api_token``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from axes.backends import AxesStandaloneBackend
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext

from openprocure.core.exceptions import ServiceError
from openprocure.core.forms import SignInEchoForm

logger = logging.getLogger(__name__)

T = TypeVar("T")
LONGEST_LOCKOUT = timedelta(days=1)


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a sign-in while the account or the client address is locked out.

    Authentication without a request (Django's test client ``login()``, a shell) is no sign-in
    attempt over HTTP: nothing to count, so it is left to the next backend instead of failing.
    Every sign-in form of both sites passes its request.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def username_of(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str | None:
    """The account a sign-in names, as the user table compares it (trimmed, without case)."""
    value = (credentials or {}).get("username")
    if value is None and request is not None and request.method == "POST":
        value = SignInEchoForm(request.POST).value("username")
    return str(value).strip().lower() if value else None


def _address(request: HttpRequest) -> str:
    return str(getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR", ""))


def failures(request: HttpRequest | None) -> int:
    """The larger count of recent failures: this account's or this address's."""
    if request is None:
        return 0
    counts = [
        AccessAttempt.objects.filter(ip_address=_address(request)).aggregate(n=Sum("failures_since_start"))[
            "n"
        ]
    ]
    username = username_of(request, getattr(request, "axes_credentials", None))
    if username:
        counts.append(
            AccessAttempt.objects.filter(username=username).aggregate(n=Sum("failures_since_start"))["n"]
        )
    return max((count or 0) for count in counts)


def cool_off(request: HttpRequest | None = None) -> timedelta:
    """How long a lockout lasts: the base time, doubled by each failure past the limit (one day at most)."""
    base = timedelta(minutes=settings.SIGNIN_COOLOFF_MINUTES)
    beyond = max(0, failures(request) - settings.AXES_FAILURE_LIMIT)
    return min(base * (2 ** min(beyond, 20)), LONGEST_LOCKOUT)


def lockout_message(request: HttpRequest | None) -> str:
    minutes = max(1, round(cool_off(request).total_seconds() / 60))
    return ngettext(
        "Too many failed sign-ins for this account or from this network: sign-in is blocked for "
        "%(minutes)s minute. Try again later, or ask an administrator to unlock it.",
        "Too many failed sign-ins for this account or from this network: sign-in is blocked for "
        "%(minutes)s minutes. Try again later, or ask an administrator to unlock it.",
        minutes,
    ) % {"minutes": minutes}


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """The sign-in page again, with why it refused, as HTTP 429 (``AXES_LOCKOUT_CALLABLE``); for
    the REST API, its JSON error shape."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": lockout_message(request)}, status=429)
    username = username_of(request, credentials if isinstance(credentials, dict) else None) or ""
    form = AuthenticationForm(request, initial={"username": username})
    return render(
        request,
        "core/login.html",
        {
            "form": form,
            "lockout_message": lockout_message(request),
            "next": SignInEchoForm(request.POST).value("next") if request.method == "POST" else "",
        },
        status=429,
    )


class TokenLockedOut(ServiceError):
    """API tokens from this address are refused for a while (too many wrong ones)."""


def check_api_token(request: HttpRequest, authenticate: Callable[[], T | None]) -> T | None:
    """Run ``authenticate`` for a bearer token; a wrong token counts like a wrong password for the
    client address, and while the address is locked out no token is even looked at.

    The account name recorded is per address (tokens name no account), so wrong tokens from one
    address never lock anyone else out.
    """
    AxesProxyHandler.update_request(request)
    credentials = {"username": f"api-token@{_address(request)}"}
    if not AxesProxyHandler.is_allowed(request, credentials):
        # Counted like a password tried while locked out: going on makes the wait longer.
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        raise TokenLockedOut(lockout_message(request))
    found = authenticate()
    if found is None:
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    return found
