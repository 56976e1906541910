"""Sign-in protection on both sites (django-axes): who is counted, how long a lockout lasts, what
the person sees, and the same count for API tokens.

- Wrong passwords count per account (the e-mail, compared without case) from one client address
  (``core.trust.client_address``, which sees through trusted proxies): after ``AXES_FAILURE_LIMIT``
  of them, that account is refused from that address, with the right password too. The owner
  signing in from elsewhere is not: a stranger cannot lock anyone out by guessing.
- Wrong passwords from one address over any accounts (credential stuffing) lock the address out
  for every account after ``SIGNIN_ADDRESS_FAILURE_LIMIT`` (``lockout_parameters``).
- The lockout lasts ``SIGNIN_COOLOFF_MINUTES``, doubled by every further failure while locked (at
  most a day): guessing on makes it longer. A successful sign-in clears the account's count there.
- Every failure and lockout is logged (logger ``axes``) and kept as an access attempt, which an
  administrator deletes to unlock (Django admin → Access attempts, or ``axes_reset_username`` /
  ``axes_reset_ip``; see docs/operators.md).
- A wrong API token counts against the client address (``check_api_token``): tokens name no
  account, so each address is its own account and ``AXES_FAILURE_LIMIT`` wrong ones lock its tokens.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from axes.backends import AxesStandaloneBackend
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt, AccessBase
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext

from openprocure.core.exceptions import ServiceError
from openprocure.core.forms import SignInEchoForm
from openprocure.core.trust import client_address
from openprocure.core.tunables import tunable

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
    return str(getattr(request, "axes_ip_address", None) or client_address(request))


def address_failures(address: str) -> int:
    """Recent wrong passwords (and API tokens) from ``address``, over every account."""
    if not address:
        return 0
    total = AccessAttempt.objects.filter(ip_address=address).aggregate(n=Sum("failures_since_start"))["n"]
    return int(total or 0)


def _address_locked(address: str) -> bool:
    return address_failures(address) >= tunable("SIGNIN_ADDRESS_FAILURE_LIMIT")


def lockout_parameters(request_or_attempt: object, credentials: dict[str, Any] | None = None) -> list[Any]:
    """What a failure counts against (``AXES_LOCKOUT_PARAMETERS``): the account from this address
    always; the address alone too once it has failed ``SIGNIN_ADDRESS_FAILURE_LIMIT`` times over any
    accounts. So a stranger's wrong passwords never lock an account out of its owner's address."""
    if isinstance(request_or_attempt, AccessBase):
        address = str(request_or_attempt.ip_address or "")
    elif isinstance(request_or_attempt, HttpRequest):
        address = _address(request_or_attempt)
    else:
        address = ""
    if _address_locked(address):
        return [["username", "ip_address"], "ip_address"]
    return [["username", "ip_address"]]


def failures(request: HttpRequest | None) -> int:
    """How many failures past its limit the lockout of this request counts (0 when not past it)."""
    if request is None:
        return 0
    address = _address(request)
    beyond = 0
    username = username_of(request, getattr(request, "axes_credentials", None))
    if username:
        account = AccessAttempt.objects.filter(username=username, ip_address=address).aggregate(
            n=Sum("failures_since_start")
        )["n"]
        beyond = (account or 0) - settings.AXES_FAILURE_LIMIT
    by_address = address_failures(address)
    limit = tunable("SIGNIN_ADDRESS_FAILURE_LIMIT")
    if by_address >= limit:
        beyond = max(beyond, by_address - limit)
    return max(0, beyond)


def cool_off(request: HttpRequest | None = None) -> timedelta:
    """How long a lockout lasts: the base time, doubled by each failure past the limit (one day at most)."""
    base = timedelta(minutes=settings.SIGNIN_COOLOFF_MINUTES)
    return min(base * (2 ** min(failures(request), 20)), LONGEST_LOCKOUT)


def lockout_message(request: HttpRequest | None, *, per_address: bool = False) -> str:
    """Why sign-in is refused and for how long: this account from this address, or this address."""
    minutes = max(1, round(cool_off(request).total_seconds() / 60))
    if per_address or (request is not None and _address_locked(_address(request))):
        return ngettext(
            "Too many failed sign-ins from your network: sign-in from here is blocked for %(minutes)s "
            "minute. Try again later, or ask an administrator to unlock it.",
            "Too many failed sign-ins from your network: sign-in from here is blocked for %(minutes)s "
            "minutes. Try again later, or ask an administrator to unlock it.",
            minutes,
        ) % {"minutes": minutes}
    return ngettext(
        "Too many failed sign-ins for this account from your network: signing in to it from here is "
        "blocked for %(minutes)s minute. Try again later, or ask an administrator to unlock it.",
        "Too many failed sign-ins for this account from your network: signing in to it from here is "
        "blocked for %(minutes)s minutes. Try again later, or ask an administrator to unlock it.",
        minutes,
    ) % {"minutes": minutes}


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """The sign-in page again, with why it refused, as HTTP 429 (``AXES_LOCKOUT_CALLABLE``); for
    the REST API, its JSON error shape."""
    if request.path_info.startswith("/api/"):  # API tokens, counted per address (check_api_token)
        return JsonResponse({"detail": lockout_message(request, per_address=True)}, status=429)
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
        raise TokenLockedOut(lockout_message(request, per_address=True))
    found = authenticate()
    if found is None:
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    return found
