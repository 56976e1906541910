"""A person's browser, over plain HTTP: cookies for both sites, real forms with their CSRF tokens.

No JavaScript: a page that a browser would submit by script (the storefront's cart return) is
submitted the same way, by reading its one form. Everything else is what a person clicks.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import lxml.html

TIMEOUT = 60.0


class SimulationError(Exception):
    """A step of the loop did not go as a person would expect (the message says which and why)."""


@dataclass
class Page:
    """One answer: where it ended (after redirects), its status and its parsed HTML."""

    url: str
    status: int
    text: str

    @property
    def doc(self) -> Any:
        cached = self.__dict__.get("_doc")
        if cached is None:
            cached = lxml.html.fromstring(self.text or "<html></html>")
            self.__dict__["_doc"] = cached
        return cached

    def texts(self, xpath: str) -> list[str]:
        return [" ".join(node.text_content().split()) for node in self.doc.xpath(xpath)]

    def messages(self) -> str:
        return " ".join(self.texts("//ul[contains(@class,'messages')]//li"))

    def form(self, *, action: str = "", button: str = "") -> Any:
        """The first form whose action ends with ``action`` and that has a button reading ``button``."""
        for form in self.doc.forms:
            if action and not (form.get("action") or "").endswith(action):
                continue
            if button and not any(
                button in " ".join(b.text_content().split()) for b in form.xpath(".//button")
            ):
                continue
            return form
        raise SimulationError(f"no form {action or ''} {button or ''} on {self.url} ({self.status})")


class Browser:
    """One person's browser: a cookie jar shared by both sites (their cookie names differ)."""

    def __init__(self, who: str = "") -> None:
        self.who = who
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def _open(self, request: urllib.request.Request) -> Page:
        for attempt in range(4):
            try:
                with self.opener.open(request, timeout=TIMEOUT) as answer:
                    return Page(answer.geturl(), answer.status, answer.read().decode("utf-8", "replace"))
            except urllib.error.HTTPError as error:
                body = error.read().decode("utf-8", "replace")
                if error.code in (502, 503) and attempt < 3:
                    time.sleep(1 + attempt)
                    continue
                return Page(error.geturl() or request.full_url, error.code, body)
            except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
                if attempt == 3:
                    raise SimulationError(f"{request.full_url}: {error}") from error
                time.sleep(1 + attempt)
        raise SimulationError(f"{request.full_url}: no answer")

    def get(self, url: str, *, language: str = "en") -> Page:
        return self._open(urllib.request.Request(url, headers={"Accept-Language": language}))

    def post(self, url: str, fields: list[tuple[str, str]]) -> Page:
        body = urllib.parse.urlencode(fields).encode()
        return self._open(
            urllib.request.Request(
                url,
                data=body,
                headers={"Content-Type": "application/x-www-form-urlencoded", "Accept-Language": "en"},
                method="POST",
            )
        )

    def post_body(self, url: str, body: bytes, content_type: str) -> Page:
        """A system's POST (a cXML document), not a form."""
        return self._open(
            urllib.request.Request(url, data=body, headers={"Content-Type": content_type}, method="POST")
        )

    def submit(
        self,
        page: Page,
        form: Any,
        values: Mapping[str, str] | None = None,
        *,
        ticked: list[tuple[str, str]] | None = None,
    ) -> Page:
        """Submit ``form`` of ``page`` as a person would: its current values, ``values`` typed over
        them, and the boxes ``ticked`` (name, value)."""
        fields = [(name, str(value)) for name, value in form.form_values()]
        if values:
            typed = dict(values)
            fields = [(name, typed.pop(name)) if name in typed else (name, v) for name, v in fields]
            fields += list(typed.items())
        fields += ticked or []
        action = urllib.parse.urljoin(page.url, form.get("action") or "")
        if (form.get("method") or "get").lower() == "get":
            return self.get(action + "?" + urllib.parse.urlencode(fields))
        return self.post(action, fields)

    def sign_in(self, base_url: str, email: str, password: str) -> None:
        page = self.get(f"{base_url}/accounts/login/")
        done = self.submit(page, page.form(button="Sign in"), {"username": email, "password": password})
        if "/accounts/login/" in done.url:
            raise SimulationError(f"{email} could not sign in at {base_url}: {done.status}")


class Api:
    """A REST client with a bearer token (buyer personal token or storefront API key)."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token

    def get(self, path: str, **query: Any) -> Any:
        url = f"{self.base_url}/api/{path.lstrip('/')}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {self.token}"})
        for attempt in range(4):
            try:
                with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
                    return json.loads(answer.read())
            except urllib.error.HTTPError as error:
                if error.code == 404:
                    return None
                if error.code in (502, 503) and attempt < 3:
                    time.sleep(1 + attempt)
                    continue
                raise SimulationError(f"GET {url}: {error.code} {error.read()[:300]!r}") from error
            except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
                if attempt == 3:
                    raise SimulationError(f"GET {url}: {error}") from error
                time.sleep(1 + attempt)
        raise SimulationError(f"GET {url}: no answer")


TOKEN = re.compile(r"\b(op_[A-Za-z0-9_-]{43})\b")
KEY = re.compile(r"\b(opk_[A-Za-z0-9_-]{43})\b")


def wait_until(check: Callable[[], bool], *, seconds: float, what: str, pause: float = 1.0) -> None:
    """Poll ``check`` until it holds; the sites' workers act asynchronously."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise SimulationError(f"after {seconds:.0f} s still waiting for {what}")
        time.sleep(pause)
