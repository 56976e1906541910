"""axe-core in Chromium: the serious and critical accessibility violations of a page."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.urls import URLResolver, get_resolver, resolve

AXE_VERSION = "4.14.1"
AXE = Path(__file__).resolve().parent.parent / ".venv" / f"axe-core-{AXE_VERSION}" / "axe.min.js"


def axe_script() -> str:
    if not AXE.is_file():
        raise AssertionError(
            f"axe-core {AXE_VERSION} is not installed: run scripts/fetch_axe.sh (./run-tests does it)"
        )
    return AXE.read_text(encoding="utf-8")


def serious_violations(page: Any) -> list[str]:
    """Each serious or critical violation on ``page`` as "rule: target (message)".

    The context must be made with ``bypass_csp=True``: the sites' Content-Security-Policy refuses the
    injected script, as it should refuse any inline script.
    """
    page.add_script_tag(content=axe_script())
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".flatMap(v => v.nodes.map(n => v.id + ': ' + n.target.join(' ') + ' (' + n.failureSummary.split('\\n')[1] + ')'))"
    )
    return [str(item) for item in result]


def _allowed_methods(view: Any) -> set[str] | None:
    """The HTTP methods a view admits when it says so (a class-based view, or ``require_POST`` and
    the like somewhere in its decorators); None when it does not."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return {name for name in view_class.http_method_names if hasattr(view_class, name)}
    while view is not None:
        code = getattr(view, "__code__", None)
        if code is not None and "request_method_list" in code.co_freevars:
            cell = view.__closure__[code.co_freevars.index("request_method_list")]
            return {str(name).lower() for name in cell.cell_contents}
        view = getattr(view, "__wrapped__", None)
    return None


def _walk(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.callback


def routes_answering_get(skipped_prefixes: tuple[str, ...]) -> set[str]:
    """The route of every URL pattern of the current site that answers GET (POST-only views left
    out), but for those under ``skipped_prefixes``."""
    return {
        route
        for route, view in _walk(get_resolver())
        if not route.startswith(skipped_prefixes)
        and ((methods := _allowed_methods(view)) is None or "get" in methods)
    }


def route_of(page: str, inside: re.Pattern[str] | None = None) -> str:
    """The route of a page of an axe test's list, its placeholders (``{requisition}``) read as a run
    of 1s (a number, and as long as a session key); ``inside`` matches a prefix the site strips before
    resolving (its ``rest`` group is the path)."""
    path = urlsplit(page.format_map(defaultdict(lambda: "1" * 48))).path
    if inside is not None and (match := inside.match(path)) is not None:
        path = match["rest"]
    return resolve(path).route


#: Whole parts of each site that are not its pages: Django's admin (its own templates) and the REST
#: API with its generated documentation.
NOT_PAGES = ("admin/", "api/")


def pages_missing(
    pages: Mapping[str, list[str]],
    excluded: Mapping[str, str],
    inside: re.Pattern[str] | None = None,
    skipped: tuple[str, ...] = NOT_PAGES,
) -> str:
    """What is wrong with an axe test's list of pages against the site's URL patterns: each route that
    answers GET but is neither visited (``pages``) nor excluded with its reason (``excluded``), each
    exclusion of no route or of a visited one; empty when nothing is."""
    routes = routes_answering_get(skipped)
    visited = {route_of(page, inside) for paths in pages.values() for page in paths}
    problems = [
        f"{route!r} answers GET but the accessibility test does not visit it: add a page of it to PAGES "
        "of the site's tests/*/page_list.py, or, if it shows no HTML page of its own (a file, JSON or "
        "XML, a redirect, a protocol endpoint), add it to EXCLUDED with why"
        for route in sorted(routes - visited - set(excluded))
    ]
    problems += [
        f"{route!r} is excluded but no longer a route that answers GET"
        for route in sorted(set(excluded) - routes)
    ]
    problems += [f"{route!r} is both visited and excluded" for route in sorted(set(excluded) & visited)]
    return "\n".join(problems)
