"""Checks of a supplier's PunchOut endpoints, played as a buyer's procurement system would.

:func:`run_supplier_checks` runs every check in order and returns the :class:`Report`. Each check is
a method of :class:`SupplierChecks` named after its code:

- ``profile``: ProfileRequest answered with the transactions (later checks post to the URLs it lists);
- ``setup.create``, ``setup.edit``, ``setup.inspect``: a PunchOutSetupResponse with a StartPage URL
  within the deadline, and the StartPage answers HTML;
- ``secret.wrong``, ``identity.unknown``: a setup with a wrong secret, or from an unknown identity,
  is refused with a cXML 4xx;
- ``cart.return``, ``cart.encoding``, ``cart.document``, ``cart.message``, ``cart.totals``: the cart
  comes back to the BrowserFormPost URL (a :class:`~punchout.conformance.catcher.Catcher` on
  loopback) and is read as the procurement system would;
- ``order.new``, ``order.repeat``, ``order.update``, ``order.delete`` (with ``send_orders``);
- ``oci.callup``, ``oci.cart``, ``oci.validate``, ``oci.background_search`` (with an OCI URL).
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from punchout import oci
from punchout.conformance.browse import Browser, Page
from punchout.conformance.catcher import Catcher, Posted
from punchout.conformance.expect import DTD_DIR, cxml_answer
from punchout.conformance.identity import Party
from punchout.conformance.report import Outcome, Report
from punchout.conformance.runner import (
    USER_AGENT,
    CheckFailed,
    CheckWarning,
    Progress,
    Runner,
    conformance_request,
)
from punchout.cxml.common import (
    CXML,
    Address,
    Classification,
    Contact,
    Description,
    Extrinsic,
    ItemDetail,
    ItemID,
    PostalAddress,
)
from punchout.cxml.dtd import validate as dtd_validate
from punchout.cxml.errors import CXMLError
from punchout.cxml.helpers import new_payload_id
from punchout.cxml.order import ItemOut, OrderRequest, OrderRequestHeader, OrderRequestType
from punchout.cxml.parser import parse
from punchout.cxml.profile import ProfileRequest, ProfileResponse
from punchout.cxml.punchout_msgs import (
    ItemIn,
    PunchOutOperation,
    PunchOutOrderMessage,
    PunchOutSetupRequest,
    PunchOutSetupResponse,
)
from punchout.cxml.transport import HttpAnswer
from punchout.money import CURRENCIES, Money

__all__ = ["USER_AGENT", "SupplierChecks", "SupplierTarget", "run_supplier_checks"]

#: Seconds a procurement system waits for a setup answer (Coupa allows 60).
SETUP_SECONDS = 60.0
#: A setup answered slower than this works, but the shopper stares at a blank frame meanwhile.
SETUP_WARN_SECONDS = 5.0
#: Seconds the run waits for the cart at the return address once a page has posted it.
CART_ARRIVAL_SECONDS = 10.0
CXML_HEADERS = {"Content-Type": "text/xml; charset=utf-8"}
_DECLARED = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']", re.IGNORECASE)

#: A part no catalog is expected to know, used when no cart came back earlier in the run.
MADE_UP_PART = "CONFORMANCE-TEST-PART"

#: Called with a line a person must read (the StartPage to open when a person returns the cart).
Announce = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class SupplierTarget:
    """The supplier to check: its cXML endpoint, the identities and secret it expects, its OCI call-up.

    ``user_email`` is the shopper the setup requests and the OCI call-up name. ``cart_wait`` (seconds,
    0 for none) has a person return the cart from a StartPage the run prints, instead of the run
    following the catalog's own forms. ``catcher_port`` (0: any free port) fixes the port of the
    loopback return address, for suppliers that allow return addresses one by one. A setup answered
    slower than ``setup_warn_seconds`` is a warning (slower than the run's deadline, a failure).
    """

    url: str
    from_party: Party
    to_party: Party
    secret: str
    sender: Party | None = None
    oci_url: str = ""
    oci_user: str = ""
    oci_password: str = ""
    send_orders: bool = False
    payload_domain: str = "conformance.openprocure.local"
    user_email: str = "conformance.check@example.com"
    cart_wait: float = 0.0
    catcher_port: int = 0
    setup_warn_seconds: float = SETUP_WARN_SECONDS


@dataclass(slots=True)
class _Cart:
    """A cart as it came back: the form field, the declared and actual encodings, the document."""

    field: str
    raw: bytes
    document: CXML | None = None


class SupplierChecks(Runner):
    role = "supplier"

    def __init__(
        self,
        target: SupplierTarget,
        *,
        progress: Progress | None = None,
        deadline: float = SETUP_SECONDS,
        announce: Announce | None = None,
    ):
        super().__init__(target.url, progress=progress, deadline=deadline)
        self.target = target
        self.hidden.update(value for value in (target.secret, target.oci_password) if value)
        self.announce = announce
        self.profile: ProfileResponse | None = None
        self.browser = Browser(self)
        self.catcher: Catcher | None = None
        self.buyer_cookie = ""
        self.create_cookie = ""
        self.start_page: Page | None = None  # the create session's StartPage, where shopping starts
        self.posted: Posted | None = None
        self.cart: _Cart | None = None
        self.cart_items: list[ItemIn] = []
        self.cart_currency = ""
        self.oci_cart: oci.CartResult | None = None

    # -- documents ----------------------------------------------------------------------------------
    def envelope(
        self,
        message: object,
        *,
        secret: str | None = None,
        sender: Party | None = None,
        from_party: Party | None = None,
        payload_id: str | None = None,
    ) -> bytes:
        """A request with the target's From/To/Sender and secret (or the ones given, to test refusals)."""
        target = self.target
        from_party = from_party or target.from_party
        return conformance_request(
            message,
            from_party=from_party,
            to_party=target.to_party,
            sender=sender or target.sender or from_party,
            secret=target.secret if secret is None else secret,
            payload_id=payload_id or new_payload_id(target.payload_domain),
        )

    def transaction_url(self, name: str) -> str:
        """The URL the ProfileResponse lists for ``name``, else the setup URL the run was given."""
        if self.profile is not None:
            for transaction in self.profile.transactions:
                if transaction.request_name == name and transaction.url.strip():
                    return transaction.url.strip()
        return self.target.url

    def setup_request(
        self, operation: PunchOutOperation, items: list[ItemOut] | None = None
    ) -> PunchOutSetupRequest:
        assert self.catcher is not None
        self.buyer_cookie = f"conformance-{secrets.token_hex(8)}"
        return PunchOutSetupRequest(
            buyer_cookie=self.buyer_cookie,
            operation=operation,
            browser_form_post_url=self.catcher.url,
            extrinsics=[Extrinsic("UserEmail", self.target.user_email)],
            contacts=[Contact(name="Conformance Check", role="endUser", emails=[self.target.user_email])],
            items=items or [],
        )

    def send_setup(
        self,
        operation: PunchOutOperation,
        items: list[ItemOut] | None = None,
        *,
        secret: str | None = None,
        from_party: Party | None = None,
    ) -> HttpAnswer:
        """Post a setup request to the setup URL (with another secret or From, to test refusals)."""
        body = self.envelope(self.setup_request(operation, items), secret=secret, from_party=from_party)
        return self.send(self.transaction_url("PunchOutSetupRequest"), body, headers=CXML_HEADERS)

    # -- the run ------------------------------------------------------------------------------------
    def run(self) -> Report:
        with Catcher(port=self.target.catcher_port) as catcher:
            self.catcher = catcher
            self.check_profile()
            self.check_setup_create()
            self.check_cart()
            self.check_setup_edit()
            self.check_setup_inspect()
            self.check_secret_wrong()
            self.check_identity_unknown()
            self.check_orders()
            self.check_oci()
        return self.finish()

    def check_profile(self) -> None:
        with self.check("profile", "ProfileRequest is answered with the transactions supported"):
            answer = self.send(self.target.url, self.envelope(ProfileRequest()), headers=CXML_HEADERS)
            document = cxml_answer(self, answer, what="The answer to ProfileRequest")
            if not isinstance(document.message, ProfileResponse):
                raise CheckFailed(
                    f"The answer to ProfileRequest is a {document.kind}, not a ProfileResponse.",
                    "Answer ProfileRequest with a ProfileResponse listing each Transaction and its URL.",
                )
            self.profile = document.message
            names = sorted({t.request_name for t in document.message.transactions})
            self.note(f"Transactions: {', '.join(names) if names else 'none listed'}.")
            self.report.checks[-1].params["transactions"] = names

    # -- setup --------------------------------------------------------------------------------------
    def _setup(self, operation: PunchOutOperation, items: list[ItemOut] | None = None) -> Page:
        """Send one setup request, check its answer and timing, fetch the StartPage; return that page."""
        answer = self.send_setup(operation, items)
        start_url = self._start_page_url(answer, operation)
        check = self.report.checks[-1]
        check.params["setup_seconds"] = round(answer.seconds, 3)
        self.note(f"The setup was answered in {answer.seconds:.2f} s.")
        limit = self.target.setup_warn_seconds
        if answer.seconds > limit:
            self.warn(
                f"The setup took {answer.seconds:.2f} s (more than {limit:g} s): the shopper "
                "waits in front of an empty frame meanwhile.",
                "Answer the setup request at once and prepare the session when the StartPage is opened.",
            )
        page = self.browser.open(start_url)
        check.params["start_page_status"] = page.answer.status
        if not 200 <= page.answer.status < 300:
            raise CheckFailed(
                f"The StartPage {start_url} answered HTTP {page.answer.status} (at {page.url}).",
                "The StartPage URL must open the catalog in the shopper's browser (HTTP 200 with an HTML "
                "page) the first time it is opened.",
                http_status=page.answer.status,
            )
        if not page.is_html:
            raise CheckFailed(
                f"The StartPage {start_url} answered {page.answer.content_type or 'no Content-Type'}, "
                "not an HTML page.",
                "Answer the StartPage with the catalog's HTML page (Content-Type text/html).",
            )
        self.note(f"The StartPage answered HTTP {page.answer.status} HTML in {page.answer.seconds:.2f} s.")
        return page

    def _start_page_url(self, answer: HttpAnswer, operation: PunchOutOperation) -> str:
        document = cxml_answer(self, answer, what=f"The answer to PunchOutSetupRequest ({operation})")
        message = document.message
        if not isinstance(message, PunchOutSetupResponse):
            raise CheckFailed(
                f"The answer to PunchOutSetupRequest ({operation}) is a {document.kind}, not a "
                "PunchOutSetupResponse.",
                "Answer a setup request with a PunchOutSetupResponse carrying StartPage/URL.",
            )
        url = (message.start_page_url or "").strip()
        if not url.lower().startswith(("http://", "https://")):
            raise CheckFailed(
                f"The PunchOutSetupResponse ({operation}) has no usable StartPage URL ({url!r}).",
                "Put the absolute http(s) URL of the shopper's session in StartPage/URL.",
            )
        return url

    def check_setup_create(self) -> None:
        with self.check("setup.create", "PunchOutSetupRequest (create) opens a session on a StartPage"):
            self.start_page = self._setup(PunchOutOperation.CREATE)
            self.create_cookie = self.buyer_cookie

    def edit_items(self) -> tuple[list[ItemOut], str]:
        """The ItemOut lines of an edit/inspect: the cart returned earlier, or a made-up part (said)."""
        if self.cart_items:
            items = [
                ItemOut(
                    quantity=item.quantity,
                    item_id=item.item_id,
                    item_detail=item.item_detail,
                    line_number=index,
                )
                for index, item in enumerate(self.cart_items, 1)
            ]
            parts = ", ".join(i.item_id.supplier_part_id for i in self.cart_items)
            return items, f"The lines are those of the cart returned earlier ({parts})."
        made_up = ItemOut(
            quantity=Decimal(1),
            item_id=ItemID(MADE_UP_PART),
            item_detail=ItemDetail(
                unit_price=Money(Decimal("1.00"), self.cart_currency or "EUR"),
                descriptions=[Description("Conformance test part", lang="en")],
                unit_of_measure="EA",
                # UNSPSC 44121700: writing instruments, an ordinary office supply.
                classifications=[Classification(domain="UNSPSC", value="44121700")],
            ),
            line_number=1,
        )
        return [made_up], (
            f"No cart came back earlier in the run, so the line names a made-up part ({MADE_UP_PART})."
        )

    def check_setup_edit(self) -> None:
        with self.check("setup.edit", "PunchOutSetupRequest (edit) with the cart's lines opens a session"):
            items, said = self.edit_items()
            self.note(said)
            self._setup(PunchOutOperation.EDIT, items)

    def check_setup_inspect(self) -> None:
        with self.check("setup.inspect", "PunchOutSetupRequest (inspect) opens a read-only session"):
            items, said = self.edit_items()
            self.note(said)
            self._setup(PunchOutOperation.INSPECT, items)

    # -- refusals -----------------------------------------------------------------------------------
    def _refused(self, answer: HttpAnswer, what: str, fix: str) -> None:
        """The answer must be a cXML Response with a 4xx Status: a 2xx, a 5xx, HTML… fail with what came."""
        try:
            document = cxml_answer(self, answer, codes=range(400, 500), what=what)
        except CheckFailed as failure:
            if "status_code" in failure.params:
                code = failure.params["status_code"]
                if isinstance(code, int) and 200 <= code < 300:
                    raise CheckFailed(f"{failure.message} It was accepted.", fix, **failure.params) from None
            raise CheckFailed(failure.message, fix, **failure.params) from None
        assert document.status is not None
        self.note(f"Refused with cXML Status {document.status.code} {document.status.text}.")
        self.report.checks[-1].params["status_code"] = document.status.code

    def check_secret_wrong(self) -> None:
        with self.check("secret.wrong", "A setup with a wrong SharedSecret is refused with a cXML 4xx"):
            wrong = f"wrong-{secrets.token_hex(6)}"
            answer = self.send_setup(PunchOutOperation.CREATE, secret=wrong)
            self._refused(
                answer,
                "The answer to a setup with a wrong SharedSecret",
                "Check the SharedSecret of every request and refuse a wrong one with a cXML Response, "
                'Status code="401" (HTTP 200 or 401), Content-Type text/xml.',
            )

    def check_identity_unknown(self) -> None:
        with self.check(
            "identity.unknown", "A setup from an unknown From identity is refused with a cXML 4xx"
        ):
            stranger = Party(self.target.from_party.domain, f"UNKNOWN-{secrets.token_hex(4).upper()}")
            answer = self.send_setup(PunchOutOperation.CREATE, from_party=stranger)
            self._refused(
                answer,
                f"The answer to a setup from the unknown identity {stranger}",
                "Look the From credential up and refuse an identity you do not know with a cXML Response, "
                'Status code="401" or "403", Content-Type text/xml.',
            )

    # -- the cart -----------------------------------------------------------------------------------
    def check_cart(self) -> None:
        cart_codes = [
            ("cart.encoding", "The cart's bytes are in the encoding its XML declaration names"),
            ("cart.document", "The cart is a cXML document valid against the DTD"),
            ("cart.message", "The cart is a PunchOutOrderMessage echoing the BuyerCookie"),
            ("cart.totals", "The cart's Total is the sum of its lines"),
        ]
        with self.check("cart.return", "The cart comes back to the BrowserFormPost URL") as check:
            self.posted = self._returned_cart()
            self.cart = self._cart_field(self.posted)
            check.params["field"] = self.cart.field
            self.note(f"The cart came back in the form field {self.cart.field} ({len(self.cart.raw)} bytes).")
        if self.cart is None:
            for code, title in cart_codes:
                self.skip(code, title, "No cart came back (see cart.return).", required=True)
            return
        with self.check(*cart_codes[0]):
            self._check_encoding(self.cart)
        with self.check(*cart_codes[1]):
            self._check_document(self.cart)
        if self.cart.document is None:
            for code, title in cart_codes[2:]:
                self.skip(code, title, "The cart could not be read (see cart.document).", required=True)
            return
        with self.check(*cart_codes[2]):
            self._check_message(self.cart.document)
        with self.check(*cart_codes[3]):
            self._check_totals()

    def _returned_cart(self) -> Posted:
        assert self.catcher is not None
        self.catcher.drain()
        if self.target.cart_wait > 0:
            page_url = self._start_for_person()
            if self.announce:
                self.announce(
                    f"Open {page_url} in a browser, add an item and return the cart within "
                    f"{self.target.cart_wait:g} s."
                )
            posted = self.catcher.wait(self.target.cart_wait)
            if posted is None:
                raise CheckFailed(
                    f"No cart reached the BrowserFormPost URL within {self.target.cart_wait:g} s "
                    f"(StartPage {page_url}).",
                    "Return the cart by a page whose form posts cxml-urlencoded or cxml-base64 to the "
                    "BrowserFormPost URL of the setup request.",
                )
            return posted
        if self.start_page is None:
            raise CheckFailed(
                "No StartPage to shop from (see setup.create).",
                "Answer the setup request with a StartPage that opens the catalog.",
            )
        self.buyer_cookie = self.create_cookie
        walked = self.browser.shop(self.start_page, self.catcher.url)
        self.report.checks[-1].params["steps"] = walked.steps
        if walked.posted is None:
            raise CheckFailed(
                "Following the catalog's own links and forms from the StartPage did not lead to a page "
                f"that posts the cart to the BrowserFormPost URL. Steps: {'; '.join(walked.steps)}.",
                "Give the cart page a form (Submit, Checkout, Return…) that leads to a page posting "
                "cxml-urlencoded or cxml-base64 to the BrowserFormPost URL; or run the checks with "
                "--cart-wait and return a cart by hand.",
            )
        self.note(f"Steps: {'; '.join(walked.steps)}.")
        posted = self.catcher.wait(CART_ARRIVAL_SECONDS)
        if posted is None:  # the post is sent and answered before shop() returns; never expected
            raise CheckFailed(
                "The cart was posted but did not reach the return address.", "Post the cart to the URL given."
            )
        return posted

    def _start_for_person(self) -> str:
        return self._start_page_url(self.send_setup(PunchOutOperation.CREATE), PunchOutOperation.CREATE)

    def _cart_field(self, posted: Posted) -> _Cart:
        fields = posted.raw_fields()
        by_name = {name.casefold(): (name, value) for name, value in fields}
        if "cxml-urlencoded" in by_name:
            name, value = by_name["cxml-urlencoded"]
            return _Cart(name, value)
        if "cxml-base64" in by_name:
            name, value = by_name["cxml-base64"]
            try:
                return _Cart(name, base64.b64decode(b"".join(value.split()), validate=True))
            except (binascii.Error, ValueError):
                raise CheckFailed(
                    f"The form field {name} is not valid base64 ({len(value)} characters).",
                    "Encode the whole cXML document with standard base64 (RFC 4648).",
                ) from None
        present = ", ".join(sorted({name for name, _ in fields})[:10]) or "none"
        raise CheckFailed(
            f"The form posted to the BrowserFormPost URL has no cxml-urlencoded or cxml-base64 field "
            f"(fields received: {present}; Content-Type {posted.content_type or 'none'}).",
            "Post the PunchOutOrderMessage in a hidden field named cxml-urlencoded (or cxml-base64).",
        )

    def _check_encoding(self, cart: _Cart) -> None:
        found = _DECLARED.search(cart.raw)
        declared = found.group(1).decode("ascii") if found else "UTF-8"
        check = self.report.checks[-1]
        check.params["declared"] = declared
        try:
            cart.raw.decode(declared)
        except LookupError:
            raise CheckFailed(
                f"The cart declares encoding={declared!r}, which is not a known character encoding.",
                'Declare encoding="UTF-8" and send UTF-8.',
            ) from None
        except UnicodeDecodeError as error:
            bad = cart.raw[error.start : error.start + 1]
            around = cart.raw[max(0, error.start - 20) : error.start + 20].decode("latin-1")
            latin = _reads_as_latin1(cart.raw)
            actual = "ISO-8859-1 (Latin-1)" if latin else "another encoding"
            check.params["actual"] = "ISO-8859-1" if latin else ""
            raise CheckFailed(
                f'The cart in {cart.field} declares encoding "{declared}" but its bytes are not '
                f"{declared}: byte 0x{bad.hex().upper()} at offset {error.start} (in {around!r}); the "
                f"text was sent in {actual}.",
                f"The browser posts the form in the charset of the page that holds it: serve that page in "
                f'{declared} (Content-Type text/html; charset={declared} and <meta charset="{declared}">), '
                "or declare the encoding the page really uses.",
            ) from None
        self.note(f"The cart declares {declared} and is {declared}.")

    def _check_document(self, cart: _Cart) -> None:
        try:
            cart.document = parse(cart.raw).document
        except CXMLError as error:
            raise CheckFailed(
                f"The cart in {cart.field} is not a cXML document: {error.message}",
                "Post the whole cXML document (with its XML declaration and DOCTYPE) in the form field.",
            ) from None
        errors = dtd_validate(cart.raw, DTD_DIR)
        if errors:
            raise CheckFailed(
                f"The cart is not valid against the cXML DTD: {'; '.join(errors[:3])}"
                + (f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""),
                "Build the PunchOutOrderMessage as the cXML DTD named in its DOCTYPE says.",
            )
        self.note("The cart is valid cXML against the DTD.")

    def _check_message(self, document: CXML) -> None:
        message = document.message
        if not isinstance(message, PunchOutOrderMessage):
            raise CheckFailed(
                f"The cart is a {document.kind}, not a PunchOutOrderMessage.",
                "Return the cart as a cXML Message holding a PunchOutOrderMessage.",
            )
        if message.buyer_cookie != self.buyer_cookie:
            raise CheckFailed(
                f"The cart's BuyerCookie is {message.buyer_cookie!r}, not {self.buyer_cookie!r} as sent "
                "in the setup request.",
                "Copy the BuyerCookie of the setup request, unchanged, into the PunchOutOrderMessage: "
                "the procurement system finds the shopper's requisition by it.",
            )
        self.cart_items = list(message.items)
        if message.header.total is not None:
            self.cart_currency = message.header.total.currency
        if not message.items:
            raise CheckWarning(
                "The cart came back with no ItemIn line (nothing was added to it).",
                "Check that a cart with items can be returned (run with --cart-wait to add one by hand).",
            )
        self.note(f"PunchOutOrderMessage with {len(message.items)} line(s) and the BuyerCookie sent.")

    def _check_totals(self) -> None:
        assert self.cart is not None and self.cart.document is not None
        message = self.cart.document.message
        assert isinstance(message, PunchOutOrderMessage)
        total = message.header.total
        if total is None:
            raise CheckFailed(
                "The PunchOutOrderMessageHeader has no Total.",
                "Send the cart's Total (the sum of its lines) in PunchOutOrderMessageHeader.",
            )
        lines = Decimal(0)
        for index, item in enumerate(message.items, 1):
            price = item.item_detail.unit_price if item.item_detail else None
            if price is None:
                raise CheckFailed(
                    f"Line {index} ({item.item_id.supplier_part_id}) has no UnitPrice.",
                    "Give every ItemIn an ItemDetail/UnitPrice/Money.",
                )
            if price.currency != total.currency:
                raise CheckFailed(
                    f"Line {index} is priced in {price.currency} but the Total is in {total.currency}.",
                    "Price every line of a cart in the Total's currency.",
                )
            basis = item.item_detail.price_basis_quantity if item.item_detail else None
            factor = basis.conversion_factor / basis.quantity if basis and basis.quantity else Decimal(1)
            lines += item.quantity * price.amount * factor
        extra = sum(
            (
                m.amount
                for m in (_money(message.header.shipping), _money(message.header.tax))
                if m is not None
            ),
            Decimal(0),
        )
        self.report.checks[-1].params.update(total=str(total.amount), lines=str(lines))
        if total.amount == lines:
            self.note(f"Total {total} = the sum of the lines.")
        elif total.amount == lines + extra:
            self.note(f"Total {total} = the sum of the lines {lines} + shipping and tax {extra}.")
        else:
            raise CheckFailed(
                f"The Total is {total} but the lines add up to {lines} {total.currency}"
                + (f" ({lines + extra} with shipping and tax)" if extra else "")
                + ".",
                "Make PunchOutOrderMessageHeader/Total the sum of quantity × UnitPrice of the lines "
                "(plus the Shipping and Tax you send).",
            )

    # -- orders -------------------------------------------------------------------------------------
    def check_orders(self) -> None:
        checks = [
            ("order.new", "An OrderRequest (deploymentMode test) is accepted"),
            ("order.repeat", "The same OrderRequest again (same payloadID) gets the same answer"),
            ("order.update", "An OrderRequest type update is accepted"),
            ("order.delete", "An OrderRequest type delete is accepted"),
        ]
        if not self.target.send_orders:
            for code, title in checks:
                self.skip(code, title, "Orders are sent only when asked (--send-orders).")
            return
        order_id = f"CONF-{secrets.token_hex(4).upper()}"
        items, said = self.edit_items()
        url = self.transaction_url("OrderRequest")
        first: HttpAnswer | None = None
        first_payload = ""
        body = b""
        with self.check(*checks[0]):
            self.note(said)
            first_payload = new_payload_id(self.target.payload_domain)
            body = self.envelope(
                self._order(order_id, items, OrderRequestType.NEW, version=1), payload_id=first_payload
            )
            first = self.send(url, body, headers=CXML_HEADERS)
            self._accepted(first, f"The answer to OrderRequest {order_id} (new)")
        if first is None or self.report.checks[-1].outcome is Outcome.FAIL:
            for code, title in checks[1:]:
                self.skip(code, title, "The new order was not accepted (see order.new).", required=True)
            return
        with self.check(*checks[1]):
            again = self.send(url, body, headers=CXML_HEADERS)
            before, after = _status_line(first), _status_line(again)
            if before != after:
                raise CheckFailed(
                    f"The same OrderRequest (payloadID {first_payload}) sent again was answered "
                    f"differently: first {before!r}, then {after!r}. The repeat may have created a "
                    "second order.",
                    "Keep the answer of each payloadID and give it again when the same document comes "
                    "back (a procurement system resends after a timeout): never create a second order.",
                )
            self.note(f"Both answers were {after!r}.")
        with self.check(*checks[2]):
            update = self.envelope(
                self._order(order_id, items, OrderRequestType.UPDATE, version=2, reference=first_payload)
            )
            self._accepted(
                self.send(url, update, headers=CXML_HEADERS),
                f"The answer to OrderRequest {order_id} (update)",
            )
        with self.check(*checks[3]):
            delete = self.envelope(
                self._order(order_id, items, OrderRequestType.DELETE, version=3, reference=first_payload)
            )
            self._accepted(
                self.send(url, delete, headers=CXML_HEADERS),
                f"The answer to OrderRequest {order_id} (delete)",
            )

    def _order(
        self,
        order_id: str,
        items: list[ItemOut],
        kind: OrderRequestType,
        *,
        version: int,
        reference: str | None = None,
    ) -> OrderRequest:
        currency = next(
            (i.item_detail.unit_price.currency for i in items if i.item_detail and i.item_detail.unit_price),
            "EUR",
        )
        total = sum(
            (
                i.quantity * i.item_detail.unit_price.amount
                for i in items
                if i.item_detail and i.item_detail.unit_price
            ),
            Decimal(0),
        )
        ship_to = Address(
            name="Conformance Check",
            postal_address=PostalAddress(
                street=["1 Test Street"],
                city="Lyon",
                postal_code="69001",
                country="France",
                iso_country_code="FR",
            ),
            email=self.target.user_email,
            iso_country_code="FR",
        )
        header = OrderRequestHeader(
            order_id=order_id,
            order_date=datetime.now(UTC).replace(microsecond=0),
            total=Money(total, currency),
            type=kind,
            order_version=version,
            ship_to=ship_to,
            bill_to=ship_to,
            document_reference=reference,
        )
        return OrderRequest(header=header, items=items)

    def _accepted(self, answer: HttpAnswer, what: str) -> None:
        document = cxml_answer(self, answer, what=what)
        assert document.status is not None
        self.note(f"Answered {_status_line(answer)!r}.")

    # -- OCI ----------------------------------------------------------------------------------------
    def check_oci(self) -> None:
        checks = [
            ("oci.callup", "The OCI call-up opens the catalog"),
            ("oci.cart", "The OCI cart comes back to HOOK_URL with readable NEW_ITEM fields"),
        ]
        advice = [
            ("oci.validate", "OCI background function VALIDATE answers the product's current data"),
            ("oci.background_search", "OCI background function BACKGROUND_SEARCH answers matching products"),
        ]
        if not self.target.oci_url:
            for code, title in checks + advice:
                self.skip(code, title, "No OCI call-up URL was given (--oci).")
            return
        assert self.catcher is not None
        page: Page | None = None
        with self.check(*checks[0]):
            page = self.browser.open(self.target.oci_url, fields=self._oci_params())
            if page.answer.status == 405:
                # SAP systems send the call-up as a GET or as a form POST, as the catalog is set up.
                self.note("The call-up as a GET was refused (HTTP 405); it was sent again as a form POST.")
                page = self.browser.open(self.target.oci_url, method="POST", fields=self._oci_params())
            if not 200 <= page.answer.status < 300 or not page.is_html:
                raise CheckFailed(
                    f"The OCI call-up answered HTTP {page.answer.status} "
                    f"{page.answer.content_type or 'without a Content-Type'} (at {page.url}).",
                    "Open the catalog (HTTP 200, an HTML page) for a call-up with the agreed USERNAME and "
                    "PASSWORD and a HOOK_URL.",
                    http_status=page.answer.status,
                )
            self.note(f"The call-up answered HTTP {page.answer.status} HTML in {page.answer.seconds:.2f} s.")
        if self.report.checks[-1].outcome is Outcome.FAIL or page is None:
            self.skip(*checks[1], "The call-up failed (see oci.callup).", required=True)
        else:
            with self.check(*checks[1]):
                self.catcher.drain()
                walked = self.browser.shop(page, self.catcher.url)
                self.report.checks[-1].params["steps"] = walked.steps
                posted = self.catcher.wait(CART_ARRIVAL_SECONDS) if walked.posted is not None else None
                if posted is None:
                    raise CheckFailed(
                        "Following the catalog's own links and forms from the call-up did not lead to a "
                        f"page that posts the cart to HOOK_URL. Steps: {'; '.join(walked.steps)}.",
                        "Give the cart page a form that leads to a page posting the NEW_ITEM fields to HOOK_URL.",
                    )
                self.oci_cart = self._oci_read(posted, walked.charset, need_lines=True)
                self.note(f"Steps: {'; '.join(walked.steps)}.")
        product = next(iter(self.oci_cart.items), None) if self.oci_cart else None
        with self.check(*advice[0], required=False):
            if product is None:
                raise CheckWarning("No OCI cart line to validate (see oci.cart).", "")
            product_id = product.vendor_mat or product.matnr or product.ext_product_id
            self._oci_background(
                {"FUNCTION": "VALIDATE", "PRODUCTID": product_id, "QUANTITY": "1"},
                f"VALIDATE of {product_id}",
            )
        with self.check(*advice[1], required=False):
            if product is None:
                raise CheckWarning("No OCI cart line to search for (see oci.cart).", "")
            word = max(product.description.split() or ["a"], key=len)
            self._oci_background(
                {"FUNCTION": "BACKGROUND_SEARCH", "SEARCHSTRING": word}, f"BACKGROUND_SEARCH of {word!r}"
            )

    def _oci_params(self, **more: str) -> list[tuple[str, str]]:
        assert self.catcher is not None
        params = [
            ("USERNAME", self.target.oci_user),
            ("PASSWORD", self.target.oci_password),
            ("HOOK_URL", self.catcher.url),
            ("~OkCode", "ADDI"),
            ("~TARGET", "_top"),
            ("~CALLER", "CTLG"),
            ("OCI_VERSION", "5.0"),
            ("email", self.target.user_email),
        ]
        return params + list(more.items())

    def _oci_background(self, function: dict[str, str], what: str) -> None:
        assert self.catcher is not None
        self.catcher.drain()
        page = self.browser.open(self.target.oci_url, fields=self._oci_params(**function))
        if page.answer.status == 405:  # as for the call-up: a catalog that takes only form POSTs
            page = self.browser.open(self.target.oci_url, method="POST", fields=self._oci_params(**function))
        if not 200 <= page.answer.status < 300:
            raise CheckWarning(
                f"{what} answered HTTP {page.answer.status}.",
                "Procurement systems call VALIDATE and BACKGROUND_SEARCH without a person: answer them with "
                "the NEW_ITEM fields (a form posted to HOOK_URL), or tell buyers you do not offer them.",
            )
        walked = self.browser.shop(page, self.catcher.url, max_steps=1)
        posted = self.catcher.wait(CART_ARRIVAL_SECONDS) if walked.posted is not None else None
        if posted is None:
            raise CheckWarning(
                f"{what} answered a page that does not post NEW_ITEM fields to HOOK_URL.",
                "Answer the background function with a form of NEW_ITEM fields posted to HOOK_URL.",
            )
        result = self._oci_read(posted, walked.charset, need_lines=True)
        self.note(f"{what}: {len(result.items)} line(s).")

    def _oci_read(self, posted: Posted, charset: str, *, need_lines: bool) -> oci.CartResult:
        body = posted.body or posted.query.encode("latin-1")
        result = oci.parse_cart(body, charset=charset or "iso-8859-1")
        if result.errors:
            raise CheckFailed(
                "The OCI cart has lines that cannot be read: "
                + "; ".join(f"line {e.line} {e.field}: {e.message}" for e in result.errors[:5]),
                "Send NEW_ITEM-QUANTITY, PRICE and PRICEUNIT as numbers with a decimal point, and "
                "NEW_ITEM-DESCRIPTION, UNIT and CURRENCY for every line.",
            )
        if need_lines and not result.items:
            raise CheckFailed(
                "The form posted to HOOK_URL holds no NEW_ITEM lines "
                f"(fields: {', '.join(sorted(result.extra)[:10]) or 'none'}).",
                "Post one set of NEW_ITEM-<FIELD>[n] fields per line to HOOK_URL.",
            )
        for index, item in result.lines.items():
            missing = [
                name
                for name, value in (
                    ("DESCRIPTION", item.description),
                    ("UNIT", item.unit),
                    ("CURRENCY", item.currency),
                    ("PRICE", item.price),
                )
                if value in ("", None)
            ]
            if missing:
                raise CheckFailed(
                    f"OCI line {index} has no NEW_ITEM-{', NEW_ITEM-'.join(missing)}.",
                    "Send DESCRIPTION, QUANTITY, UNIT, PRICE and CURRENCY for every line.",
                )
            if item.currency.upper() not in CURRENCIES:
                raise CheckFailed(
                    f"OCI line {index} has NEW_ITEM-CURRENCY {item.currency!r}, not an ISO 4217 currency code.",
                    "Send the three-letter ISO 4217 code of the price's currency (EUR, USD, GBP…).",
                )
            if item.quantity <= 0:
                raise CheckFailed(
                    f"OCI line {index} has NEW_ITEM-QUANTITY {item.quantity}: a line needs a positive quantity.",
                    "Send the quantity the shopper chose, a positive number with a decimal point.",
                )
        if result.warnings:
            self.warn(
                "The OCI cart needed forgiving: "
                + "; ".join(f"line {w.line} {w.field}: {w.message}" for w in result.warnings[:5]),
                "Send the NEW_ITEM fields as the OCI specification spells them.",
            )
        self.note(
            f"{len(result.items)} OCI line(s): "
            + ", ".join(
                f"{i.quantity} {i.unit} {i.description[:40]!r} at {i.price} {i.currency}"
                for i in result.items[:3]
            )
            + "."
        )
        return result


def _money(part: object) -> Money | None:
    money = getattr(part, "money", None)
    return money if isinstance(money, Money) else None


def _reads_as_latin1(raw: bytes) -> bool:
    """Whether the bytes look like Latin-1 text: no C1 control bytes, and not UTF-8."""
    return not any(0x80 <= b < 0xA0 for b in raw)


def _status_line(answer: HttpAnswer) -> str:
    """``HTTP 200, cXML 200 OK: text`` of an answer (its body when it is not cXML)."""
    try:
        document = parse(answer.body).document
    except CXMLError:
        return f"HTTP {answer.status}, {answer.body[:200].decode('utf-8', 'replace')}"
    status = document.status
    if status is None:
        return f"HTTP {answer.status}, cXML without a Status"
    return f"HTTP {answer.status}, cXML {status.code} {status.text}" + (
        f": {status.message}" if status.message else ""
    )


def run_supplier_checks(
    target: SupplierTarget,
    *,
    progress: Progress | None = None,
    deadline: float = SETUP_SECONDS,
    announce: Announce | None = None,
) -> Report:
    """Every supplier check against ``target``, in order; the report says what passed and what to change."""
    return SupplierChecks(target, progress=progress, deadline=deadline, announce=announce).run()
