"""Which addresses a server-side request to a partner's URL may connect to.

A partner (or an administrator) names the URLs we post to: a supplier's setup and order URLs, the
URL a ProfileResponse gives, a buyer's inbound cXML URL, a platform's API. Left unchecked, such a URL
makes our server connect wherever it says: its own loopback services, the private network behind
it, the cloud's metadata service at 169.254.169.254 (server-side request forgery). Every request
goes through :func:`resolve`, which refuses

- any scheme but ``http`` and ``https``;
- a host that resolves to a loopback, private, link-local, multicast, reserved, unspecified or
  otherwise not globally routable address — unless the host name or the address is in the
  :class:`NetworkPolicy`'s allow-list.

The check is made on the address actually connected to: the name is resolved once, here, and the
connection is opened to that address (the ``Host`` header and the TLS server name stay the host
name), so a name that resolves to a public address when checked and to a private one a moment later
(DNS rebinding) cannot slip past.

The policy is the process's (:func:`configure`, which the sites call with their setting) unless a
caller passes its own. Without configuration nothing but public addresses is allowed.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

__all__ = [
    "LOOPBACK_NETWORKS",
    "NetworkPolicy",
    "RefusedDestination",
    "address_category",
    "check_url",
    "configure",
    "current_policy",
    "resolve",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: How a refusal ends unless the policy says otherwise.
DEFAULT_HINT = "allow it in the partner network allow-list if it is yours"
#: The loopback networks, for a policy that lets a demo or a test talk to itself.
LOOPBACK_NETWORKS = ("127.0.0.0/8", "::1/128")


class RefusedDestination(ValueError):
    """A URL we will not connect to; the message says why and how to allow it when it is the operator's.

    ``host``, ``address`` and ``category`` (see :func:`address_category`) say which address was
    refused; they are empty for a refused scheme or an unusable URL.
    """

    def __init__(self, message: str, *, host: str = "", address: str = "", category: str = "") -> None:
        super().__init__(message)
        self.host = host
        self.address = address
        self.category = category


@dataclass(frozen=True, slots=True)
class NetworkPolicy:
    """Host names and networks that may be non-public, and what a refusal tells the person to do."""

    networks: tuple[IPNetwork, ...] = ()
    hosts: frozenset[str] = frozenset()
    #: The end of a refusal's message: how an operator allows a non-public destination of theirs.
    hint: str = DEFAULT_HINT

    @classmethod
    def from_entries(cls, entries: Iterable[str], *, hint: str | None = None) -> NetworkPolicy:
        """A policy from allow-list entries: each a CIDR network, an IP address or a host name.

        Raises :class:`ValueError` naming an entry that is none of these.
        """
        networks: list[IPNetwork] = []
        hosts: set[str] = set()
        for raw in entries:
            entry = raw.strip()
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
                continue
            except ValueError:
                pass
            name = entry.rstrip(".").lower()
            if "/" in name or not _is_host_name(name):
                raise ValueError(f"{entry!r} is neither a network (CIDR), an IP address nor a host name")
            hosts.add(name)
        return cls(tuple(networks), frozenset(hosts), hint if hint is not None else DEFAULT_HINT)

    def allows_host(self, host: str) -> bool:
        return host.rstrip(".").lower() in self.hosts

    def allows_address(self, address: IPAddress) -> bool:
        return any(address.version == net.version and address in net for net in self.networks)


def _is_host_name(name: str) -> bool:
    labels = name.split(".")
    return bool(name) and all(
        label and len(label) <= 63 and all(c.isalnum() or c in "-_" for c in label) for label in labels
    )


_default_policy = NetworkPolicy()
_policy_source: Callable[[], NetworkPolicy] = lambda: _default_policy  # noqa: E731


def configure(source: NetworkPolicy | Callable[[], NetworkPolicy]) -> Callable[[], NetworkPolicy]:
    """Use ``source`` (a policy, or a callable read at each request) when a caller passes none.

    Returns the source used until now (to put it back).
    """
    global _policy_source
    previous = _policy_source
    if isinstance(source, NetworkPolicy):
        fixed = source
        _policy_source = lambda: fixed  # noqa: E731
    else:
        _policy_source = source
    return previous


def current_policy() -> NetworkPolicy:
    """The process's policy (see :func:`configure`)."""
    return _policy_source()


def address_category(address: IPAddress) -> str | None:
    """Why ``address`` is not a public one ("loopback", "private", …), or None when it is public."""
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None:
            return address_category(mapped)
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address.is_reserved:
        return "reserved"
    if address.is_private:
        return "private"
    if not address.is_global:
        return "non-public"
    return None


@dataclass(frozen=True, slots=True)
class Destination:
    """Where a URL's request goes: the host name as written, the port, and the checked addresses."""

    host: str
    port: int
    addresses: tuple[str, ...] = field(default=())


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def _split(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of ``url``; :class:`RefusedDestination` for a scheme or host we refuse,
    :class:`ValueError` for an unusable port."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise RefusedDestination(
            f"only http and https URLs are requested, not {scheme + ':' if scheme else 'a relative URL'} ({url})"
        )
    host = parts.hostname or ""
    if not host:
        raise RefusedDestination(f"the URL {url} names no host")
    # A port that is not a number or out of range raises urllib's own ValueError: a broken URL, not
    # a refused destination.
    port = parts.port or _default_port(scheme)
    return scheme, host, port


def resolve(url: str, *, policy: NetworkPolicy | None = None) -> Destination:
    """The addresses a request for ``url`` may connect to, checked against ``policy``.

    Raises :class:`RefusedDestination` for a scheme other than http(s) or when every address the
    host resolves to is refused, and :class:`OSError` (``socket.gaierror``) when the name does not
    resolve. Addresses the policy refuses are dropped; the rest keep the resolver's order.
    """
    rules = policy if policy is not None else current_policy()
    _scheme, host, port = _split(url)
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    allowed: list[str] = []
    refused: list[tuple[str, str]] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        text = str(sockaddr[0]).split("%", 1)[0]
        address = ipaddress.ip_address(text)
        category = address_category(address)
        if category is None or rules.allows_host(host) or rules.allows_address(address):
            if text not in allowed:
                allowed.append(text)
        else:
            refused.append((text, category))
    if not allowed:
        text, category = refused[0]
        article = "an" if category[0] in "aeiou" else "a"
        if host == text:
            message = f"{text} is {article} {category} address; {rules.hint}"
        else:
            message = f"{host} resolves to {article} {category} address {text}; {rules.hint}"
        raise RefusedDestination(message, host=host, address=text, category=category)
    return Destination(host, port, tuple(allowed))


def check_url(url: str, *, policy: NetworkPolicy | None = None) -> RefusedDestination | None:
    """Why a request for ``url`` would be refused, or None (also when the name does not resolve now).

    For forms that take a partner's URL: the refusal is shown when the URL is saved, not only when a
    document is sent to it.
    """
    try:
        resolve(url, policy=policy)
    except RefusedDestination as error:
        return error
    except (OSError, UnicodeError, ValueError):  # does not resolve now, or a broken port: said at delivery
        return None
    return None
