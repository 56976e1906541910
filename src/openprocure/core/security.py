"""Per-response changes to the Content-Security-Policy (django-csp) that a few pages need.

The policy itself is in ``settings_base.CONTENT_SECURITY_POLICY``: no page may be framed, scripts
run only from our static files or with the response's nonce. Two kinds of page differ:

- PunchOut pages live in the procurement system's window or iframe: ``allow_framing`` lets the
  origins of the business's allowed return addresses (the systems that open the session) frame
  them, and nobody else;
- the page that posts a cart back to the procurement system (cXML BrowserFormPost or OCI
  HOOK_URL): ``allow_form_post`` lets its form go to that one address's origin.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar
from urllib.parse import urlsplit

from csp.constants import NONE, SELF
from django.http import HttpResponseBase

from openprocure.core.links import web_url

R = TypeVar("R", bound=HttpResponseBase)


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of an http(s) URL; None for anything else."""
    checked = web_url(url)
    if checked is None:
        return None
    parts = urlsplit(checked)
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 address goes back in brackets
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme.lower()}://{host}{port}"


def _replace(response: HttpResponseBase, directive: str, sources: list[str]) -> None:
    replaced = dict(getattr(response, "_csp_replace", None) or {})
    replaced[directive] = sources
    response._csp_replace = replaced  # type: ignore[attr-defined]  # a marker attribute on the response, read by middleware


def allow_framing(response: R, urls: Iterable[str]) -> R:
    """Let the origins of ``urls`` (and only they) frame this response.

    ``X-Frame-Options`` cannot name an origin, so it is left off then; browsers that know CSP obey
    ``frame-ancestors`` instead. With no usable origin, nobody may frame the page (and it says DENY).
    """
    origins = sorted({origin for origin in (origin_of(url) for url in urls) if origin})
    _replace(response, "frame-ancestors", origins or [NONE])
    # X-Frame-Options (for browsers without CSP) can only say DENY, which is right when nobody may.
    response.xframe_options_exempt = bool(origins)  # type: ignore[attr-defined]  # a marker attribute on the response, read by middleware
    return response


def allow_form_post(response: R, url: str) -> R:
    """Let this page's form post to ``url``'s origin (an http(s) URL) or scheme (``sapevent:``)."""
    origin = origin_of(url)
    if origin is None and url.strip().lower().startswith("sapevent:"):
        origin = "sapevent:"
    _replace(response, "form-action", [SELF, origin] if origin else [SELF])
    return response
