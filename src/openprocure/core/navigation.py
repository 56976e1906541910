"""The main menu of each site: the links a person may follow, and no other.

Each site names its menu in the ``NAVIGATION`` setting (a dotted path to a function taking the request
and returning :class:`Link` objects in display order). A site decides who sees a link with the same
checks its views use, so a link never leads to a page that answers 403 or 405.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Link:
    """One entry of the main menu."""

    url_name: str
    label: Any  # a lazy translation
    args: tuple[Any, ...] = ()

    @property
    def url(self) -> str:
        return reverse(self.url_name, args=self.args)


@dataclass(frozen=True)
class MenuEntry:
    """A link as shown: its address, its words, and whether it is the page being read."""

    url: str
    label: str
    current: bool


@cache
def _menu_function(path: str) -> Callable[[HttpRequest], Sequence[Link]]:
    function: Callable[[HttpRequest], Sequence[Link]] = import_string(path)
    return function


def menu(request: HttpRequest) -> list[MenuEntry]:
    """The menu for ``request``'s person; the entry whose address is the longest prefix of the page is current."""
    path = getattr(settings, "NAVIGATION", "")
    if not path:
        return []
    links = [(link.url, str(link.label)) for link in _menu_function(path)(request)]
    here = request.path
    best = max(
        (url for url, _label in links if here == url or (url != "/" and here.startswith(url))),
        key=len,
        default="",
    )
    return [MenuEntry(url=url, label=label, current=url == best) for url, label in links]
