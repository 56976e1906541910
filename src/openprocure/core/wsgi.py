"""What both sites' WSGI entry points share: load everything once, then keep it out of the collector;
read chunked request bodies."""

from __future__ import annotations

import gc
import io
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

# Set in a request's environ when its chunked body was longer than the site reads: the body was cut
# there, and CONTENT_LENGTH says one byte more than the limit (every reader then refuses it as too large).
BODY_CUT_AT = "openprocure.body_cut_at"


def body_limit() -> int:
    """The most bytes of a body the site ever reads: Django's in-memory upload limit."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return int(limit) if limit is not None else int(settings.CXML_MAX_BYTES) + 1024 * 1024


def read_chunked_body(environ: dict[str, Any]) -> None:
    """Give a ``Transfer-Encoding: chunked`` body without Content-Length a length Django can read.

    Django sizes ``request.body`` by CONTENT_LENGTH, so such a body (sent by streaming HTTP
    clients) read as empty. gunicorn decodes the chunks and ends ``wsgi.input`` at the body's end
    (``wsgi.input_terminated``), so the body can be read here: at most ``body_limit()`` bytes plus
    one, to tell "too large" without reading more.
    """
    if environ.get("CONTENT_LENGTH") or not environ.get("wsgi.input_terminated"):
        return
    if "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        return
    limit = body_limit()
    body = environ["wsgi.input"].read(limit + 1)
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    if len(body) > limit:
        environ[BODY_CUT_AT] = limit


class ChunkedBodyRequest(WSGIRequest):
    """A WSGI request whose chunked body is read (see ``read_chunked_body``)."""

    def __init__(self, environ: dict[str, Any]) -> None:
        read_chunked_body(environ)
        super().__init__(environ)


def warmed_application() -> WSGIHandler:
    """The site's WSGI application with its URLconf (and so every view module) already imported.

    The objects alive after start-up (models, URL patterns, templates' code) live as long as the
    process. ``gc.freeze()`` moves them out of the cyclic garbage collector's reach, so a full
    collection walks only what requests allocate: without it, a full collection in the middle of a
    request took ~35 ms on a 2-core machine, which showed as the slowest 1 % of PunchOut setups.
    """
    application = get_wsgi_application()
    application.request_class = ChunkedBodyRequest
    get_resolver().url_patterns  # noqa: B018 - imports every view module now rather than on first request
    gc.collect()
    gc.freeze()
    return application
