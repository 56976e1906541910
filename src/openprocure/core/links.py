"""URLs that came from outside (a partner's document, a form) are data until proven to be web links.

A ship notice's ``trackingURL`` or any other URL a partner sends may say ``javascript:…`` or
``data:…``: rendered as ``href`` it would run script in our page. Only ``http`` and ``https`` URLs
with a host become links (``{% partner_link %}`` in ``core_links``); anything else is shown as text.
"""

from __future__ import annotations

from urllib.parse import urlsplit

WEB_SCHEMES = frozenset({"http", "https"})
# What a browser strips or ignores in a URL before reading its scheme (WHATWG URL: leading and
# trailing C0 controls and spaces; tab and newlines anywhere).
_IGNORED = "".join(chr(c) for c in range(0x21))


def web_url(value: object) -> str | None:
    """``value`` as an http(s) URL with a host, ready for ``href``; None when it is anything else."""
    if not isinstance(value, str):
        return None
    url = value.strip(_IGNORED)
    if not url or any(c in url for c in "\t\r\n"):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.hostname:
        return None
    return url
