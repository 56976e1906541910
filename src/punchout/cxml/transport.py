"""Moving cXML: the BrowserFormPost hidden field, and server-to-server HTTP POST.

A PunchOutOrderMessage travels through the user's browser as a hidden form field named
``cxml-urlencoded`` (the XML text, which the browser URL-encodes) or ``cxml-base64``. Every other
document is POSTed server to server; the reply is a cXML Response whose Status decides: 2xx
accepted, 4xx permanent (do not retry), network failure or 5xx transient (retry with backoff —
the same payloadID makes the retry idempotent).

A POST has one **deadline** for the whole exchange: connecting, sending the document and reading the
whole answer. A socket timeout alone bounds each read, so a partner that drips its answer a byte at a
time would hold the sender for as long as it likes; here every read waits at most until the deadline,
and a partner still answering then is cut off (a transient failure, retried later).
"""

from __future__ import annotations

import base64
import binascii
import http.client
import io
import re
import socket
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from punchout.cxml.common import CXML, ParseWarning, Status
from punchout.cxml.errors import CXMLError, InvalidDocument
from punchout.cxml.parser import parse
from punchout.netguard import NetworkPolicy, resolve

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

__all__ = [
    "DeliveryError",
    "FormEncoding",
    "HttpAnswer",
    "PermanentDeliveryError",
    "PostResult",
    "TransientDeliveryError",
    "decode_form",
    "encode_form",
    "http_exchange",
    "post_cxml",
    "post_to_partner",
]

FormEncoding = Literal["cxml-urlencoded", "cxml-base64"]
_FIELDS: tuple[FormEncoding, ...] = ("cxml-urlencoded", "cxml-base64")
_DECLARED_ENCODING = re.compile(r"^(\s*<\?xml[^>]*?encoding\s*=\s*)([\"'])[^\"']*\2", re.IGNORECASE)
MAX_RESPONSE_BYTES = 10 * 1024 * 1024
#: Seconds one POST may take from the first connection attempt to the last byte of the answer.
DEFAULT_DEADLINE_SECONDS = 30.0


def encode_form(body: bytes, encoding: FormEncoding = "cxml-urlencoded") -> dict[str, str]:
    """The hidden form field (name -> value) that carries ``body`` in a BrowserFormPost."""
    if encoding == "cxml-urlencoded":
        return {"cxml-urlencoded": body.decode("utf-8")}
    if encoding == "cxml-base64":
        return {"cxml-base64": base64.b64encode(body).decode("ascii")}
    raise ValueError(f"unknown BrowserFormPost encoding {encoding!r}; use one of {', '.join(_FIELDS)}")


def decode_form(form: Mapping[str, str]) -> bytes:
    """The cXML document posted in a form: ``cxml-urlencoded`` or ``cxml-base64`` (any case)."""
    by_name = {key.casefold(): key for key in form}
    key = by_name.get("cxml-urlencoded")
    if key is not None:
        # The form framework has URL-decoded the text: it is Unicode now, so re-encode it as
        # UTF-8 and make any declared encoding say so.
        text = _DECLARED_ENCODING.sub(r"\1\2UTF-8\2", form[key], count=1)
        return text.encode("utf-8", "surrogatepass")
    key = by_name.get("cxml-base64")
    if key is not None:
        try:
            return base64.b64decode("".join(form[key].split()), validate=True)
        except (binascii.Error, ValueError):
            raise InvalidDocument(
                "the cxml-base64 form field is not valid base64; encode the whole cXML document "
                "with standard base64 (RFC 4648).",
                path="cxml-base64",
            ) from None
    present = ", ".join(sorted(form)[:10]) or "none"
    raise InvalidDocument(
        f"the form has no cxml-urlencoded or cxml-base64 field (fields received: {present}); "
        "post the PunchOutOrderMessage in one of them.",
        path="form",
    )


@dataclass(slots=True)
class PostResult:
    """A delivered document: the partner's HTTP status, cXML Status and parsed reply."""

    http_status: int
    status: Status
    document: CXML
    body: bytes
    warnings: list[ParseWarning] = field(default_factory=list)


class DeliveryError(Exception):
    """A document was not accepted; ``status_code`` (cXML or HTTP, 0 for network) and ``text``."""

    retryable = False

    def __init__(self, status_code: int, text: str, *, body: bytes = b"") -> None:
        self.status_code = status_code
        self.text = text
        self.body = body
        super().__init__(f"{status_code} {text}" if status_code else text)


