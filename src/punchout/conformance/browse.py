"""Shopping without a person: open a supplier's pages and follow its own forms until a cart comes back.

A conformance run cannot click through a catalog the way a shopper does, but most PunchOut catalogs
lead to the cart return the same way: a page of products with an "Add to cart" form, a cart page
with a "Submit"/"Checkout"/"Return" form, and a last page whose form the browser posts, by script,
to the procurement system's return address. :class:`Browser` fetches pages (keeping cookies,
following redirects within the run) and :meth:`Browser.shop` follows those forms and links until a
form aims at the return address; that form is posted there as a browser would post it — encoded in
the page's charset. A catalog this cannot walk is checked with a person shopping instead
(``--cart-wait``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from urllib.parse import urldefrag, urlencode, urljoin, urlsplit

import lxml.html
from lxml.etree import ParserError, _Element

from punchout.conformance.runner import CheckFailed, Runner
from punchout.cxml.transport import HttpAnswer

__all__ = ["Browser", "Page", "ShopResult"]

HTML_TYPES = ("text/html", "application/xhtml+xml")
REDIRECTS = (301, 302, 303, 307, 308)
MAX_REDIRECTS = 10
#: Pages (and form posts) one walk through a catalog may take before it gives up.
MAX_STEPS = 15
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_ADD = ("add", "basket", "buy")
_SUBMIT = ("submit", "checkout", "check out", "return", "transfer", "send", "punchout", "punch out")
_AVOID = ("cancel", "remove", "delete", "logout", "log out", "sign out", "empty", "clear", "i18n", "language")
#: Words of links that lead to products, best first.
_LINK_WORDS = ("product", "item", "browse", "catalog", "categor", "department", "shop", "search")
_FILL = {"first": "Conformance", "last": "Check", "name": "Conformance Check"}


@dataclass(slots=True)
class Page:
    """A page as the browser ended on it (after redirects)."""

    url: str
    answer: HttpAnswer

    @property
    def charset(self) -> str:
        """The page's charset: the Content-Type's, else a ``<meta charset>``, else UTF-8."""
        found = _CHARSET.search(self.answer.headers.get("content-type", ""))
        if found is None:
            found = _CHARSET.search(self.answer.body[:2048].decode("ascii", "replace"))
        return found.group(1).lower() if found else "utf-8"

    @property
    def is_html(self) -> bool:
        return self.answer.content_type in HTML_TYPES

    def text(self) -> str:
        try:
            return self.answer.body.decode(self.charset, "replace")
        except LookupError:
            return self.answer.body.decode("utf-8", "replace")


@dataclass(slots=True)
class _Form:
    action: str
    method: str
    fields: list[tuple[str, str]]
    label: str  # the action and the submit button's text, in lower case
    enabled: bool
    typed: list[str]  # names of the text fields a person would type into


@dataclass(slots=True)
class ShopResult:
    """How a walk ended: ``posted`` is the page that posted to the return address (None if none did)."""

    posted: Page | None
    steps: list[str] = field(default_factory=list)
    charset: str = ""


class Browser:
    """Requests through the runner (each one recorded on the current check), with cookies per host."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self.cookies: dict[str, dict[str, str]] = {}

    def open(
        self, url: str, *, method: str = "GET", fields: Iterable[tuple[str, str]] = (), charset: str = "utf-8"
    ) -> Page:
        """Fetch ``url`` (GET, or POST of ``fields`` encoded in ``charset``), following redirects."""
        body: bytes | None = None
        headers = {"Accept": "text/html,application/xhtml+xml"}
        if method == "POST":
            body = urlencode(list(fields), encoding=charset, errors="xmlcharrefreplace").encode("ascii")
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif fields:
            url = f"{url}{'&' if '?' in url else '?'}{urlencode(list(fields), encoding=charset)}"
        for _ in range(MAX_REDIRECTS + 1):
            sent = dict(headers)
            cookie = self._cookie_header(url)
            if cookie:
                sent["Cookie"] = cookie
            answer = self.runner.send(url, body, method=method, headers=sent)
            self._keep_cookies(url, answer)
            location = answer.headers.get("location", "")
            if answer.status not in REDIRECTS or not location:
                return Page(url, answer)
            url = urljoin(url, location)
            if answer.status in (301, 302, 303):
                method, body = "GET", None
                headers.pop("Content-Type", None)
        raise CheckFailed(
            f"{url} redirected more than {MAX_REDIRECTS} times in a row.",
            "Redirect the browser at most a few times, to a page that answers.",
        )

    # -- cookies ------------------------------------------------------------------------------------
    def _keep_cookies(self, url: str, answer: HttpAnswer) -> None:
        jar = self.cookies.setdefault(urlsplit(url).netloc, {})
        for header in answer.cookies:
            parsed: SimpleCookie = SimpleCookie()
            try:
                parsed.load(header)
            except CookieError:
                continue
            for name, morsel in parsed.items():
                if morsel["max-age"] in ("0",) or not morsel.value:
                    jar.pop(name, None)
                else:
                    jar[name] = morsel.value

    def _cookie_header(self, url: str) -> str:
        jar = self.cookies.get(urlsplit(url).netloc, {})
        return "; ".join(f"{name}={value}" for name, value in jar.items())

    # -- shopping -----------------------------------------------------------------------------------
    def shop(self, page: Page, return_url: str, *, max_steps: int = MAX_STEPS) -> ShopResult:
        """From ``page``, add something to the cart and return it; stop when a form aims at ``return_url``.

        The form that aims at the return address is posted there, encoded in its page's charset, as
        the browser's script would post it.
        """
        result = ShopResult(posted=None)
        added = False
        seen = {urldefrag(page.url)[0]}
        filled: set[str] = set()
        for _ in range(max_steps):
            if not page.is_html or not 200 <= page.answer.status < 300:
                result.steps.append(
                    f"stopped at {page.url}: HTTP {page.answer.status} {page.answer.content_type}"
                )
                return result
            forms, links = _read(page)
            back = next((f for f in forms if _same_target(f.action, return_url)), None)
            if back is not None:
                result.steps.append(f"the page {page.url} posts the cart to the return address")
                result.charset = page.charset
                self.open(back.action, method="POST", fields=back.fields, charset=page.charset)
                result.posted = page
                return result
            usable = [f for f in forms if f.enabled and f.method == "POST" and not _has(f.label, _AVOID)]
            choice = None if added else next((f for f in usable if _has(f.label, _ADD)), None)
            if choice is not None:
                added = True
                result.steps.append(f"added to the cart with the form to {choice.action}")
            elif added:
                choice = next((f for f in usable if _has(f.label, _SUBMIT)), None)
                if choice is not None:
                    result.steps.append(f"returned the cart with the form to {choice.action}")
            if choice is None:
                # A page asking who the shopper is (a first visit): type names where they are empty.
                choice = next((f for f in usable if f.typed and f.action not in filled), None)
                if choice is not None:
                    filled.add(choice.action)
                    choice.fields = [
                        (name, value or (_fill(name) if name in choice.typed else value))
                        for name, value in choice.fields
                    ]
                    result.steps.append(f"filled in the form to {choice.action}")
            if choice is not None:
                page = self.open(choice.action, method="POST", fields=choice.fields, charset=page.charset)
                seen.add(urldefrag(page.url)[0])
                continue
            link = _best_link(links, page.url, seen)
            if link is None and not added:
                choice = next((f for f in usable if _has(f.label, _SUBMIT)), None)
                if choice is not None:
                    result.steps.append(f"returned the cart with the form to {choice.action}")
                    page = self.open(choice.action, method="POST", fields=choice.fields, charset=page.charset)
                    continue
            if link is None:
                result.steps.append(f"found nothing to follow on {page.url}")
                return result
            seen.add(link)
            result.steps.append(f"followed the link to {link}")
            page = self.open(link)
        result.steps.append(f"gave up after {max_steps} steps")
        return result


