"""The self-submitting HTML page that returns an OCI cart to the buyer's HOOK_URL.

Implements the transfer step of the OCI "Outbound section": the catalog answers the user's
"transfer cart" click with a page whose form posts the ``NEW_ITEM-*`` fields to HOOK_URL, into the
frame named by the call-up's ``~TARGET``, echoing ``~OkCode`` and ``~CALLER`` when the call-up
sent them. SAP GUI's embedded browser gives a ``SAPEVENT:POST`` HOOK_URL: the form posts to it
as well, without a frame target (the GUI control catches the post).

The page works without JavaScript (a visible submit button) and submits itself when scripts run.
Every value is HTML-escaped. Serve it with ``Content-Type: text/html; charset=<charset>``
(``ReturnForm.content_type``): the returned text is guaranteed to be encodable in that charset
(page text outside it is written as numeric character references; field values were already made
encodable by :func:`punchout.oci.cart.build_return_fields`). Translate ``title`` and
``submit_label`` before passing them: this module has no gettext of its own.
"""

from __future__ import annotations

import codecs
import html
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypedDict, Unpack

from punchout.oci.callup import check_hook_url
from punchout.oci.cart import ReturnFields, build_return_fields
from punchout.oci.errors import OCIIssue
from punchout.oci.item import OCIItem

FORM_ID = "oci-return"


@dataclass(frozen=True)
class ReturnForm:
    """A built cart return page, with the fields it posts and what had to be adapted."""

    html: str
    fields: ReturnFields
    charset: str
    warnings: list[OCIIssue] = field(default_factory=list)

    @property
    def content_type(self) -> str:
        return f"text/html; charset={self.charset}"

    def encode(self) -> bytes:
        """The page as bytes in its charset, ready to send."""
        return self.html.encode(self.charset)


def _attr(value: str) -> str:
    # Escape for a double-quoted attribute; write line breaks and tabs as references so that no
    # HTML processor can normalise them away from a long text.
    escaped = html.escape(value, quote=True)
    return escaped.replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#9;")


def build_return_form(
    hook_url: str,
    items: Iterable[OCIItem],
    *,
    version: str = "5.0",
    target: str | None = None,
    okcode: str | None = None,
    caller: str | None = None,
    charset: str = "iso-8859-1",
    title: str = "Transferring your cart",
    submit_label: str = "Transfer cart",
    script_nonce: str | None = None,
) -> ReturnForm:
    """Build the cart return page for ``items``; raises ``OCIError`` for a cart that cannot be sent.

    ``target`` is the call-up's ``~TARGET`` (ignored for SAPEVENT); ``okcode`` and ``caller`` are
    echoed as ``~OkCode`` and ``~CALLER`` when given; ``script_nonce`` is the page's CSP nonce.
    """
    action, is_sapevent = check_hook_url(hook_url)
    codecs.lookup(charset)  # an unknown charset fails here, before any work
    fields = build_return_fields(items, version=version, charset=charset)
    posted = list(fields)
    if okcode:
        posted.append(("~OkCode", okcode))
    if caller:
        posted.append(("~CALLER", caller))

    form_attrs = f'id="{FORM_ID}" method="post" action="{_attr(action)}" accept-charset="{_attr(charset)}"'
    if target and not is_sapevent:
        form_attrs += f' target="{_attr(target)}"'
    nonce = f' nonce="{_attr(script_nonce)}"' if script_nonce else ""
    lines = [
        "<!DOCTYPE html>",
        "<html>",
        "<head>",
        f'<meta charset="{_attr(charset)}">',
        '<meta name="robots" content="noindex">',
        f"<title>{html.escape(title)}</title>",
        "</head>",
        "<body>",
        f"<form {form_attrs}>",
        *(f'<input type="hidden" name="{_attr(name)}" value="{_attr(value)}">' for name, value in posted),
        f"<p>{html.escape(title)}</p>",
        f'<button type="submit">{html.escape(submit_label)}</button>',
        "</form>",
        f'<script{nonce}>HTMLFormElement.prototype.submit.call(document.getElementById("{FORM_ID}"));</script>',
        "</body>",
        "</html>",
        "",
    ]
    page = "\n".join(lines).encode(charset, "xmlcharrefreplace").decode(charset)
    return ReturnForm(html=page, fields=fields, charset=charset, warnings=list(fields.warnings))


class ReturnFormOptions(TypedDict, total=False):
    """The keyword options of :func:`build_return_form`, which :func:`return_form_html` passes on."""

    version: str
    target: str | None
    okcode: str | None
    caller: str | None
    charset: str
    title: str
    submit_label: str
    script_nonce: str | None


def return_form_html(hook_url: str, items: Iterable[OCIItem], **options: Unpack[ReturnFormOptions]) -> str:
    """The cart return page as text (see :func:`build_return_form` for the options and the warnings)."""
    return build_return_form(hook_url, items, **options).html
