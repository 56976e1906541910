"""Error pages both sites share: 403, 404 and 500 in the reader's language, with the site's menu and a next step."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.utils.html import escape
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def _error_page(request: HttpRequest, *, status: int, title: str, message: str) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {"status": status, "title": title, "message": message},
        status=status,
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403: what the page is for and who may open it (the view's own reason when it gave one)."""
    reason = str(exception or "").strip()
    return _error_page(
        request,
        status=403,
        title=_("You cannot open this page"),
        message=reason
        or _("This page is for people with another role. Ask your administrator if you need it."),
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404: nothing at this address (or nothing this person may know about)."""
    return _error_page(
        request,
        status=404,
        title=_("Page not found"),
        message=_(
            "There is nothing at this address. The link may be old, or the document may belong to someone else."
        ),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """500: an apology and the way back; plain text when even the page cannot be drawn (a database down)."""
    title = _("Something went wrong on our side")
    message = _(
        "The error has been logged. Try again in a moment; if it happens again, tell your administrator."
    )
    try:
        return _error_page(request, status=500, title=title, message=message)
    except Exception:  # the page itself needs the database or a template that failed
        logger.exception("the 500 page could not be rendered")
        return HttpResponseServerError(
            f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{escape(title)}</title></head>"
            f"<body><h1>{escape(title)}</h1><p>{escape(message)}</p><p><a href='/'>{escape(_('Home'))}</a></p>"
            "</body></html>"
        )
