"""Error pages both sites share: 403, 404 and 500 in the reader's language, with the site's menu and a next step."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.utils.html import escape
from django.utils.translation import gettext as _

from openprocure.core.hooks import Hook

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Refusal:
    """What a site app tells a person it knows better than by role (a supplier's account on the
    buyer's supplier portal) on a refused page: the sentence, and the one link back to its pages."""

    message: str
    link: str
    link_text: str


#: Asked on every 403 with ``(request, reason)`` (``reason`` is the view's own, possibly empty): a
#: site app that recognises the signed-in person answers with a :class:`Refusal`, anyone else with
#: ``None``; the first answer is the page's (registered from the app's ``AppConfig.ready()``).
refusal_for = Hook()


def _error_page(
    request: HttpRequest, *, status: int, title: str, message: str, refusal: Refusal | None = None
) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {"status": status, "title": title, "message": message, "refusal": refusal},
        status=status,
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403: what the page is for and who may open it (the view's own reason when it gave one)."""
    reason = str(exception or "").strip()
    refusal = next((answer for answer in refusal_for(request, reason) if answer is not None), None)
    if refusal is not None:
        message = refusal.message
    else:
        message = reason or _(
            "This page is for people with another role. Ask your administrator if you need it."
        )
    return _error_page(
        request, status=403, title=_("You cannot open this page"), message=message, refusal=refusal
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
