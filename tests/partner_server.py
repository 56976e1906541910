"""A real HTTP server on 127.0.0.1 that plays a trading partner's cXML endpoint in tests.

It answers each POST with the next scripted answer (HTTP status + body) and keeps every request
it received, so a test can check what was delivered and how many times. With ``drip`` it plays a
partner that sends its answer one byte at a time, ``drip`` seconds apart (each read of the sender
gets a byte long before any socket timeout, so only an overall deadline stops it).
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType


def cxml_response(code: int, text: str, message: str = "") -> bytes:
    """A minimal cXML Response with the given Status, as a partner would send it."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.071/cXML.dtd">\n'
        '<cXML payloadID="reply@partner.test" timestamp="2026-11-26T10:00:00+00:00">'
        f'<Response><Status code="{code}" text="{text}">{message}</Status></Response></cXML>'
    ).encode()


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class PartnerServer:
    """Start with ``with PartnerServer() as server:``; ``server.url`` is its endpoint."""

    answers: deque[tuple[int, bytes]] = field(default_factory=deque)
    default: tuple[int, bytes] = (200, cxml_response(200, "OK"))
    received: list[Received] = field(default_factory=list)
    delay: float = 0.0
    drip: float = 0.0
    # Answers being sent right now, and for each answer sent: (bytes sent, bytes of the whole answer).
    answering: int = 0
    answers_sent: list[tuple[int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        outer = self
        self._stopped = threading.Event()
        self._lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                outer.received.append(Received(self.path, dict(self.headers.items()), body))
                if outer.delay:
                    threading.Event().wait(outer.delay)
                status, payload = outer.answers.popleft() if outer.answers else outer.default
                with outer._lock:
                    outer.answering += 1
                sent, total = 0, len(payload)
                try:
                    if outer.drip:
                        sent, total = self._drip(status, payload)
                    else:
                        self.send_response(status)
                        self.send_header("Content-Type", "text/xml; charset=utf-8")
                        self.send_header("Content-Length", str(len(payload)))
                        self.end_headers()
                        self.wfile.write(payload)
                        sent = total
                finally:
                    with outer._lock:
                        outer.answering -= 1
                        outer.answers_sent.append((sent, total))

            def _drip(self, status: int, payload: bytes) -> tuple[int, int]:
                """Send the whole answer a byte at a time; (bytes sent, bytes of the answer)."""
                answer = (
                    f"HTTP/1.0 {status} OK\r\nContent-Type: text/xml; charset=utf-8\r\n"
                    f"Content-Length: {len(payload)}\r\n\r\n"
                ).encode() + payload
                for sent, byte in enumerate(answer):
                    if outer._stopped.wait(outer.drip):
                        return sent, len(answer)
                    try:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                    except OSError:  # the sender hung up
                        self.close_connection = True
                        return sent, len(answer)
                return len(answer), len(answer)

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/cxml/"

    def script(self, *answers: tuple[int, bytes]) -> None:
        self.answers.extend(answers)

    def __enter__(self) -> PartnerServer:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stopped.set()
        self._server.shutdown()
        self._server.server_close()


def free_port_url() -> str:
    """The URL of a port on 127.0.0.1 where nothing listens (a partner that is down)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/cxml/"
