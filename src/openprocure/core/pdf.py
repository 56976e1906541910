"""Printable documents as PDF (WeasyPrint): one way for both sites to turn a page template into a PDF.

The template extends ``core/pdf_base.html`` (A4, the page's CSS inline). WeasyPrint fetches nothing:
every URL in a document (an image, a stylesheet) is refused, so a value a partner sent can never
make the server read a file or call an address.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation


def render_pdf(
    template_name: str,
    context: dict[str, Any],
    *,
    request: HttpRequest | None = None,
    variant: str | None = None,
) -> bytes:
    """The PDF of ``template_name`` rendered with ``context`` in the active language; ``variant``
    is a WeasyPrint PDF variant (``"pdf/a-3b"`` for the base of a Factur-X invoice)."""
    import weasyprint  # loads Pango on first use only: the sites start without it

    # No scheme is allowed: file://, http(s)://, data: are all refused (and logged by WeasyPrint).
    refuse_all = weasyprint.URLFetcher(allowed_protocols=(), allow_redirects=False)

    html = render_to_string(
        template_name, {**context, "LANGUAGE_CODE": translation.get_language()}, request=request
    )
    return bytes(weasyprint.HTML(string=html, url_fetcher=refuse_all).write_pdf(pdf_variant=variant))


def pdf_response(
    request: HttpRequest, template_name: str, context: dict[str, Any], *, filename: str
) -> HttpResponse:
    """The PDF as a download named ``filename`` (shown in the browser when it can)."""
    response = HttpResponse(
        render_pdf(template_name, context, request=request), content_type="application/pdf"
    )
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in filename)
    response["Content-Disposition"] = f'inline; filename="{safe}"'
    return response