class TransientDeliveryError(DeliveryError):
    """Network error, timeout, HTTP 5xx or cXML 5xx: retry later with the same payloadID."""

    retryable = True


class PermanentDeliveryError(DeliveryError):
    """HTTP 4xx, cXML 4xx or an unusable reply: retrying the same document will not help."""


class _DeadlinePassed(TimeoutError):
    """The deadline of the exchange passed before the answer was complete."""


class _Deadline:
    """The moment an exchange must be over, and how long each step may still wait for it."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise _DeadlinePassed
        return left


class _DeadlineReader(io.RawIOBase):
    """The answer's bytes, each read waiting at most until the deadline (however slowly they come)."""

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        super().__init__()
        self._sock = sock
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        self._sock.settimeout(self._deadline.remaining())
        return self._sock.recv_into(buffer)


class _AnswerSource:
    """What :class:`http.client.HTTPResponse` reads the answer from: the socket, under the deadline."""

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        self._reader = _DeadlineReader(sock, deadline)

    def makefile(self, mode: str) -> io.BufferedReader:
        return io.BufferedReader(self._reader)


@dataclass(slots=True)
class HttpAnswer:
    """One HTTP exchange as the partner answered it: status, headers (names in lower case), body, time."""

    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float
    #: Every ``Set-Cookie`` header as sent (``headers`` keeps one value per name).
    cookies: list[str] = field(default_factory=list)

    @property
    def content_type(self) -> str:
        """The media type without its parameters, in lower case (``""`` when the header is absent)."""
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def http_exchange(
    url: str,
    body: bytes | None = None,
    *,
    method: str = "POST",
    headers: Mapping[str, str] | None = None,
    deadline: float = DEFAULT_DEADLINE_SECONDS,
    max_bytes: int = MAX_RESPONSE_BYTES,
    policy: NetworkPolicy | None = None,
) -> HttpAnswer:
    """Send one request and read the whole answer before ``deadline`` seconds have passed.

    The host is resolved once and checked by :func:`punchout.netguard.resolve` (``policy``, or the
    process's): :class:`punchout.netguard.RefusedDestination` (a :class:`ValueError`) for a scheme
    other than http(s) or a non-public address the policy does not allow. The connection is opened to
    the checked address; the ``Host`` header and the TLS server name are the URL's host name.

    Raises :class:`TimeoutError` when the deadline passes, :class:`OSError` or
    :class:`http.client.HTTPException` when the partner cannot be reached or answers something that
    is not HTTP. Redirects are not followed; proxies named in the environment are never used.
    """
    started = time.monotonic()
    clock = _Deadline(deadline)
    parts = urlsplit(url)
    destination = resolve(url, policy=policy)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection: http.client.HTTPConnection
    if parts.scheme.lower() == "https":
        connection = http.client.HTTPSConnection(
            destination.host,
            destination.port,
            timeout=clock.remaining(),
            context=ssl.create_default_context(),
        )
    else:
        connection = http.client.HTTPConnection(destination.host, destination.port, timeout=clock.remaining())
    connection._create_connection = _connector(destination.addresses)  # type: ignore[attr-defined]  # http.client's hook for opening the socket
    sent = {"User-Agent": "punchout", "Connection": "close"}
    sent.update(headers or {})
    try:
        connection.connect()  # the TCP connection and the TLS handshake, each bounded by the time left
        assert connection.sock is not None
        # Since Python 3.5 a timeout bounds a whole sendall(), not each chunk of it.
        connection.sock.settimeout(clock.remaining())
        connection.request(method, target, body=body, headers=sent)
        # HTTPResponse only calls makefile("rb") on what it is given.
        source = _AnswerSource(connection.sock, clock)
        reply = http.client.HTTPResponse(source, method=method)  # type: ignore[arg-type]  # HTTPResponse only calls makefile() on its socket
        try:
            reply.begin()
            payload = reply.read(max_bytes + 1)
            answer_headers = {name.lower(): value for name, value in reply.getheaders()}
            cookies = reply.headers.get_all("Set-Cookie") or []
            return HttpAnswer(reply.status, answer_headers, payload, time.monotonic() - started, cookies)
        finally:
            reply.close()
    finally:
        connection.close()


