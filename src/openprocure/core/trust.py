"""What the sites trust of what crosses their boundary: the addresses partners' URLs may reach, and
the client address of a request that came through a reverse proxy.

- Outbound: every server-side request to a partner's URL goes through :mod:`punchout.netguard`,
  which refuses non-public addresses. The sites configure it with :func:`partner_policy` (the
  ``PARTNER_ALLOWED_NETWORKS`` setting, ``OPENPROCURE_PARTNER_ALLOWED_NETWORKS``), and forms that
  take a partner's URL refuse it at save time with :func:`partner_url_error`.
- Inbound: :func:`client_address` is the one answer to "who sent this request" for the rate limits,
  the sign-in lockout (``AXES_CLIENT_IP_CALLABLE``) and the partner endpoints' journal. Behind a
  reverse proxy every peer is the proxy; only when the peer is one of ``TRUSTED_PROXIES`` is
  ``X-Forwarded-For`` read, from the right: the first address that is not itself a trusted proxy.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext

from punchout.netguard import NetworkPolicy, check_url

__all__ = ["client_address", "partner_policy", "partner_url_error", "trusted_proxies"]

ALLOW_HINT = "allow it with OPENPROCURE_PARTNER_ALLOWED_NETWORKS if it is yours"
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _policy(entries: tuple[str, ...]) -> NetworkPolicy:
    return NetworkPolicy.from_entries(entries, hint=ALLOW_HINT)


def partner_policy() -> NetworkPolicy:
    """The policy of :mod:`punchout.netguard` the ``PARTNER_ALLOWED_NETWORKS`` setting gives (read each time)."""
    return _policy(tuple(settings.PARTNER_ALLOWED_NETWORKS))


def _category(category: str) -> str:
    names = {
        "loopback": gettext("a loopback address"),
        "private": gettext("a private address"),
        "link-local": gettext("a link-local address"),
        "multicast": gettext("a multicast address"),
        "reserved": gettext("a reserved address"),
        "unspecified": gettext("an unspecified address"),
    }
    return names.get(category, gettext("a non-public address"))


def partner_url_error(url: str) -> str | None:
    """Why documents could not be sent to ``url`` (translated, for a form), or None.

    A name that does not resolve now is not refused here: the delivery says so when it happens.
    """
    refused = check_url(url, policy=partner_policy())
    if refused is None:
        return None
    if not refused.address:
        return gettext("Only http and https addresses can be used.")
    values = {"host": refused.host, "address": refused.address, "kind": _category(refused.category)}
    if refused.host == refused.address:
        return (
            gettext(
                "%(address)s is %(kind)s: documents are not sent there. If it is yours, an "
                "operator allows it with OPENPROCURE_PARTNER_ALLOWED_NETWORKS."
            )
            % values
        )
    return (
        gettext(
            "%(host)s resolves to %(kind)s (%(address)s): documents are not sent there. If it is "
            "yours, an operator allows it with OPENPROCURE_PARTNER_ALLOWED_NETWORKS."
        )
        % values
    )


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(entry.strip().strip("[]"), strict=False) for entry in entries)


def trusted_proxies() -> tuple[IPNetwork, ...]:
    """The networks of the ``TRUSTED_PROXIES`` setting (``ValueError`` on an entry that is not one)."""
    return _networks(tuple(settings.TRUSTED_PROXIES))


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = text.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 203.0.113.7:51000
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address, proxies: tuple[IPNetwork, ...]) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def client_address(request: HttpRequest) -> str:
    """The address of the client that sent ``request``, as far as the trusted proxies vouch for it.

    ``REMOTE_ADDR`` unless it is a trusted proxy; then ``X-Forwarded-For`` is read from the right
    (each proxy appends the peer it saw), skipping trusted proxies, and the first other address is
    the client. A header with nothing usable there leaves the peer's address: what a client writes in
    the header itself, left of what our proxies appended, is never believed.
    """
    peer = str(request.META.get("REMOTE_ADDR", "") or "")
    proxies = trusted_proxies()
    peer_address = _address(peer)
    if not proxies or peer_address is None or not _trusted(peer_address, proxies):
        return peer
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", "") or "")
    hops = [hop for hop in (part.strip() for part in forwarded.split(",")) if hop]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return peer  # a hop we cannot read: nothing to its left can be vouched for
        if not _trusted(address, proxies):
            return str(address)
    # Every hop is one of our proxies: the request started at the left-most.
    first = _address(hops[0]) if hops else None
    return str(first) if first is not None else peer
