"""The self-submitting cart return page (return_form_html / build_return_form)."""

from __future__ import annotations

from decimal import Decimal
from html.parser import HTMLParser

import pytest

from punchout.oci import OCIError, OCIIssue, OCIItem, build_return_form, parse_cart, return_form_html

ITEM = OCIItem(
    description="Hex nut M10", quantity=Decimal(2), unit="PCE", price=Decimal("0.25"), currency="EUR"
)


class _FormReader(HTMLParser):
    """Reads the page as a browser would: the form's attributes, its hidden fields, scripts, buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.form: dict[str, str | None] = {}
        self.fields: list[tuple[str, str]] = []
        self.tags: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        attributes = dict(attrs)
        if tag == "form":
            self.form = attributes
        elif tag == "input":
            self.fields.append((attributes["name"] or "", attributes["value"] or ""))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def _read(page: str) -> _FormReader:
    reader = _FormReader()
    reader.feed(page)
    return reader


def test_exact_page() -> None:
    page = return_form_html(
        "https://srm.example.com/return?sap-client=100&x=1",
        [ITEM],
        target="_top",
        okcode="ADDI",
        caller="CTLG",
    )
    assert page == (
        "<!DOCTYPE html>\n"
        "<html>\n"
        "<head>\n"
        '<meta charset="iso-8859-1">\n'
        '<meta name="robots" content="noindex">\n'
        "<title>Transferring your cart</title>\n"
        "</head>\n"
        "<body>\n"
        '<form id="oci-return" method="post" action="https://srm.example.com/return?sap-client=100&amp;x=1" '
        'accept-charset="iso-8859-1" target="_top">\n'
        '<input type="hidden" name="NEW_ITEM-DESCRIPTION[1]" value="Hex nut M10">\n'
        '<input type="hidden" name="NEW_ITEM-QUANTITY[1]" value="2">\n'
        '<input type="hidden" name="NEW_ITEM-UNIT[1]" value="PCE">\n'
        '<input type="hidden" name="NEW_ITEM-PRICE[1]" value="0.25">\n'
        '<input type="hidden" name="NEW_ITEM-CURRENCY[1]" value="EUR">\n'
        '<input type="hidden" name="NEW_ITEM-PRICEUNIT[1]" value="1">\n'
        '<input type="hidden" name="~OkCode" value="ADDI">\n'
        '<input type="hidden" name="~CALLER" value="CTLG">\n'
        "<p>Transferring your cart</p>\n"
        '<button type="submit">Transfer cart</button>\n'
        "</form>\n"
        '<script>HTMLFormElement.prototype.submit.call(document.getElementById("oci-return"));</script>\n'
        "</body>\n"
        "</html>\n"
    )


def test_hostile_values_are_escaped() -> None:
    hostile = '"><script>alert(1)</script>'
    item = OCIItem(
        description=hostile[:40], quantity=Decimal(1), long_text="a\nb</form>'&", extra={"ZX": hostile}
    )
    page = return_form_html(
        'https://b.test/r?a="><script>x</script>',
        [item],
        target='_top"><script>',
        title="<b>Cart</b>",
        submit_label="</button><script>",
        script_nonce='n"><script>',
    )
    reader = _read(page)
    # The only elements are the page's own; the hostile text stays inside attribute values and text.
    assert reader.tags == ["html", "head", "meta", "meta", "title", "body", "form"] + ["input"] * 5 + [
        "p",
        "button",
        "script",
    ]
    assert reader.scripts == ['HTMLFormElement.prototype.submit.call(document.getElementById("oci-return"));']
    assert reader.form["action"] == 'https://b.test/r?a="><script>x</script>'
    assert reader.form["target"] == '_top"><script>'
    assert reader.fields == [
        ("NEW_ITEM-DESCRIPTION[1]", hostile),
        ("NEW_ITEM-QUANTITY[1]", "1"),
        ("NEW_ITEM-PRICEUNIT[1]", "1"),
        ("NEW_ITEM-LONGTEXT_1:132[]", "a\nb</form>'&"),
        ("NEW_ITEM-ZX[1]", hostile),
    ]
    assert (
        '<input type="hidden" name="NEW_ITEM-LONGTEXT_1:132[]" value="a&#10;b&lt;/form&gt;&#x27;&amp;">'
        in page
    )
    assert "<title>&lt;b&gt;Cart&lt;/b&gt;</title>" in page
    assert '<script nonce="n&quot;&gt;&lt;script&gt;">' in page


def test_sapevent_hook_url_posts_without_frame_target() -> None:
    reader = _read(return_form_html("SAPEVENT:POST", [ITEM], target="_top"))
    assert reader.form == {
        "id": "oci-return",
        "method": "post",
        "action": "SAPEVENT:POST",
        "accept-charset": "iso-8859-1",
    }


def test_latin1_page_encodes_and_posts_back_what_was_built() -> None:
    item = OCIItem(description="Maße “Größe” €5", quantity=Decimal(1), unit="PCE")
    form = build_return_form("https://b.test/r", [item], title="Panier transféré œuvre")
    assert form.content_type == "text/html; charset=iso-8859-1"
    body = form.encode()  # never raises: everything in the page is ISO-8859-1
    assert 'value="Maße &quot;Größe&quot; EUR5"'.encode("latin-1") in body
    # Page text outside Latin-1 is written as a character reference, values were transliterated.
    assert "<title>Panier transféré &#339;uvre</title>" in form.html
    assert form.warnings == [OCIIssue(1, "DESCRIPTION", "'“”€' cannot be sent in iso-8859-1; replaced")]
    # What the browser posts back reads as the same cart.
    reader = _read(body.decode("latin-1"))
    assert parse_cart(reader.fields).items == [
        OCIItem(description='Maße "Größe" EUR5', quantity=Decimal(1), unit="PCE")
    ]


def test_utf8_page() -> None:
    item = OCIItem(description="€ “quoted”", quantity=Decimal(1))
    form = build_return_form("https://b.test/r", [item], charset="utf-8")
    assert 'accept-charset="utf-8"' in form.html
    assert '<meta charset="utf-8">' in form.html
    assert '<input type="hidden" name="NEW_ITEM-DESCRIPTION[1]" value="€ “quoted”">' in form.html
    assert form.warnings == []


@pytest.mark.parametrize(
    ("hook", "message"),
    [
        pytest.param(
            "javascript:alert(document.cookie)",
            "HOOK_URL has javascript:; only http, https and SAPEVENT (SAP GUI) return addresses are "
            "accepted. Check the catalog settings in the buyer system.",
            id="javascript",
        ),
        pytest.param(
            "//evil.test/r",
            "HOOK_URL has no scheme; only http, https and SAPEVENT (SAP GUI) return addresses are "
            "accepted. Check the catalog settings in the buyer system.",
            id="scheme-relative",
        ),
    ],
)
def test_refuses_a_hook_url_that_is_not_a_return_address(hook: str, message: str) -> None:
    with pytest.raises(OCIError) as caught:
        return_form_html(hook, [ITEM])
    assert str(caught.value) == message


def test_refuses_a_cart_that_cannot_be_sent() -> None:
    with pytest.raises(OCIError) as caught:
        return_form_html("https://b.test/r", [OCIItem(description="x", quantity=Decimal(1), unit="PIECE")])
    assert str(caught.value) == (
        "the cart cannot be sent over OCI: line 1, UNIT: 'PIECE' is 5 characters; OCI allows 3 and it cannot be cut"
    )


def test_unknown_charset() -> None:
    with pytest.raises(LookupError):
        return_form_html("https://b.test/r", [ITEM], charset="klingon")
