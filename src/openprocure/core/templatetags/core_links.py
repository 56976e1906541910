"""``{% partner_link url text %}``: a link only when ``url`` is an http(s) URL (see ``core.links``)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from openprocure.core.links import web_url

register = template.Library()


@register.simple_tag
def partner_link(url: object, text: object = "") -> str:
    """``<a>`` to an http(s) ``url`` (labelled ``text``, else the URL); otherwise plain, escaped text.

    A URL that is not a web link (``javascript:``, ``data:``, a bare word) is shown after the label
    as text, so a person still sees what the partner sent.
    """
    label = text if text not in (None, "") else url
    href = web_url(url)
    if href is not None:
        return format_html('<a href="{}" rel="noopener noreferrer nofollow">{}</a>', href, label)
    if url in (None, "") or label == url:
        return format_html("{}", label if label is not None else "")
    return format_html('{} <span class="untrusted-url">({})</span>', label, url)
