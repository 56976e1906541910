"""OCI call-up: the parameters a procurement system sends when it opens a catalog.

Implements the "Inbound section" of the SAP OCI 4.0/5.0 specification (call structure of the
catalog URL): the catalog-defined login fields (``USERNAME``/``PASSWORD`` in SAP's examples; their
names are the catalog's choice), ``HOOK_URL`` (where the cart goes back), ``~OkCode`` (``ADDI``),
``~TARGET`` (the frame the cart is posted to), ``~CALLER`` (``CTLG``), ``OCI_VERSION``,
``OPI_VERSION``, ``returntarget``, and the background functions of OCI 4.0+ ("Functions of the
OCI"): ``FUNCTION=DETAIL`` (show one product, ``PRODUCTID``), ``FUNCTION=VALIDATE`` (re-check a
product, ``PRODUCTID`` and ``QUANTITY``) and ``FUNCTION=BACKGROUND_SEARCH`` (``SEARCHSTRING``).

OCI has no handshake and no status: what we forgive is recorded in ``CallUp.warnings``, what we
cannot accept raises :class:`~punchout.oci.errors.OCIError`. SAP GUI's embedded browser uses a
``SAPEVENT:POST``-style HOOK_URL; it is accepted and flagged with ``CallUp.is_sapevent``.

:func:`build_callup_url` is the buyer side: the URL our procurement suite opens to punch out to an
OCI catalog.
"""

from __future__ import annotations

import codecs
import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from punchout.oci.errors import OCIError, OCIIssue
from punchout.oci.fields import CONTROL_CHARS, FormInput, form_pairs, parse_decimal


class OCIFunction(enum.StrEnum):
    """The OCI ``FUNCTION`` parameter (absent for the ordinary interactive call-up)."""

    DETAIL = "DETAIL"  # interactive: show the product PRODUCTID
    VALIDATE = "VALIDATE"  # background: return current data for PRODUCTID (and QUANTITY)
    BACKGROUND_SEARCH = "BACKGROUND_SEARCH"  # background: search for SEARCHSTRING


DEFAULT_LOGIN_FIELDS = ("USERNAME", "PASSWORD")

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_HOOK_SCHEMES = ("http", "https", "sapevent")

# Standard call-up parameters, by upper-case name -> the attribute of CallUp they fill.
_STANDARD = {
    "HOOK_URL": "hook_url",
    "~OKCODE": "okcode",
    "~TARGET": "target",
    "RETURNTARGET": "return_target",
    "~CALLER": "caller",
    "OCI_VERSION": "oci_version",
    "OPI_VERSION": "opi_version",
    "OCI_INTERFACE": "oci_interface",
    "HTTP_CONTENT_CHARSET": "http_content_charset",
    "FUNCTION": "function",
    "PRODUCTID": "product_id",
    "QUANTITY": "quantity",
    "SEARCHSTRING": "search_string",
}


@dataclass(frozen=True, kw_only=True)
class CallUp:
    """A parsed OCI call-up.

    ``login`` maps each configured login field name (as configured, e.g. ``"USERNAME"``) to the
    value sent under that name in any case; ``extra`` keeps every other parameter by its name as
    sent, with all its values (``email``, ``first_name``, ``sap-client``…).
    """

    hook_url: str | None
    is_sapevent: bool = False
    okcode: str | None = None
    target: str | None = None
    return_target: str | None = None
    caller: str | None = None
    oci_version: str | None = None
    opi_version: str | None = None
    oci_interface: str | None = None
    http_content_charset: str | None = None
    function: OCIFunction | None = None
    product_id: str | None = None
    quantity: Decimal | None = None
    search_string: str | None = None
    login: dict[str, str] = field(default_factory=dict)
    extra: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[OCIIssue] = field(default_factory=list)

    @property
    def is_interactive(self) -> bool:
        """Whether a person's browser is waiting (the cart goes back through HOOK_URL)."""
        return self.function not in (OCIFunction.VALIDATE, OCIFunction.BACKGROUND_SEARCH)

    @property
    def username(self) -> str | None:
        """The value of the first configured login field."""
        return next(iter(self.login.values()), None)

    @property
    def password(self) -> str | None:
        """The value of the second configured login field."""
        values = list(self.login.values())
        return values[1] if len(values) > 1 else None


