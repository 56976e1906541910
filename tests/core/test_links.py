"""``core.links.web_url`` and ``{% partner_link %}``: what counts as a web link."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from openprocure.core.links import web_url


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("https://track.example.test/x?y=1", "https://track.example.test/x?y=1", id="https"),
        pytest.param(" http://a.test/ \n", "http://a.test/", id="http-with-surrounding-space"),
        pytest.param("HTTPS://A.test", "HTTPS://A.test", id="upper-case-scheme"),
        pytest.param("javascript:alert(1)", None, id="javascript"),
        pytest.param("\x01javascript:alert(1)", None, id="javascript-after-control-character"),
        pytest.param("java\tscript:alert(1)", None, id="javascript-with-tab"),
        pytest.param("data:text/html,x", None, id="data"),
        pytest.param("ftp://files.test/a", None, id="ftp"),
        pytest.param("//evil.test/", None, id="scheme-relative"),
        pytest.param("https:///nohost", None, id="no-host"),
        pytest.param("http://[::1", None, id="unparsable"),
        pytest.param("", None, id="empty"),
        pytest.param(None, None, id="none"),
    ],
)
def test_only_http_and_https_urls_with_a_host_are_web_links(value: object, expected: str | None) -> None:
    assert web_url(value) == expected


def render(url: object, text: object) -> str:
    return Template("{% load core_links %}{% partner_link url text %}").render(
        Context({"url": url, "text": text})
    )


def test_the_tag_links_a_web_url_and_shows_anything_else_as_text() -> None:
    assert render("https://t.test/?a=1&b=2", "1Z9") == (
        '<a href="https://t.test/?a=1&amp;b=2" rel="noopener noreferrer nofollow">1Z9</a>'
    )
    assert render('javascript:alert("x")', "1Z9") == (
        '1Z9 <span class="untrusted-url">(javascript:alert(&quot;x&quot;))</span>'
    )
    assert render("", "1Z9") == "1Z9"
    assert render("javascript:x", "") == "javascript:x"
