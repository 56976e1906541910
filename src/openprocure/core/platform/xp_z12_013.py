"""The AFNOR XP Z12-013 flow API (Flow Service 1.3.0): a platform reached over HTTPS.

- OAuth2 client credentials: a token is asked from ``token_url`` (form-encoded ``grant_type=
  client_credentials``, the client's id and secret in HTTP Basic) and reused until shortly before
  it expires; an answer 401 drops it and the call is made once more with a new one.
- ``POST /v1/flows`` (multipart: ``flowInfo`` JSON + ``file``) pushes an invoice or a CDAR status;
  the platform answers 202 with the flow's ``flowId``.
- ``POST /v1/flows/search`` lists the inbound flows (``flowDirection: In``) updated after the last
  one we handled, page by page (``nextCursor``); ``GET /v1/flows/{flowId}?docType=Original``
  downloads each file.
- Network errors, timeouts, HTTP 5xx and 429 are retryable (the outbox tries again with backoff);
  other 4xx are the platform's refusal, kept with its ``errorCode`` and ``errorMessage``.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import secrets
import threading
import time
import uuid
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from openprocure.core.platform.base import FlowKind, InboundFlow, PlatformError, kind_of, syntax_of
from punchout.cxml.transport import HttpAnswer, http_exchange
from punchout.netguard import RefusedDestination

#: Seconds before its stated expiry a token is no longer used (clocks and the way there).
TOKEN_MARGIN_SECONDS = 30.0
_tokens: dict[tuple[str, str], tuple[str, float]] = {}
_tokens_lock = threading.Lock()


def forget_tokens() -> None:
    """Drop every cached token (tests; a changed secret)."""
    with _tokens_lock:
        _tokens.clear()


def _error_text(answer: HttpAnswer) -> str:
    try:
        error = json.loads(answer.body)
    except ValueError:
        error = None
    if isinstance(error, dict) and error.get("errorCode"):
        words = " ".join(str(error.get(key) or "") for key in ("errorMessage", "details")).strip()
        return f"HTTP {answer.status} {error['errorCode']}: {words}".strip().rstrip(":")
    return f"HTTP {answer.status}: {answer.body[:300].decode('utf-8', 'replace').strip()}".rstrip(": ")


class XPZ12013Platform:
    """One entity's account on a platform speaking XP Z12-013 (see the module docstring)."""

    def __init__(
        self,
        *,
        base_url: str,
        token_url: str,
        client_id: str,
        client_secret: str,
        organization_id: str = "",
        scope: str = "",
        deadline: float = 30.0,
        updated_after: str = "",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token_url = token_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.organization_id = organization_id
        self.scope = scope
        self.deadline = deadline
        #: Only flows updated after this moment (ISO 8601) are pulled: the last one handled.
        self.updated_after = updated_after

    # -- the token -----------------------------------------------------------------------------
    def _token(self) -> str:
        key = (self.token_url, self.client_id)
        with _tokens_lock:
            cached = _tokens.get(key)
        if cached and cached[1] > time.monotonic():
            return cached[0]
        form = {"grant_type": "client_credentials", **({"scope": self.scope} if self.scope else {})}
        basic = base64.b64encode(f"{quote(self.client_id)}:{quote(self.client_secret)}".encode()).decode()
        answer = self._send(
            self.token_url,
            urlencode(form).encode(),
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded", "Authorization": f"Basic {basic}"},
        )
        if answer.status != 200:
            raise PlatformError(
                f"the platform's token service refused our client credentials: {_error_text(answer)}",
                status_code=answer.status,
                retryable=answer.status >= 500 or answer.status == 429,
                body=answer.body,
            )
        try:
            granted = json.loads(answer.body)
            token, lifetime = str(granted["access_token"]), float(granted.get("expires_in", 300))
        except (ValueError, KeyError, TypeError) as error:
            raise PlatformError("the platform's token service answered without an access_token") from error
        with _tokens_lock:
            _tokens[key] = (token, time.monotonic() + max(0.0, lifetime - TOKEN_MARGIN_SECONDS))
        return token

    def check(self) -> None:
        """Ask the token service for a new token with our client credentials (the cheapest real call)."""
        self._forget_token()
        self._token()

    def _forget_token(self) -> None:
        with _tokens_lock:
            _tokens.pop((self.token_url, self.client_id), None)

    # -- one call --------------------------------------------------------------------------------
    def _send(self, url: str, body: bytes | None, *, method: str, headers: dict[str, str]) -> HttpAnswer:
        try:
            return http_exchange(url, body, method=method, headers=headers, deadline=self.deadline)
        except RefusedDestination as error:  # a non-public address not allowed: fix the settings, then resend
            raise PlatformError(f"the platform's address is refused: {error}", retryable=False) from None
        except (TimeoutError, OSError, http.client.HTTPException) as error:
            raise PlatformError(f"the platform could not be reached at {url}: {error}") from error

    def _call(self, method: str, path: str, body: bytes | None = None, content_type: str = "") -> HttpAnswer:
        for attempt in (1, 2):
            headers = {
                "Authorization": f"Bearer {self._token()}",
                "Request-Id": str(uuid.uuid4()),
                "Accept": "application/json, application/octet-stream",
            }
            if self.organization_id:
                headers["Organization-Id"] = self.organization_id
            if content_type:
                headers["Content-Type"] = content_type
            answer = self._send(self.base_url + path, body, method=method, headers=headers)
            if answer.status == 401 and attempt == 1:
                self._forget_token()  # expired or revoked early: once more with a new token
                continue
            if answer.status >= 400:
                raise PlatformError(
                    _error_text(answer),
                    status_code=answer.status,
                    retryable=answer.status >= 500 or answer.status == 429,
                    body=answer.body,
                )
            return answer
        raise AssertionError("unreachable")  # pragma: no cover

    # -- the interface ---------------------------------------------------------------------------
    def push(self, *, kind: FlowKind, name: str, content: bytes, content_type: str) -> str:
        info = {
            "name": name[:255],
            "flowSyntax": syntax_of(content, content_type),
            "processingRule": "B2B",
            "sha256": hashlib.sha256(content).hexdigest(),
            "trackingId": name[:255],
        }
        boundary = f"openprocure-{secrets.token_hex(12)}"
        body = b"".join(
            [
                f'--{boundary}\r\nContent-Disposition: form-data; name="flowInfo"\r\n'.encode(),
                b"Content-Type: application/json\r\n\r\n",
                json.dumps(info).encode(),
                f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{_quoted(name)}"\r\n'.encode(),
                f"Content-Type: {content_type}\r\n\r\n".encode(),
                content,
                f"\r\n--{boundary}--\r\n".encode(),
            ]
        )
        answer = self._call("POST", "/v1/flows", body, f"multipart/form-data; boundary={boundary}")
        flow = _json(answer)
        return str(flow.get("flowId") or "")

    def pull(self) -> list[InboundFlow]:
        flows: list[InboundFlow] = []
        cursor = ""
        where: dict[str, Any] = {"flowDirection": ["In"]}
        if self.updated_after:
            where["updatedAfter"] = self.updated_after
        while True:
            query: dict[str, Any] = {"where": where, "limit": 100}
            if cursor:
                query["cursor"] = cursor
            page = _json(
                self._call("POST", "/v1/flows/search", json.dumps(query).encode(), "application/json")
            )
            for found in page.get("results") or []:
                if not isinstance(found, dict) or not found.get("flowId"):
                    continue
                flow_id = str(found["flowId"])
                download = self._call("GET", f"/v1/flows/{quote(flow_id, safe='')}?docType=Original")
                syntax = str(found.get("flowSyntax") or "")
                flows.append(
                    InboundFlow(
                        id=flow_id,
                        kind=kind_of(download.body),
                        name=str(found.get("name") or flow_id),
                        content=download.body,
                        content_type="application/pdf" if syntax == "Factur-X" else "application/xml",
                        updated_at=_moment(str(found.get("updatedAt") or "")),
                    )
                )
            cursor = str(page.get("nextCursor") or "")
            if not cursor:
                return flows

    def acknowledge(self, flow: InboundFlow, *, accepted: bool, reason: str = "") -> None:
        """Nothing to tell the platform: it keeps no per-consumer state (our answer to a refused
        invoice is a CDAR status, pushed like any other); the record of ``flow.id`` keeps it from
        being handled twice."""


def _quoted(name: str) -> str:
    return name.replace("\\", "_").replace('"', "_").replace("\r", "").replace("\n", "")


def _json(answer: HttpAnswer) -> dict[str, Any]:
    try:
        data = json.loads(answer.body)
    except ValueError as error:
        raise PlatformError(f"the platform answered HTTP {answer.status} with no JSON") from error
    if not isinstance(data, dict):
        raise PlatformError(f"the platform answered HTTP {answer.status} with JSON that is not an object")
    return data


def _moment(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None
    except ValueError:
        return None