def check_hook_url(url: str) -> tuple[str, bool]:
    """Return the HOOK_URL with surrounding blanks removed and whether it is a SAP GUI SAPEVENT.

    Only ``http``, ``https`` and ``sapevent`` (SAP GUI's ``SAPEVENT:POST``) are accepted: a cart is
    posted to this address, so ``javascript:``, ``data:`` or a relative URL would let whoever wrote
    the call-up run code or steal the cart. The URL's own query string is kept as it is.
    """
    stripped = url.strip()
    if CONTROL_CHARS.search(stripped):
        raise OCIError(
            "HOOK_URL contains a control character; send the buyer system's return address "
            "URL-encoded as one parameter"
        )
    match = _SCHEME.match(stripped)
    scheme = match[1].lower() if match else ""
    if scheme not in _HOOK_SCHEMES:
        shown = f"{scheme}:" if scheme else "no scheme"
        raise OCIError(
            f"HOOK_URL has {shown}; only http, https and SAPEVENT (SAP GUI) return addresses are "
            "accepted. Check the catalog settings in the buyer system."
        )
    if scheme != "sapevent" and not urlsplit(stripped).netloc:
        raise OCIError(f"HOOK_URL {stripped!r} has no host; send an absolute http(s) URL")
    return stripped, scheme == "sapevent"


# What an OCI return page writes in ASCII: markup, field names (``~OkCode``), values (``+``), and a
# line long enough that a codec for host names (IDNA, with its 63-character labels) is told from a
# character set. UTF-7 (``+``) and HZ (``~``) rewrite some of it and are refused with UTF-16.
_ASCII_SAMPLES = (
    '<input type="hidden" name="NEW_ITEM-DESCRIPTION[1]" value="Copy paper, A4 &amp; 80 g">',
    '<input type="hidden" name="~OkCode" value="ADDI+1">',
)


def check_charset(charset: str) -> None:
    """Raise :class:`OCIError` unless ``charset`` names a character set an HTML form can be sent in:
    one Python knows that writes ASCII as ASCII (``UTF-8``, ``ISO-8859-1``, ``windows-1252``…;
    not ``UTF-16``, in which no browser posts a form)."""
    try:
        ascii_safe = codecs.lookup(charset.strip())._is_text_encoding and all(
            sample.encode(charset.strip()) == sample.encode("ascii") for sample in _ASCII_SAMPLES
        )
    except (LookupError, UnicodeError, ValueError):
        ascii_safe = False
    if not ascii_safe:
        raise OCIError(
            f"HTTP_CONTENT_CHARSET {charset[:40]!r} is not a character set the cart can be returned in; "
            "send UTF-8 or ISO-8859-1 (or leave it out: ISO-8859-1 is the OCI default)"
        )


def parse_callup(params: FormInput, *, login_fields: Sequence[str] = DEFAULT_LOGIN_FIELDS) -> CallUp:
    """Read the parameters of an OCI call-up (a plain dict, ``QueryDict.lists()`` or pairs).

    Parameter names are matched in any case (``~caller``, ``hook_url``); ``login_fields`` are the
    catalog-defined names of the login fields. Raises :class:`OCIError` for a call-up that cannot
    be served: no HOOK_URL on an interactive call-up, a HOOK_URL that is not http(s)/SAPEVENT,
    two different HOOK_URLs, an unknown FUNCTION, a background function without what it needs, an
    HTTP_CONTENT_CHARSET the cart cannot be returned in.
    """
    warnings: list[OCIIssue] = []
    login_names = {name.upper(): name for name in login_fields}
    values: dict[str, str] = {}
    login: dict[str, str] = {}
    extra: dict[str, list[str]] = {}
    for name, value in form_pairs(params):
        upper = name.upper()
        if upper in _STANDARD:
            attr = _STANDARD[upper]
            if attr not in values:
                values[attr] = value
            elif values[attr] != value:
                if attr == "hook_url":
                    raise OCIError(
                        "the call-up has two different HOOK_URL values; send exactly one return address"
                    )
                warnings.append(
                    OCIIssue(None, upper, f"sent twice; the first value {values[attr]!r} is used")
                )
        elif upper in login_names:
            configured = login_names[upper]
            if configured in login and login[configured] != value:
                warnings.append(OCIIssue(None, configured, "sent twice; the first value is used"))
            login.setdefault(configured, value)
        else:
            extra.setdefault(name, []).append(value)
    # Keep login in the configured order, so username/password follow login_fields.
    login = {name: login[name] for name in login_fields if name in login}

    function = _read_function(values.get("function", ""))
    quantity = None
    if values.get("quantity", "").strip():
        try:
            quantity, note = parse_decimal(values["quantity"])
        except ValueError as exc:
            raise OCIError(f"QUANTITY: {exc}; send the quantity as digits, e.g. 2 or 2.5") from exc
        if note:
            warnings.append(OCIIssue(None, "QUANTITY", note))
    product_id = values.get("product_id") or None
    search_string = values.get("search_string") or None
    if function is OCIFunction.VALIDATE and not product_id:
        raise OCIError("FUNCTION=VALIDATE needs PRODUCTID: the product to validate")
    if function is OCIFunction.BACKGROUND_SEARCH and not (search_string or "").strip():
        raise OCIError("FUNCTION=BACKGROUND_SEARCH needs SEARCHSTRING: the words to search for")
    if function is OCIFunction.DETAIL and not product_id:
        warnings.append(
            OCIIssue(None, "PRODUCTID", "FUNCTION=DETAIL without PRODUCTID; the catalog start page is shown")
        )

    hook_url, is_sapevent = None, False
    raw_hook = values.get("hook_url", "")
    if raw_hook.strip():
        hook_url, is_sapevent = check_hook_url(raw_hook)
        if hook_url != raw_hook:
            warnings.append(OCIIssue(None, "HOOK_URL", "blanks around the URL were removed"))
        split_off = [name for name in extra if name.lower().startswith("sap-")]
        if split_off and "?" not in hook_url:
            warnings.append(
                OCIIssue(
                    None,
                    "HOOK_URL",
                    f"{', '.join(split_off)} arrived as separate parameters: the HOOK_URL was "
                    "probably not URL-encoded and may have lost its own query string",
                )
            )
    elif function not in (OCIFunction.VALIDATE, OCIFunction.BACKGROUND_SEARCH):
        raise OCIError(
            "the call-up has no HOOK_URL: the catalog cannot return the cart. Check the catalog "
            "settings in the buyer system (the HOOK_URL parameter must be sent)"
        )

    charset = values.get("http_content_charset")
    if charset is not None and charset.strip():
        check_charset(charset)

    return CallUp(
        hook_url=hook_url,
        is_sapevent=is_sapevent,
        okcode=values.get("okcode"),
        target=values.get("target"),
        return_target=values.get("return_target"),
        caller=values.get("caller"),
        oci_version=values.get("oci_version"),
        opi_version=values.get("opi_version"),
        oci_interface=values.get("oci_interface"),
        http_content_charset=values.get("http_content_charset"),
        function=function,
        product_id=product_id,
        quantity=quantity,
        search_string=search_string,
        login=login,
        extra=extra,
        warnings=warnings,
    )