def _has(text: str, words: tuple[str, ...]) -> bool:
    return any(word in text for word in words)


def _same_target(action: str, return_url: str) -> bool:
    return urldefrag(action)[0].split("?", 1)[0] == return_url


def _fill(name: str) -> str:
    lowered = name.lower()
    return next((value for key, value in _FILL.items() if key in lowered), "Conformance")


def _read(page: Page) -> tuple[list[_Form], list[str]]:
    """The page's forms (fields as the browser would send them) and its links, all made absolute."""
    try:
        document = lxml.html.document_fromstring(page.text())
    except (ParserError, ValueError):
        return [], []
    forms: list[_Form] = []
    for form in document.iter("form"):
        action = urljoin(page.url, (form.get("action") or "").strip() or page.url)
        method = (form.get("method") or "GET").upper()
        buttons = [b for b in form.iter("button", "input") if _is_submit(b)]
        label = " ".join([action, *((_text(b).strip() or b.get("value") or "") for b in buttons)]).lower()
        enabled = not buttons or any(b.get("disabled") is None for b in buttons)
        typed = [
            str(i.get("name"))
            for i in form.iter("input")
            if i.get("name") and (i.get("type") or "text").lower() in ("text", "email")
        ]
        forms.append(_Form(action, method, _form_values(form), label, enabled, typed))
    links = [urljoin(page.url, str(a.get("href"))) for a in document.iter("a") if a.get("href")]
    return forms, links


def _text(element: _Element) -> str:
    return "".join(str(part) for part in element.itertext())


def _option_value(option: _Element) -> str:
    value = option.get("value")
    return _text(option) if value is None else str(value)


def _is_submit(element: _Element) -> bool:
    kind = (element.get("type") or ("submit" if element.tag == "button" else "text")).lower()
    return kind in ("submit", "image")


def _form_values(form: _Element) -> list[tuple[str, str]]:
    """The fields a browser sends for ``form`` without its submit buttons (HTML "successful controls")."""
    values: list[tuple[str, str]] = []
    for element in form.iter("input", "select", "textarea"):
        name = element.get("name")
        if not name or element.get("disabled") is not None:
            continue
        if element.tag == "textarea":
            values.append((name, element.text or ""))
        elif element.tag == "select":
            options = list(element.iter("option"))
            chosen = [o for o in options if o.get("selected") is not None] or options[:1]
            values += [(name, _option_value(o)) for o in chosen]
        else:
            kind = (element.get("type") or "text").lower()
            if kind in ("submit", "image", "button", "reset", "file"):
                continue
            if kind in ("checkbox", "radio") and element.get("checked") is None:
                continue
            values.append((name, element.get("value") or ("on" if kind in ("checkbox", "radio") else "")))
    return values


def _best_link(links: list[str], here: str, seen: set[str]) -> str | None:
    host = urlsplit(here).netloc
    candidates = [
        urldefrag(link)[0]
        for link in links
        if urlsplit(link).netloc == host and urlsplit(link).scheme in ("http", "https")
    ]
    for word in _LINK_WORDS:
        for link in candidates:
            path = urlsplit(link).path.lower()
            if word in path and link not in seen and not _has(path, _AVOID):
                return link
    return None
