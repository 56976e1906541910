"""Rate limits of the partner endpoints, ``POST /cxml/`` (both sites) and ``/oci/`` (storefront).

Counted by django-ratelimit in the cache every process of the site shares (``CACHES``: a disk cache
in the data folder, or Redis), in two separate buckets so that an anonymous flood cannot delay an
authenticated partner:

1. **per client address**, for requests that fail: unreadable or oversized documents, unknown
   senders, wrong secrets, any 4xx answer. Once an address is over ``RATELIMIT_ANONYMOUS`` its
   requests are refused before their body is even read;
2. **per partner credential** (the sender's ``domain:identity``, or the OCI username), for requests
   that were accepted, against ``RATELIMIT_PARTNER``. Only accepted requests count, so nobody can
   use up a partner's allowance by naming its identity without its secret.

An address with ``RATELIMIT_SUSPECT_AFTER`` failures in a window of the anonymous rate is a suspect
for ``RATELIMIT_SUSPECT_SECONDS``, and gets **one cXML document read at a time**: while one of its
documents is being parsed, the next is refused at once. (A few failures, as any busy business
network sends now and then for one of its customers, never slow the others down.)
Parsing a large hostile document costs a worker hundreds of milliseconds before anyone knows who
sent it; the rate alone would still let a flood occupy every worker for that long, so a flooding
address keeps at most one worker busy and the others stay free for partners.

A refused request gets HTTP 429 with ``Retry-After`` (seconds) and, on ``/cxml/``, a cXML Response
with Status 560 "Temporary server error": cXML's 5xx means "send the same document again later"; on
``/oagis/``, a ConfirmBOD refusing the BOD with the reason code ``RATE_LIMITED`` and the same text
(``core.oagis_endpoint.rate_limited``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

from openprocure.core.trust import client_address
from punchout import cxml

ADDRESS_GROUP = "openprocure.partner-endpoint.address"
CREDENTIAL_GROUP = "openprocure.partner-endpoint.credential"
SUSPECT_PREFIX = "openprocure.partner-endpoint.suspect:"
BUSY_PREFIX = "openprocure.partner-endpoint.busy:"
# Longest a document of a suspect address may hold its turn (past gunicorn's 60 s worker timeout,
# after which the worker is killed and the turn would otherwise never be given back).
BUSY_SECONDS = 90
TOO_MANY_REQUESTS = 429
TEMPORARY_SERVER_ERROR = 560


@dataclass(frozen=True)
class Refusal:
    """Why a request is refused and how long the sender should wait."""

    retry_after: int
    per: str  # "address", "credential" or "busy" (one document at a time for a suspect address)


def _address(request: HttpRequest) -> str:
    return client_address(request)


def _credential_key(credential: str) -> Callable[[str, HttpRequest], str]:
    """django-ratelimit's key function: every request of this credential shares one counter."""
    return lambda group, request: credential


def _refused(request: HttpRequest, *, group: str, key: object, rate: str, per: str) -> Refusal | None:
    usage = get_usage(request, group=group, key=key, rate=rate, increment=False)
    if usage is None or usage["count"] < usage["limit"]:
        return None
    return Refusal(retry_after=max(1, int(usage["time_left"])), per=per)


def address_refusal(request: HttpRequest) -> Refusal | None:
    """The refusal of a request from an address over its allowance of failed requests, else None."""
    if not settings.RATELIMIT_ENABLE:
        return None
    return _refused(request, group=ADDRESS_GROUP, key="ip", rate=settings.RATELIMIT_ANONYMOUS, per="address")


def credential_refusal(request: HttpRequest, credential: str) -> Refusal | None:
    """The refusal of a request whose partner credential is over its allowance, else None."""
    if not settings.RATELIMIT_ENABLE or not credential:
        return None
    return _refused(
        request,
        group=CREDENTIAL_GROUP,
        key=_credential_key(credential),
        rate=settings.RATELIMIT_PARTNER,
        per="credential",
    )