def _read_function(raw: str) -> OCIFunction | None:
    text = raw.strip().upper()
    if not text:
        return None
    try:
        return OCIFunction(text)
    except ValueError:
        known = ", ".join(function.value for function in OCIFunction)
        raise OCIError(f"FUNCTION={raw!r} is not an OCI function; expected one of {known}") from None


def build_callup_url(
    base_url: str,
    *,
    hook_url: str,
    username: str,
    password: str,
    login_fields: Sequence[str] = DEFAULT_LOGIN_FIELDS,
    okcode: str = "ADDI",
    target: str = "_top",
    caller: str = "CTLG",
    function: OCIFunction | str | None = None,
    product_id: str | None = None,
    quantity: Decimal | None = None,
    search_string: str | None = None,
    extra: Mapping[str, str] | None = None,
    charset: str = "utf-8",
) -> str:
    """The URL that opens an OCI catalog for one of our users (buyer side).

    ``base_url`` may already carry its own query string (kept, parameters appended). Every value,
    HOOK_URL included, is percent-encoded so that HOOK_URL's own query string survives. OCI sends
    the login in the URL: do not log the result.
    """
    checked_hook, _ = check_hook_url(hook_url)
    if len(login_fields) != 2:
        raise ValueError("login_fields must name the user field and the password field")
    params: list[tuple[str, str]] = [(login_fields[0], username), (login_fields[1], password)]
    params += [("HOOK_URL", checked_hook), ("~OkCode", okcode), ("~TARGET", target), ("~CALLER", caller)]
    if function is not None:
        chosen = _read_function(str(function))
        if chosen in (OCIFunction.DETAIL, OCIFunction.VALIDATE) and not product_id:
            raise OCIError(f"FUNCTION={chosen} needs product_id")
        if chosen is OCIFunction.BACKGROUND_SEARCH and not search_string:
            raise OCIError("FUNCTION=BACKGROUND_SEARCH needs search_string")
        params.append(("FUNCTION", str(chosen)))
    if product_id is not None:
        params.append(("PRODUCTID", product_id))
    if quantity is not None:
        params.append(("QUANTITY", format(quantity, "f")))
    if search_string is not None:
        params.append(("SEARCHSTRING", search_string))
    reserved = {name.upper() for name, _ in params}
    for name, value in (extra or {}).items():
        if name.upper() in reserved:
            raise ValueError(f"extra parameter {name!r} would override an OCI call-up parameter")
        params.append((name, value))

    parts = urlsplit(base_url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError(f"catalog URL {base_url!r} must be an absolute http(s) URL")
    query = urlencode(params, quote_via=quote, safe="", encoding=charset)
    joined = f"{parts.query}&{query}" if parts.query else query
    return urlunsplit((parts.scheme, parts.netloc, parts.path, joined, parts.fragment))
