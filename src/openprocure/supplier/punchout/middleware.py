"""The PunchOut session in the URL: ``/po/<key>/<any storefront path>``.

A PunchOut page may live in the buyer's iframe, where third-party cookies are blocked, so the
session key travels in the path. This middleware finds the session, strips the prefix so every
storefront view works unchanged, and makes ``reverse()`` add the prefix back (it is the script
prefix for the request), so every link and form stays inside the session. It also keeps linked
(PunchOut-only) accounts out of the storefront when they sign in directly.

A PunchOut session is opened by a partner's credential (a shared secret or an OCI password), not by
a person signing in: whatever e-mail the partner sent, the session is a shopping session. Only the
pages in :data:`SESSION_VIEWS` answer inside ``/po/<key>/`` (browse, fill and return the cart, the
shopper's own orders); everything else — account administration, API keys, secrets, return URLs,
invitations, payment methods, cancelling orders, fulfilment, the Django admin — is refused there
(403) and needs a person signed in to the storefront, with the role and a CSRF token.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, get_script_prefix, resolve, reverse, set_script_prefix

from openprocure.supplier.business.services import membership_of
from openprocure.supplier.punchout import services
from openprocure.supplier.punchout.choices import SessionStatus
from openprocure.supplier.punchout.framing import frame_for_session

SESSION_PATH = re.compile(r"^/po/(?P<key>[A-Za-z0-9_-]{40,64})(?P<rest>/.*)$")
# Paths a linked account may still reach outside a PunchOut session.
_LINKED_ALLOWED = (
    "/accounts/logout/",
    "/i18n/",
    "/static/",
    "/healthz",
    "/business/punchout-only/",
    "/po/",
    "/oci/",
    "/cxml/",
)
#: The pages (URL names) a PunchOut session may open: the catalog, the cart and its return, the
#: shopper's own orders and the code catalogue. The list is explicit: a page added later is not
#: reachable with a partner's credential until it is added here.
SESSION_VIEWS = frozenset(
    {
        "home",
        "punchout-welcome",
        "cart",
        "cart-add",
        "cart-update",
        "cart-submit",
        "cart-cancel",
        "catalog-search",
        "catalog-suggest",
        "catalog-departments",
        "catalog-browse",
        "catalog-product",
        "catalog-image",
        "orders-codes",
        "orders-account",
        "orders-account-order",
        "set_language",
    }
)


def session_may_open(path: str) -> bool:
    """Whether ``path`` (inside ``/po/<key>/``, prefix removed) is a page of :data:`SESSION_VIEWS`."""
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.url_name in SESSION_VIEWS


class PunchOutSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        match = SESSION_PATH.match(request.path_info)
        if match is None:
            request.punchout = None  # type: ignore[attr-defined]  # this middleware adds the attribute to the request
            membership = membership_of(request.user)
            if (
                membership is not None
                and membership.linked
                and not request.path_info.startswith(_LINKED_ALLOWED)
            ):
                return redirect("business-punchout-only")
            # The catalog's pricing strategy reads the customer's business from the request.
            if membership is not None and membership.business.is_verified:
                request.business = membership.business  # type: ignore[attr-defined]  # this middleware adds the attribute to the request
            return self.get_response(request)
        return self.in_session(request, match["key"], match["rest"])

    def in_session(self, request: HttpRequest, key: str, rest: str) -> HttpResponse:
        session = services.session_for_key(key)
        if session is None or not services.is_usable(session):
            superseded = session is not None and session.status == SessionStatus.SUPERSEDED
            returned = session is not None and session.status in (
                SessionStatus.RETURNED,
                SessionStatus.CANCELLED,
            )
            response = render(
                request,
                "punchout/session_ended.html",
                {"superseded": superseded, "returned": returned},
                status=410,
            )
            return frame_for_session(response, session)
        request.punchout = session  # type: ignore[attr-defined]  # this middleware adds the attribute to the request
        request.business = session.business  # type: ignore[attr-defined]  # this middleware adds the attribute to the request
        # Who shops is the session's person, whatever the browser's own sign-in cookie says.
        if session.user is not None:
            request.user = session.user
        else:
            from django.contrib.auth.models import AnonymousUser

            request.user = AnonymousUser()
        # The key in the URL is an unguessable bearer token, and the cross-site iframe may carry no
        # CSRF cookie: a request that knows the key is the session's own.
        request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]  # this middleware adds the attribute to the request
        previous = get_script_prefix()
        base = previous.rstrip("/") + f"/po/{key}/"
        request.path_info = rest
        set_script_prefix(base)
        try:
            if session.user is None and rest != "/welcome/":
                return redirect(reverse("punchout-welcome"))
            if not session_may_open(rest):
                response = render(request, "punchout/not_for_sessions.html", status=403)
            else:
                response = self.get_response(request)
        finally:
            set_script_prefix(previous)
        frame_for_session(response, session)
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response