def _connector(addresses: tuple[str, ...]) -> Callable[..., socket.socket]:
    """Opens the connection to the first of the checked ``addresses`` that answers (never re-resolving)."""

    def connect(
        address: tuple[str, int], timeout: float | None = None, source_address: tuple[str, int] | None = None
    ) -> socket.socket:
        error: OSError | None = None
        for ip in addresses:
            try:
                return socket.create_connection((ip, address[1]), timeout, source_address)
            except OSError as failed:
                error = failed
        assert error is not None  # resolve() never returns without an address
        raise error

    return connect


def post_to_partner(
    url: str,
    body: bytes,
    *,
    posted: str,
    headers: dict[str, str],
    deadline: float,
    mask_answer: Callable[[bytes], bytes] | None,
) -> tuple[int, bytes]:
    """POST ``body`` (a business document: ``posted`` names its kind in the refusal of a URL, e.g.
    ``"cXML is"``) to a partner's ``url`` and read the whole answer, all within ``deadline``
    seconds: the HTTP status and the body, ``mask_answer`` applied to it when given.

    Refuses (``ValueError``) a URL that is not http or https or names no host. A partner that has
    not answered in full when the deadline passes, or cannot be reached (refused, reset, a broken
    or partial reply), raises :class:`TransientDeliveryError` saying so.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ValueError(f"{posted} posted over http or https, not {scheme or 'a relative URL'!r}")
    if not parts.hostname:
        raise ValueError(f"the URL {url!r} names no host")
    try:
        answer = http_exchange(url, body, headers=headers, deadline=deadline)
    except TimeoutError:
        # Every wait (connect, handshake, send, each read) was given only the time left before the
        # deadline, so any timeout means the deadline passed.
        raise TransientDeliveryError(
            0,
            f"{parts.netloc} did not answer in full within {deadline:g} s (the deadline of one delivery "
            "attempt); the connection was cut",
        ) from None
    except (OSError, http.client.HTTPException) as exc:  # refused, reset, a broken or partial reply
        raise TransientDeliveryError(0, f"could not reach {parts.netloc}: {str(exc) or repr(exc)}") from None
    return answer.status, mask_answer(answer.body) if mask_answer else answer.body


def post_cxml(
    url: str,
    body: bytes,
    *,
    deadline: float = DEFAULT_DEADLINE_SECONDS,
    mask_answer: Callable[[bytes], bytes] | None = None,
) -> PostResult:
    """POST a cXML document and read the partner's Response, all within ``deadline`` seconds.

    Returns on a 2xx cXML Status; raises :class:`TransientDeliveryError` or
    :class:`PermanentDeliveryError` otherwise, carrying the status code and the partner's text. A
    partner that has not answered in full when the deadline passes is cut off: a
    :class:`TransientDeliveryError` that says so. (Resolving the host name is left to the system
    resolver and its own timeouts.) Proxies named in the environment are never used.

    ``mask_answer`` is applied to the answer before anything reads it: the returned or raised
    answer, and the texts taken from it, hold nothing it hides (e.g. a secret the partner echoes).
    """
    http_status, payload = post_to_partner(
        url,
        body,
        posted="cXML is",
        headers={"Content-Type": "text/xml; charset=utf-8", "Accept": "text/xml, application/xml"},
        deadline=deadline,
        mask_answer=mask_answer,
    )
    return _interpret(http_status, payload)


def _interpret(http_status: int, payload: bytes) -> PostResult:
    try:
        result = parse(payload, max_bytes=MAX_RESPONSE_BYTES)
        status = result.document.status
    except CXMLError as exc:
        result, status = None, None
        detail = exc.message
    if result is None or status is None:
        text = f"HTTP {http_status}, and the reply is not a cXML Response"
        if result is None:
            text += f" ({detail})"
        if http_status >= 500:
            raise TransientDeliveryError(http_status, text, body=payload)
        raise PermanentDeliveryError(http_status, text, body=payload)
    partner_text = f"{status.text}: {status.message}" if status.message else status.text
    if status.code >= 500 or http_status >= 500:
        raise TransientDeliveryError(
            status.code if status.code >= 500 else http_status, partner_text, body=payload
        )
    if status.code >= 400 or http_status >= 400:
        raise PermanentDeliveryError(
            status.code if status.code >= 400 else http_status, partner_text, body=payload
        )
    if not 200 <= status.code < 300:
        raise PermanentDeliveryError(status.code, f"unexpected cXML status: {partner_text}", body=payload)
    return PostResult(http_status, status, result.document, payload, result.warnings)
