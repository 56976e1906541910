"""OCI call-up parameters: parse_callup (catalog side) and build_callup_url (buyer side)."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest

from punchout.oci import (
    CallUp,
    OCIError,
    OCIFunction,
    OCIIssue,
    build_callup_url,
    check_hook_url,
    parse_callup,
)

SRM_HOOK = "https://srm.example.com/sap/bc/bsp/sap/bbp_oci/return.htm?sap-client=100&sap-language=DE"


def test_standard_interactive_callup_as_plain_dict() -> None:
    callup = parse_callup(
        {
            "USERNAME": "buyer1",
            "PASSWORD": "s3cret",
            "HOOK_URL": SRM_HOOK,
            "~OkCode": "ADDI",
            "~TARGET": "_top",
            "~CALLER": "CTLG",
            "OCI_VERSION": "5.0",
            "OPI_VERSION": "1.0",
            "returntarget": "_parent",
        }
    )
    assert callup == CallUp(
        hook_url=SRM_HOOK,
        is_sapevent=False,
        okcode="ADDI",
        target="_top",
        return_target="_parent",
        caller="CTLG",
        oci_version="5.0",
        opi_version="1.0",
        login={"USERNAME": "buyer1", "PASSWORD": "s3cret"},
    )
    assert callup.username == "buyer1"
    assert callup.password == "s3cret"
    assert callup.is_interactive is True


def test_hook_url_keeps_its_own_query_string_from_querydict_lists() -> None:
    # Django's QueryDict.lists() gives (name, [values]); the HOOK_URL's own query string arrives
    # decoded inside the one value and must be kept byte for byte.
    callup = parse_callup([("HOOK_URL", [SRM_HOOK]), ("USERNAME", ["u"]), ("PASSWORD", ["p"])])
    assert callup.hook_url == SRM_HOOK
    assert callup.extra == {}
    assert callup.warnings == []


def test_unencoded_hook_url_that_lost_its_query_string_is_flagged() -> None:
    pairs = parse_qsl("HOOK_URL=https://srm.example.com/return.htm?x=1&sap-client=100&USERNAME=u")
    callup = parse_callup(pairs)
    # "?x=1" stayed (it has no &), so no warning: the query string is there.
    assert callup.hook_url == "https://srm.example.com/return.htm?x=1"
    assert callup.extra == {"sap-client": ["100"]}
    assert callup.warnings == []

    pairs = parse_qsl("HOOK_URL=https://srm.example.com/return.htm&sap-client=100&USERNAME=u")
    callup = parse_callup(pairs)
    assert callup.hook_url == "https://srm.example.com/return.htm"
    assert callup.warnings == [
        OCIIssue(
            None,
            "HOOK_URL",
            "sap-client arrived as separate parameters: the HOOK_URL was probably not URL-encoded "
            "and may have lost its own query string",
        )
    ]


@pytest.mark.parametrize(
    ("hook", "expected"),
    [
        pytest.param("SAPEVENT:POST", "SAPEVENT:POST", id="upper"),
        pytest.param("sapevent:post", "sapevent:post", id="lower"),
        pytest.param("SAPEVENT:ADDI?x=1", "SAPEVENT:ADDI?x=1", id="with-query"),
    ],
)
def test_sap_gui_sapevent_hook_url_is_accepted_and_flagged(hook: str, expected: str) -> None:
    callup = parse_callup({"HOOK_URL": hook, "~OkCode": "ADDI"})
    assert callup.hook_url == expected
    assert callup.is_sapevent is True


def test_parameter_names_in_any_case() -> None:
    callup = parse_callup(
        {"hook_url": "http://buyer.test/r", "~caller": "CTLG", "~okcode": "ADDI", "~target": "_self"}
    )
    assert (callup.hook_url, callup.caller, callup.okcode, callup.target) == (
        "http://buyer.test/r",
        "CTLG",
        "ADDI",
        "_self",
    )


def test_lower_case_login_fields_and_catalog_defined_names() -> None:
    params = {"HOOK_URL": "http://buyer.test/r", "username": "user_1", "password": "pw"}
    callup = parse_callup(params)
    assert callup.login == {"USERNAME": "user_1", "PASSWORD": "pw"}

    callup = parse_callup(
        {"HOOK_URL": "http://buyer.test/r", "LOGIN": "u", "pwd": "p", "USERNAME": "other"},
        login_fields=("login", "PWD"),
    )
    assert callup.login == {"login": "u", "PWD": "p"}
    assert callup.username == "u"
    assert callup.password == "p"
    assert callup.extra == {"USERNAME": ["other"]}


@pytest.mark.parametrize(
    ("params", "function", "product_id", "quantity", "search"),
    [
        pytest.param(
            {"HOOK_URL": "http://b.test/r", "FUNCTION": "DETAIL", "PRODUCTID": "031710 005"},
            OCIFunction.DETAIL,
            "031710 005",
            None,
            None,
            id="detail",
        ),
        pytest.param(
            {"FUNCTION": "validate", "PRODUCTID": "A-1", "QUANTITY": "2.500"},
            OCIFunction.VALIDATE,
            "A-1",
            Decimal("2.500"),
            None,
            id="validate-lower-case-no-hook",
        ),
        pytest.param(
            {"function": "Background_Search", "SEARCHSTRING": "hex screw M10"},
            OCIFunction.BACKGROUND_SEARCH,
            None,
            None,
            "hex screw M10",
            id="background-search",
        ),
    ],
)
def test_functions(
    params: dict[str, str],
    function: OCIFunction,
    product_id: str | None,
    quantity: Decimal | None,
    search: str | None,
) -> None:
    callup = parse_callup(params)
    assert callup.function is function
    assert callup.product_id == product_id
    assert callup.quantity == quantity
    assert callup.search_string == search
    assert callup.warnings == []
    assert callup.is_interactive is (function is OCIFunction.DETAIL)


def test_detail_without_productid_is_forgiven_with_a_warning() -> None:
    callup = parse_callup({"HOOK_URL": "http://b.test/r", "FUNCTION": "DETAIL"})
    assert callup.function is OCIFunction.DETAIL
    assert [str(w) for w in callup.warnings] == [
        "PRODUCTID: FUNCTION=DETAIL without PRODUCTID; the catalog start page is shown"
    ]


def test_quantity_with_decimal_comma_is_forgiven() -> None:
    callup = parse_callup({"FUNCTION": "VALIDATE", "PRODUCTID": "A", "QUANTITY": "2,5"})
    assert callup.quantity == Decimal("2.5")
    assert callup.warnings == [
        OCIIssue(
            None, "QUANTITY", "'2,5' uses a decimal comma; read as 2.5 (OCI numbers use a decimal point)"
        )
    ]


def test_extra_parameters_and_duplicates() -> None:
    callup = parse_callup(
        [
            ("HOOK_URL", "http://b.test/r"),
            ("email", "oci@example.com"),
            ("first_name", "Oci"),
            ("email", "second@example.com"),
            ("~TARGET", "_top"),
            ("~TARGET", "_self"),
        ]
    )
    assert callup.extra == {"email": ["oci@example.com", "second@example.com"], "first_name": ["Oci"]}
    assert callup.target == "_top"
    assert [str(w) for w in callup.warnings] == ["~TARGET: sent twice; the first value '_top' is used"]


def test_blanks_around_hook_url_are_removed_with_a_warning() -> None:
    callup = parse_callup({"HOOK_URL": "  https://b.test/r?a=1 \n"})
    assert callup.hook_url == "https://b.test/r?a=1"
    assert [str(w) for w in callup.warnings] == ["HOOK_URL: blanks around the URL were removed"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        pytest.param(
            {"USERNAME": "u"},
            "the call-up has no HOOK_URL: the catalog cannot return the cart. Check the catalog "
            "settings in the buyer system (the HOOK_URL parameter must be sent)",
            id="missing-hook",
        ),
        pytest.param(
            {"HOOK_URL": "   "},
            "the call-up has no HOOK_URL: the catalog cannot return the cart. Check the catalog "
            "settings in the buyer system (the HOOK_URL parameter must be sent)",
            id="blank-hook",
        ),
        pytest.param(
            {"HOOK_URL": "javascript:alert(1)"},
            "HOOK_URL has javascript:; only http, https and SAPEVENT (SAP GUI) return addresses are "
            "accepted. Check the catalog settings in the buyer system.",
            id="javascript",
        ),
        pytest.param(
            {"HOOK_URL": " JavaScript:alert(1)"},
            "HOOK_URL has javascript:; only http, https and SAPEVENT (SAP GUI) return addresses are "
            "accepted. Check the catalog settings in the buyer system.",
            id="javascript-mixed-case",
        ),
        pytest.param(
            {"HOOK_URL": "java\tscript:alert(1)"},
            "HOOK_URL contains a control character; send the buyer system's return address "
            "URL-encoded as one parameter",
            id="javascript-with-tab",
        ),
        pytest.param(
            {"HOOK_URL": "data:text/html,<script>1</script>"},
            "HOOK_URL has data:; only http, https and SAPEVENT (SAP GUI) return addresses are "
            "accepted. Check the catalog settings in the buyer system.",
            id="data",
        ),
        pytest.param(
            {"HOOK_URL": "ftp://b.test/r"},
            "HOOK_URL has ftp:; only http, https and SAPEVENT (SAP GUI) return addresses are "
            "accepted. Check the catalog settings in the buyer system.",
            id="ftp",
        ),
        pytest.param(
            {"HOOK_URL": "/relative/return"},
            "HOOK_URL has no scheme; only http, https and SAPEVENT (SAP GUI) return addresses are "
            "accepted. Check the catalog settings in the buyer system.",
            id="relative",
        ),
        pytest.param(
            {"HOOK_URL": "https:///no-host"},
            "HOOK_URL 'https:///no-host' has no host; send an absolute http(s) URL",
            id="no-host",
        ),
        pytest.param(
            [("HOOK_URL", "https://a.test/r"), ("hook_url", "https://evil.test/r")],
            "the call-up has two different HOOK_URL values; send exactly one return address",
            id="two-hooks",
        ),
        pytest.param(
            {"HOOK_URL": "https://a.test/r", "FUNCTION": "ORDER"},
            "FUNCTION='ORDER' is not an OCI function; expected one of DETAIL, VALIDATE, BACKGROUND_SEARCH",
            id="unknown-function",
        ),
        pytest.param(
            {"FUNCTION": "VALIDATE"},
            "FUNCTION=VALIDATE needs PRODUCTID: the product to validate",
            id="validate-without-product",
        ),
        pytest.param(
            {"FUNCTION": "BACKGROUND_SEARCH", "SEARCHSTRING": " "},
            "FUNCTION=BACKGROUND_SEARCH needs SEARCHSTRING: the words to search for",
            id="search-without-words",
        ),
        pytest.param(
            {"FUNCTION": "VALIDATE", "PRODUCTID": "A", "QUANTITY": "two"},
            "QUANTITY: 'two' is not a number; send the quantity as digits, e.g. 2 or 2.5",
            id="bad-quantity",
        ),
        pytest.param(
            {"HOOK_URL": "https://a.test/r", "HTTP_CONTENT_CHARSET": "bogus"},
            "HTTP_CONTENT_CHARSET 'bogus' is not a character set the cart can be returned in; "
            "send UTF-8 or ISO-8859-1 (or leave it out: ISO-8859-1 is the OCI default)",
            id="unknown-charset",
        ),
        pytest.param(
            {"FUNCTION": "VALIDATE", "PRODUCTID": "A", "http_content_charset": "UTF-16"},
            "HTTP_CONTENT_CHARSET 'UTF-16' is not a character set the cart can be returned in; "
            "send UTF-8 or ISO-8859-1 (or leave it out: ISO-8859-1 is the OCI default)",
            id="utf-16-charset",
        ),
        pytest.param(
            {"HOOK_URL": "https://a.test/r", "HTTP_CONTENT_CHARSET": "base64"},
            "HTTP_CONTENT_CHARSET 'base64' is not a character set the cart can be returned in; "
            "send UTF-8 or ISO-8859-1 (or leave it out: ISO-8859-1 is the OCI default)",
            id="codec-that-is-not-a-charset",
        ),
        pytest.param(
            {"HOOK_URL": "https://a.test/r", "HTTP_CONTENT_CHARSET": "HZ"},
            "HTTP_CONTENT_CHARSET 'HZ' is not a character set the cart can be returned in; "
            "send UTF-8 or ISO-8859-1 (or leave it out: ISO-8859-1 is the OCI default)",
            id="charset-that-rewrites-the-tilde",
        ),
    ],
)
def test_refused_callups(params: dict[str, str] | list[tuple[str, str]], message: str) -> None:
    with pytest.raises(OCIError) as caught:
        parse_callup(params)
    assert str(caught.value) == message


@pytest.mark.parametrize("charset", ["UTF-8", "utf8", "ISO-8859-1", "windows-1252", "Shift_JIS", " utf-8 "])
def test_charsets_a_form_can_be_sent_in_are_kept(charset: str) -> None:
    callup = parse_callup({"HOOK_URL": "https://a.test/r", "HTTP_CONTENT_CHARSET": charset})
    assert (callup.http_content_charset, callup.warnings) == (charset, [])


def test_same_hook_url_twice_is_fine() -> None:
    callup = parse_callup([("HOOK_URL", "https://a.test/r"), ("HOOK_URL", "https://a.test/r")])
    assert callup.hook_url == "https://a.test/r"
    assert callup.warnings == []


def test_check_hook_url() -> None:
    assert check_hook_url("https://a.test/r?x=1&y=2") == ("https://a.test/r?x=1&y=2", False)
    assert check_hook_url("SAPEVENT:POST") == ("SAPEVENT:POST", True)


# --- buyer side ---------------------------------------------------------------------------------


def test_build_callup_url_exact() -> None:
    url = build_callup_url(
        "https://shop.example.com/oci/login",
        hook_url=SRM_HOOK,
        username="buyer 1",
        password="p&ss=word",
    )
    assert url == (
        "https://shop.example.com/oci/login?USERNAME=buyer%201&PASSWORD=p%26ss%3Dword"
        "&HOOK_URL=https%3A%2F%2Fsrm.example.com%2Fsap%2Fbc%2Fbsp%2Fsap%2Fbbp_oci%2Freturn.htm"
        "%3Fsap-client%3D100%26sap-language%3DDE&~OkCode=ADDI&~TARGET=_top&~CALLER=CTLG"
    )


def test_build_callup_url_round_trips_through_parse_callup() -> None:
    url = build_callup_url(
        "https://shop.example.com/oci?catalog=7",
        hook_url=SRM_HOOK,
        username="u",
        password="p",
        login_fields=("login", "pass"),
        function=OCIFunction.VALIDATE,
        product_id="031710    005  100",
        quantity=Decimal("2.50"),
        extra={"OCI_VERSION": "5.0", "email": "é@example.com"},
    )
    callup = parse_callup(
        parse_qsl(urlsplit(url).query, keep_blank_values=True), login_fields=("login", "pass")
    )
    assert callup == CallUp(
        hook_url=SRM_HOOK,
        okcode="ADDI",
        target="_top",
        caller="CTLG",
        oci_version="5.0",
        function=OCIFunction.VALIDATE,
        product_id="031710    005  100",
        quantity=Decimal("2.50"),
        login={"login": "u", "pass": "p"},
        extra={"catalog": ["7"], "email": ["é@example.com"]},
    )


def test_build_callup_url_background_search() -> None:
    url = build_callup_url(
        "https://shop.example.com/oci",
        hook_url="SAPEVENT:POST",
        username="u",
        password="p",
        function="background_search",
        search_string="M10 nut",
    )
    assert url.endswith("&FUNCTION=BACKGROUND_SEARCH&SEARCHSTRING=M10%20nut")


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        pytest.param(
            {"hook_url": "javascript:x"},
            OCIError,
            "HOOK_URL has javascript:; only http, https and SAPEVENT (SAP GUI) return addresses are "
            "accepted. Check the catalog settings in the buyer system.",
            id="bad-hook",
        ),
        pytest.param(
            {"function": OCIFunction.DETAIL}, OCIError, "FUNCTION=DETAIL needs product_id", id="detail"
        ),
        pytest.param(
            {"function": "BACKGROUND_SEARCH"},
            OCIError,
            "FUNCTION=BACKGROUND_SEARCH needs search_string",
            id="search",
        ),
        pytest.param(
            {"extra": {"hook_url": "https://evil.test"}},
            ValueError,
            "extra parameter 'hook_url' would override an OCI call-up parameter",
            id="override",
        ),
        pytest.param(
            {"base_url": "javascript:alert(1)"},
            ValueError,
            "catalog URL 'javascript:alert(1)' must be an absolute http(s) URL",
            id="base-url",
        ),
    ],
)
def test_build_callup_url_refusals(kwargs: dict[str, object], error: type[Exception], message: str) -> None:
    arguments: dict[str, object] = {
        "base_url": "https://shop.example.com/oci",
        "hook_url": "https://b.test/r",
        "username": "u",
        "password": "p",
    } | kwargs
    with pytest.raises(error) as caught:
        build_callup_url(**arguments)  # type: ignore[arg-type]
    assert str(caught.value) == message
