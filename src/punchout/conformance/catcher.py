"""The return address of a conformance run: a small HTTP server on loopback that keeps what is posted.

A supplier sends the cart back through the shopper's browser: a page whose form posts to the
BrowserFormPost URL (cXML) or the HOOK_URL (OCI). The run gives the supplier the URL of a
:class:`Catcher` and reads what arrives there, byte for byte, so the encoding the supplier really
used can be compared with the one its document declares.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qsl

__all__ = ["Catcher", "Posted"]

#: Bytes of one posted form kept (a cart of a few hundred lines fits many times over).
MAX_FORM_BYTES = 8 * 1024 * 1024


@dataclass(slots=True)
class Posted:
    """One request that reached the catcher: its path, Content-Type and body exactly as sent."""

    method: str
    path: str
    content_type: str
    body: bytes
    query: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    def raw_fields(self) -> list[tuple[str, bytes]]:
        """The form's fields (urlencoded body, then query string), each value as the bytes the sender encoded.

        Percent-escapes are undone byte by byte, without decoding: the value's bytes are what the
        sender's page charset made of the text.
        """
        pairs: list[tuple[str, bytes]] = []
        for source in (self.body, self.query.encode("latin-1", "replace")):
            text = source.decode("latin-1")
            pairs += [
                (name, value.encode("latin-1"))
                for name, value in parse_qsl(text, keep_blank_values=True, encoding="latin-1")
            ]
        return pairs


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _keep(self) -> None:
        length = min(int(self.headers.get("Content-Length") or 0), MAX_FORM_BYTES)
        body = self.rfile.read(length) if length > 0 else b""
        path, _, query = self.path.partition("?")
        self.server.posts.put(
            Posted(
                method=self.command,
                path=path,
                content_type=self.headers.get("Content-Type", ""),
                body=body,
                query=query,
                headers={k.lower(): v for k, v in self.headers.items()},
            )
        )
        page = (
            b"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Received</title></head>"
            b"<body><p>Cart received by the conformance check.</p></body></html>"
        )
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    def do_POST(self) -> None:
        self._keep()

    def do_GET(self) -> None:
        self._keep()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: what arrived is in the report."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    posts: queue.Queue[Posted]


class Catcher:
    """``with Catcher() as catcher:`` serves ``catcher.url`` on 127.0.0.1 until the block ends."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, path: str = "/cart-return") -> None:
        self._server = _Server((host, port), _Handler)
        self._server.posts = queue.Queue()
        self._thread = threading.Thread(
            # A short poll, so that closing the catcher ends the run at once.
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="conformance-catcher",
            daemon=True,
        )
        bound_host, bound_port = self._server.server_address[:2]
        self.url = f"http://{bound_host!s}:{bound_port}{path}"

    def __enter__(self) -> Catcher:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()

    def drain(self) -> None:
        """Forget what arrived so far (before a step whose post is awaited)."""
        while True:
            try:
                self._server.posts.get_nowait()
            except queue.Empty:
                return

    def wait(self, seconds: float) -> Posted | None:
        """The next request that arrives within ``seconds``, or None."""
        try:
            return self._server.posts.get(timeout=max(seconds, 0.0))
        except queue.Empty:
            return None
