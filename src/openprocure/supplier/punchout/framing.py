"""Who may frame a PunchOut page: the procurement system of the session's business.

A procurement system opens the storefront in its own window or iframe and takes the cart back at
its return address (cXML BrowserFormPost, OCI HOOK_URL), which must be one of the business's
allowed return addresses. The origins of those addresses are the systems allowed to frame the
business's PunchOut pages (``Content-Security-Policy: frame-ancestors``); every other page of the
storefront may be framed by nobody.
"""

from __future__ import annotations

from openprocure.core.security import R, allow_framing
from openprocure.supplier.business.models import Integration
from openprocure.supplier.punchout.models import PunchOutSession


def frame_for_integration(response: R, integration: Integration | None) -> R:
    """Let the business's procurement systems (origins of its allowed return addresses) frame ``response``."""
    urls = list(integration.allowed_return_urls or []) if integration is not None else []
    return allow_framing(response, urls)


def frame_for_session(response: R, session: PunchOutSession | None) -> R:
    """``frame_for_integration`` for a session's business (and the session's own return address)."""
    if session is None:
        return allow_framing(response, [])
    allow_framing(response, [*(session.integration.allowed_return_urls or []), session.return_url or ""])
    return response
