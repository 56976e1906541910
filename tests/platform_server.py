"""A local platform speaking the AFNOR XP Z12-013 flow API (Flow Service 1.3.0), for the adapter's tests.

It follows the OpenAPI description of ``ANNEXE A -XP Z12-013 - Flow_Service-1.3.0-swagger.json``:
an OAuth2 client-credentials token service (``POST /token``), ``POST /v1/flows`` (multipart
``flowInfo`` + ``file``, answered 202 with a ``FullFlowInfo``), ``POST /v1/flows/search``
(``SearchFlowParams`` → ``SearchFlowContent`` with ``nextCursor`` pages) and
``GET /v1/flows/{flowId}?docType=Original`` (the file). Errors are ``Error`` objects
(``errorCode``, ``errorMessage``). Tests script failures with ``fail_next`` and read what came in.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from dataclasses import dataclass, field
from datetime import datetime
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

CLIENT_ID, CLIENT_SECRET = "openprocure", "s3cret:with/odd&chars"


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass
class Flow:
    id: str
    name: str
    syntax: str
    direction: str
    content: bytes
    updated_at: str
    info: dict[str, Any] = field(default_factory=dict)


class XPZ12013Server:
    """Run with ``with XPZ12013Server() as platform:``; ``platform.base_url``, ``platform.token_url``."""

    def __init__(self, *, token_lifetime: int = 3600, page_size: int = 2) -> None:
        self.token_lifetime = token_lifetime
        self.page_size = page_size
        self.flows: list[Flow] = []
        self.tokens_issued: list[str] = []
        self.valid_tokens: set[str] = set()
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.searches: list[dict[str, Any]] = []
        #: (status, errorCode) answered to the next calls of the flow API, then normal service.
        self.fail_next: list[tuple[int, str]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/flow-service"

    @property
    def token_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/auth-service/acme/token"

    def __enter__(self) -> XPZ12013Server:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def add_inbound(self, flow_id: str, name: str, content: bytes, syntax: str, updated_at: str) -> None:
        self.flows.append(Flow(flow_id, name, syntax, "In", content, updated_at))

    def outbound(self) -> list[Flow]:
        return [flow for flow in self.flows if flow.direction == "Out"]

    def expire_tokens(self) -> None:
        """The platform revokes every token (as after its own restart)."""
        self.valid_tokens.clear()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, status: int, body: Any, content_type: str = "application/json") -> None:
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _error(self, status: int, code: str, message: str = "") -> None:
                self._answer(status, {"errorCode": code, "errorMessage": message or code})

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _authorised(self) -> bool:
                header = self.headers.get("Authorization", "")
                if not header.startswith("Bearer ") or header[7:] not in platform.valid_tokens:
                    self._error(401, "UNAUTHORIZED", "invalid or expired token")
                    return False
                return True

            def _scripted_failure(self) -> bool:
                with platform._lock:
                    failure = platform.fail_next.pop(0) if platform.fail_next else None
                if failure is None:
                    return False
                self._error(failure[0], failure[1], f"scripted {failure[0]}")
                return True

            def do_POST(self) -> None:
                path = urlsplit(self.path).path
                body = self._body()
                platform.requests.append(("POST", path, dict(self.headers)))
                if path.endswith("/token"):
                    return self._token(body)
                if not self._authorised() or self._scripted_failure():
                    return None
                if path == "/flow-service/v1/flows":
                    return self._create(body)
                if path == "/flow-service/v1/flows/search":
                    return self._search(json.loads(body))
                return self._error(404, "NOT_FOUND")

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                platform.requests.append(("GET", parts.path, dict(self.headers)))
                if not self._authorised() or self._scripted_failure():
                    return
                flow_id = unquote(parts.path.removeprefix("/flow-service/v1/flows/"))
                flow = next((f for f in platform.flows if f.id == flow_id), None)
                if flow is None:
                    return self._error(404, "FLOW_NOT_FOUND")
                if parse_qs(parts.query).get("docType") == ["Original"]:
                    kind = "application/pdf" if flow.syntax == "Factur-X" else "application/xml"
                    return self._answer(200, flow.content, kind)
                return self._answer(200, self._flow_json(flow))

            def _token(self, body: bytes) -> None:
                form = parse_qs(body.decode())
                basic = self.headers.get("Authorization", "").removeprefix("Basic ")
                user, _, password = base64.b64decode(basic).decode().partition(":")
                if form.get("grant_type") != ["client_credentials"] or (unquote(user), unquote(password)) != (
                    CLIENT_ID,
                    CLIENT_SECRET,
                ):
                    return self._answer(401, {"error": "invalid_client"})
                token = f"token-{len(platform.tokens_issued) + 1}"
                platform.tokens_issued.append(token)
                platform.valid_tokens.add(token)
                return self._answer(
                    200,
                    {"access_token": token, "token_type": "Bearer", "expires_in": platform.token_lifetime},
                )

            def _create(self, body: bytes) -> None:
                message = BytesParser(policy=HTTP).parsebytes(
                    b"Content-Type: " + self.headers["Content-Type"].encode() + b"\r\n\r\n" + body
                )
                parts = {
                    part.get_param("name", header="content-disposition"): part
                    for part in message.iter_parts()
                }
                if "flowInfo" not in parts or "file" not in parts:
                    return self._error(400, "MISSING_REQUIRED_FIELD", "flowInfo and file are required")
                info = json.loads(parts["flowInfo"].get_payload(decode=True))
                content = parts["file"].get_payload(decode=True)
                if not info.get("name") or info.get("flowSyntax") not in (
                    "CII",
                    "UBL",
                    "Factur-X",
                    "CDAR",
                    "FRR",
                ):
                    return self._error(422, "INVALID_FLOW_INFO", "name and a known flowSyntax are required")
                if info.get("sha256") and info["sha256"] != hashlib.sha256(content).hexdigest():
                    return self._error(422, "SHA256_MISMATCH", "the file does not match its sha256")
                flow = Flow(
                    f"out-{len(platform.flows) + 1}", info["name"], info["flowSyntax"], "Out", content,
                    "2026-12-07T10:00:00Z", info,
                )  # fmt: skip
                platform.flows.append(flow)
                return self._answer(202, {**info, "flowId": flow.id, "submittedAt": flow.updated_at})

            def _search(self, query: dict[str, Any]) -> None:
                platform.searches.append(query)
                where = query.get("where") or {}
                found = [
                    f
                    for f in platform.flows
                    if f.direction in where.get("flowDirection", ["In", "Out"])
                    and (
                        not where.get("updatedAfter")
                        or _moment(f.updated_at) > _moment(where["updatedAfter"])
                    )
                ]
                start = int(query.get("cursor") or 0)
                page = found[start : start + platform.page_size]
                content: dict[str, Any] = {
                    "limit": query.get("limit", 25),
                    "filters": where,
                    "results": [self._flow_json(f) for f in page],
                }
                if start + platform.page_size < len(found):
                    content["nextCursor"] = str(start + platform.page_size)
                return self._answer(200, content)

            def _flow_json(self, flow: Flow) -> dict[str, Any]:
                return {
                    "flowId": flow.id,
                    "name": flow.name,
                    "flowSyntax": flow.syntax,
                    "flowProfile": "CIUS",
                    "processingRule": "B2B",
                    "processingRuleSource": "Input",
                    "submittedAt": flow.updated_at,
                    "updatedAt": flow.updated_at,
                    "flowDirection": flow.direction,
                    "flowType": "SupplierInvoiceLC" if flow.syntax == "CDAR" else "SupplierInvoice",
                    "acknowledgement": {"status": "Ok"},
                }

        return Handler
