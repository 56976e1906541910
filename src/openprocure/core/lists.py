"""The one way a list page is cut into pages (and, with a django-filter ``FilterSet``, filtered).

Every list view of both sites calls :func:`paginate` and renders ``core/_pager.html`` with the
``page`` and ``query`` it returns; the pager's links keep the page's other query parameters (its
filters), so moving between pages never loses them. A page that can also be shown at another
address (a form posted to its own URL shown again with its errors) gives the list's own as ``path``.

    page, query = paginate(request, queryset)
    return render(request, "app/list.html", {"rows": page.object_list, "page": page, "query": query})

A list that filters declares a ``django_filters.FilterSet`` and hands the filtered queryset here
(see ``buyer/organization/filters.py`` and the people list). Rows a service has already counted
are handed as :class:`Counted`, so that the paginator does not count them again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

# Rows per page unless a list says otherwise: as many as the old capped lists showed at a glance,
# few enough that one page renders quickly.
PAGE_SIZE = 50

T = TypeVar("T")


class Counted(Generic[T]):
    """Ordered rows (a queryset) and their number, counted already: :func:`paginate` takes the
    number instead of counting the rows again, and reads only the page's slice."""

    def __init__(self, rows: Sequence[T] | Any, total: int) -> None:
        self.rows, self.total = rows, total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, window: slice) -> Any:
        return self.rows[window]


def query_without_page(request: HttpRequest, param: str = "page") -> str:
    """The request's query string without the page number, for the pager's links."""
    query = request.GET.copy()
    query.pop(param, None)
    return query.urlencode()


def paginate(
    request: HttpRequest, object_list: Sequence[T] | Any, per_page: int = PAGE_SIZE, *, param: str = "page"
) -> tuple[Page, str]:
    """The page asked for by ``?page=`` (the last one if past the end, the first if not a number) and
    the query string that keeps the list's filters; the list must be ordered. A page with two lists
    gives the second its own ``param`` and passes it to the pager as ``param``."""
    page = Paginator(object_list, per_page).get_page(request.GET.get(param))
    return page, query_without_page(request, param)