@contextmanager
def one_at_a_time(request: HttpRequest) -> Iterator[Refusal | None]:
    """For an address with recent failures, a turn to have one document read (None), or the
    refusal when another of its documents is being read; other addresses always get their turn."""
    if not settings.RATELIMIT_ENABLE:
        yield None
        return
    address = _address(request)
    if cache.get(SUSPECT_PREFIX + address) is None:
        yield None
        return
    if not cache.add(BUSY_PREFIX + address, 1, BUSY_SECONDS):
        yield Refusal(retry_after=1, per="busy")
        return
    try:
        yield None
    finally:
        cache.delete(BUSY_PREFIX + address)


@contextmanager
def admitted(request: HttpRequest) -> Iterator[Refusal | None]:
    """Whether a partner's document may be read now: None, held while it is read and answered, or
    the refusal of an address over its allowance (``address_refusal``) or with another document being
    read (``one_at_a_time``). Every partner endpoint that parses a document answers within it."""
    refusal = address_refusal(request)
    if refusal is not None:
        yield refusal
        return
    with one_at_a_time(request) as busy:
        yield busy


def count(request: HttpRequest, *, credential: str, accepted: bool) -> None:
    """Count an answered request: against its credential when accepted, else against its address
    (a suspect address for ``RATELIMIT_SUSPECT_SECONDS`` once it has ``RATELIMIT_SUSPECT_AFTER``)."""
    if not settings.RATELIMIT_ENABLE:
        return
    if accepted and credential:
        get_usage(
            request,
            group=CREDENTIAL_GROUP,
            key=_credential_key(credential),
            rate=settings.RATELIMIT_PARTNER,
            increment=True,
        )
    else:
        usage = get_usage(
            request, group=ADDRESS_GROUP, key="ip", rate=settings.RATELIMIT_ANONYMOUS, increment=True
        )
        if usage is not None and usage["count"] >= settings.RATELIMIT_SUSPECT_AFTER:
            cache.set(SUSPECT_PREFIX + _address(request), 1, settings.RATELIMIT_SUSPECT_SECONDS)


def message(refusal: Refusal) -> str:
    """What the partner reads: why, and when to try again."""
    if refusal.per == "busy":
        return (
            "Requests from your address failed recently, and another of its documents is still being "
            "read: we read one at a time. Send this document again in 1 second (nothing was read or stored)."
        )
    if refusal.per == "credential":
        why = "This partner account has sent more requests than its allowance"
    else:
        why = "Too many failed or unauthenticated requests came from your address"
    return (
        f"{why}. Send the same document again in {refusal.retry_after} seconds (nothing was read or stored)."
    )


def cxml_response(refusal: Refusal) -> HttpResponse:
    """HTTP 429 + Retry-After, with a cXML Response carrying Status 560 (retry later)."""
    document = cxml.response_document(TEMPORARY_SERVER_ERROR, "Temporary server error", message(refusal))
    response = HttpResponse(
        cxml.build(document), content_type="text/xml; charset=utf-8", status=TOO_MANY_REQUESTS
    )
    return refused_response(response, refusal)


def plain_response(refusal: Refusal) -> HttpResponse:
    """HTTP 429 + Retry-After with a plain-text reason a person can read (OCI has no status document)."""
    text = _("Too many requests: try again in %(seconds)s seconds.") % {"seconds": refusal.retry_after}
    response = HttpResponse(text + "\n", content_type="text/plain; charset=utf-8", status=TOO_MANY_REQUESTS)
    return refused_response(response, refusal)


def refused_response(response: HttpResponse, refusal: Refusal) -> HttpResponse:
    """``response`` (a 429 in the endpoint's own shape) with ``Retry-After``, kept out of the log."""
    response["Retry-After"] = str(refusal.retry_after)
    # The access log has every refusal already: one more log line each would let a flood flood the
    # log too (Django logs every 4xx answer as a warning unless told it was logged).
    response._has_been_logged = True  # type: ignore[attr-defined]  # a marker attribute on the response, read by middleware
    return response
