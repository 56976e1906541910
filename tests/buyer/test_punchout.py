"""PunchOut, buyer side, through HTTP as a person (and a supplier's real HTTP server) would use it."""

from __future__ import annotations

import base64
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from lxml import etree

from openprocure.buyer.punchout.choices import SessionStatus
from openprocure.buyer.punchout.models import PunchOutSession
from openprocure.buyer.requisitions.models import Requisition, RequisitionLine
from openprocure.buyer.suppliers.models import PunchOutConnection
from openprocure.core.models import Document, User
from tests.buyer.punchout_world import ITEMS, SupplierServer, cart, launch, setup_response, status_response


def test_launch_sends_setup_request_with_session_cookie_and_return_url(
    acme: PunchOutConnection, requester: Client, supplier: SupplierServer
) -> None:
    session = launch(requester, acme, supplier)
    assert session.status == SessionStatus.OPEN
    assert session.start_page_url == "http://market.test/start/abc"
    sent = etree.fromstring(supplier.received[0])
    assert sent.findtext(".//BuyerCookie") == session.cookie
    assert sent.findtext(".//BrowserFormPost/URL") == f"http://testserver/punchout/return/{session.cookie}/"
    assert sent.find(".//PunchOutSetupRequest").get("operation") == "create"
    assert sent.find("Request").get("deploymentMode") == "production"
    assert sent.findtext("Header/From/Credential/Identity") == "ACME"
    assert sent.findtext("Header/To/Credential/Identity") == "MARKETPLACE"
    assert sent.findtext("Header/Sender/Credential/SharedSecret") == "acme-demo-secret"
    extrinsics = {e.get("name"): e.text for e in sent.iter("Extrinsic")}
    assert extrinsics == {
        "UserEmail": "requester@acme.test",
        "FirstName": "Rita",
        "LastName": "Requester",
        "UniqueName": "requester@acme.test",
    }
    journaled = Document.objects.get(kind="PunchOutSetupRequest")
    assert "acme-demo-secret" not in journaled.raw


def test_launch_failure_shows_the_suppliers_error_text(acme: PunchOutConnection, requester: Client) -> None:
    answer = status_response(401, "Unauthorized", "Unknown buyer ACME: check the shared secret")
    with SupplierServer(lambda body: (200, answer)) as server:
        acme.setup_url = server.url
        acme.save(update_fields=["setup_url"])
        response = requester.post(f"/punchout/launch/{acme.pk}/", {"operation": "create"})
    assert response.status_code == 502
    page = response.content.decode()
    assert "Unknown buyer ACME: check the shared secret" in page
    session = PunchOutSession.objects.get()
    assert session.status == SessionStatus.FAILED
    assert (
        session.error_text
        == "Marketplace refused to open the catalog (401): Unauthorized Unknown buyer ACME: check the shared secret"
    )


def test_launch_with_a_requisition_that_is_no_number_is_refused_and_opens_nothing(
    acme: PunchOutConnection, requester: Client
) -> None:
    response = requester.post(f"/punchout/launch/{acme.pk}/", {"operation": "edit", "requisition": "first"})
    assert response.status_code == 400
    assert "Requisition: The requisition to shop for is not one of yours." in response.content.decode()
    response = requester.post(f"/punchout/launch/{acme.pk}/", {"operation": "delete"})
    assert response.status_code == 400
    assert "Operation: Select a valid choice. delete is not one of the available choices." in (
        response.content.decode()
    )
    both = requester.post(f"/punchout/launch/{acme.pk}/", {"operation": "delete", "requisition": "first"})
    assert both.status_code == 400
    assert (
        '<p class="error" id="supplier-error">Operation: Select a valid choice. delete is not one of the '
        "available choices. Requisition: The requisition to shop for is not one of yours.</p>"
    ) in both.content.decode()
    assert PunchOutSession.objects.count() == 0


def test_launch_failure_when_supplier_unreachable(acme: PunchOutConnection, requester: Client) -> None:
    acme.setup_url = "http://127.0.0.1:9/cxml/"
    acme.save(update_fields=["setup_url"])
    response = requester.post(f"/punchout/launch/{acme.pk}/", {"operation": "create"})
    assert response.status_code == 502
    assert "Marketplace could not be reached" in response.content.decode()
    assert PunchOutSession.objects.get().status == SessionStatus.FAILED


@pytest.mark.parametrize("encoding", ["cxml-urlencoded", "cxml-base64"], ids=["urlencoded", "base64"])
def test_returned_cart_becomes_requisition_with_exact_lines(
    acme: PunchOutConnection, requester: Client, supplier: SupplierServer, encoding: str
) -> None:
    session = launch(requester, acme, supplier)
    body = cart(session.cookie, ITEMS, "16.85")
    value = body if encoding == "cxml-urlencoded" else base64.b64encode(body.encode()).decode()
    response = requester.post(f"/punchout/return/{session.cookie}/", {encoding: value})
    requisition = Requisition.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/requisitions/{requisition.pk}/"
    lines = list(requisition.lines.order_by("line_number"))
    assert [(ln.supplier_part_id, ln.supplier_part_auxiliary_id) for ln in lines] == [
        ("PEN-001", 'aux: {"cart":7, "line":1}  '),
        ("  PAPER A4 ", ""),
    ]
    assert [(ln.quantity, ln.unit_price, ln.currency, ln.description) for ln in lines] == [
        (Decimal("2.0000"), Decimal("1.2500"), "EUR", "Blue pen"),
        (Decimal("3.5000"), Decimal("4.1000"), "EUR", "Paper & more"),
    ]
    pen = lines[0]
    assert (pen.unspsc, pen.manufacturer_name, pen.manufacturer_part_id, pen.extrinsics) == (
        "44121615",
        "Acme Pens",
        "MP-1",
        {"Color": "blue"},
    )
    assert pen.cost_center.code == "CC-100"
    assert pen.is_free_text is False
    assert requisition.total_amount == Decimal("16.85")
    assert requisition.warnings == []
    assert requisition.status == "draft"
    assert requisition.requester.email == "requester@acme.test"
    session.refresh_from_db()
    assert session.status == SessionStatus.RETURNED
    assert session.return_document.kind == "PunchOutOrderMessage"
    assert "PEN-001" in session.return_document.raw
    page = requester.get(f"/requisitions/{requisition.pk}/").content.decode()
    assert "Blue pen" in page


def test_total_that_disagrees_with_lines_is_a_warning_not_fatal(
    acme: PunchOutConnection, requester: Client, supplier: SupplierServer
) -> None:
    session = launch(requester, acme, supplier)
    body = cart(session.cookie, ITEMS, "16.849999999999998")  # float artefact: same money
    requester.post(f"/punchout/return/{session.cookie}/", {"cxml-urlencoded": body})
    assert Requisition.objects.get().warnings == []

    session = launch(requester, acme, supplier)
    body = cart(session.cookie, ITEMS, "20.00")
    requester.post(f"/punchout/return/{session.cookie}/", {"cxml-urlencoded": body})
    requisition = Requisition.objects.order_by("-id").first()
    assert requisition.lines.count() == 2
    # Kept as numbers; told in the reader's language when the page is read.
    assert requisition.warnings == [
        {
            "code": "total-mismatch",
            "message": "The supplier's cart total is 20.00\u00a0EUR but its lines add up to 16.85\u00a0EUR; the lines "
            "were kept.",
            "values": {"sent": "20.00", "computed": "16.85", "currency": "EUR"},
        }
    ]
    english = requester.get(f"/requisitions/{requisition.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert (
        "<li>The supplier&#x27;s cart total is 20.00\u00a0EUR but its lines add up to 16.85\u00a0EUR; the lines were "
        "kept.</li>"
    ) in english
    french = requester.get(f"/requisitions/{requisition.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert (
        "<li>Le total du panier du fournisseur est de 20,00\u00a0EUR mais ses lignes totalisent 16,85\u00a0EUR ; les "
        "lignes ont été conservées.</li>"
    ) in french


def test_cart_posted_to_another_users_session_is_refused_and_creates_nothing(
    acme: PunchOutConnection, requester: Client, supplier: SupplierServer
) -> None:
    session = launch(requester, acme, supplier)
    documents_before = Document.objects.count()
    other = Client()
    other.force_login(User.objects.get(email="approver@acme.test"))
    response = other.post(
        f"/punchout/return/{session.cookie}/", {"cxml-urlencoded": cart(session.cookie, ITEMS, "16.85")}
    )
    assert response.status_code == 403
    assert "started by another person" in response.content.decode()
    assert Requisition.objects.count() == 0
    assert RequisitionLine.objects.count() == 0
    assert Document.objects.count() == documents_before
    session.refresh_from_db()
    assert session.status == SessionStatus.OPEN  # the owner can still return their cart


def test_cart_with_foreign_buyer_cookie_or_replayed_is_refused(
    acme: PunchOutConnection, requester: Client, supplier: SupplierServer
) -> None:
    session = launch(requester, acme, supplier)
    response = requester.post(
        f"/punchout/return/{session.cookie}/", {"cxml-urlencoded": cart("someone-else", ITEMS, "16.85")}
    )
    assert response.status_code == 403
    assert Requisition.objects.count() == 0

    requester.post(
        f"/punchout/return/{session.cookie}/", {"cxml-urlencoded": cart(session.cookie, ITEMS, "16.85")}
    )
    replay = requester.post(
        f"/punchout/return/{session.cookie}/", {"cxml-urlencoded": cart(session.cookie, ITEMS, "16.85")}
    )
    assert replay.status_code == 409
    assert Requisition.objects.count() == 1
    assert RequisitionLine.objects.count() == 2


def test_unknown_session_is_refused_signed_in_or_not(acme: PunchOutConnection, requester: Client) -> None:
    response = requester.post("/punchout/return/nope/", {"cxml-urlencoded": cart("nope", ITEMS, "1")})
    assert response.status_code == 404
    anonymous = Client().post("/punchout/return/nope/", {"cxml-urlencoded": "x"})
    assert anonymous.status_code == 404
    assert "This PunchOut session does not exist." in anonymous.content.decode()
    assert Requisition.objects.count() == 0
    assert PunchOutSession.objects.filter(held_at__isnull=False).count() == 0


@pytest.mark.parametrize("encoding", ["cxml-urlencoded", "cxml-base64"], ids=["urlencoded", "base64"])
def test_a_cart_posted_without_the_session_cookie_is_held_and_applied_when_its_owner_comes_back(
    acme: PunchOutConnection, requester: Client, supplier: SupplierServer, encoding: str
) -> None:
    """A cross-site POST from the supplier's page carries no SameSite=Lax cookie: nothing is lost."""
    session = launch(requester, acme, supplier)
    body = cart(session.cookie, ITEMS, "16.85")
    if encoding == "cxml-base64":
        body = base64.b64encode(body.encode()).decode()
    browser = Client()  # the same person's browser, but the cookie stays behind on the cross-site POST
    response = browser.post(f"/punchout/return/{session.cookie}/", {encoding: body})
    assert (response.status_code, response["Location"]) == (303, f"/punchout/return/{session.cookie}/")
    session.refresh_from_db()
    assert (session.status, session.held_at is not None) == (SessionStatus.OPEN, True)
    assert session.held_fields == {encoding: body}
    assert Requisition.objects.count() == 0  # nothing is read or created for an unknown person
    # A second post for the same session is refused; the first cart stays as it came.
    again = Client().post(f"/punchout/return/{session.cookie}/", {encoding: "tampered"})
    assert again.status_code == 409
    session.refresh_from_db()
    assert session.held_fields == {encoding: body}
    # The redirect's GET carries the cookie again (here: the requester's signed-in browser).
    landed = requester.get(f"/punchout/return/{session.cookie}/")
    requisition = Requisition.objects.get()
    assert (landed.status_code, landed["Location"]) == (302, f"/requisitions/{requisition.pk}/")
    assert list(requisition.lines.values_list("supplier_part_id", "quantity")) == [
        (part, Decimal(quantity)) for part, _aux, quantity, *_rest in ITEMS
    ]
    session.refresh_from_db()
    assert (session.status, session.requisition_id) == (SessionStatus.RETURNED, requisition.pk)
    assert session.return_document is not None and session.return_document.kind == "PunchOutOrderMessage"
    # Reloading the page shows the same requisition and creates nothing more.
    reload = requester.get(f"/punchout/return/{session.cookie}/")
    assert (reload.status_code, reload["Location"]) == (302, f"/requisitions/{requisition.pk}/")
    assert Requisition.objects.count() == 1 and RequisitionLine.objects.count() == len(ITEMS)


def test_a_held_cart_waits_for_sign_in_and_is_only_for_the_person_who_launched_the_session(
    acme: PunchOutConnection, requester: Client, supplier: SupplierServer
) -> None:
    session = launch(requester, acme, supplier)
    Client().post(
        f"/punchout/return/{session.cookie}/", {"cxml-urlencoded": cart(session.cookie, ITEMS, "16.85")}
    )
    # Not signed in any more: sign in first, then come back here.
    browser = Client()
    signed_out = browser.get(f"/punchout/return/{session.cookie}/")
    assert (signed_out.status_code, signed_out["Location"]) == (
        302,
        f"/accounts/login/?next=/punchout/return/{session.cookie}/",
    )
    assert "The cart from your supplier is kept. Sign in to add it to a requisition." in (
        browser.get(signed_out["Location"]).content.decode()
    )
    someone_else = Client()
    someone_else.force_login(User.objects.get(email="approver@acme.test"))
    refused = someone_else.get(f"/punchout/return/{session.cookie}/")
    assert refused.status_code == 403
    assert "started by another person" in refused.content.decode()
    assert Requisition.objects.count() == 0
    assert requester.get(f"/punchout/return/{session.cookie}/").status_code == 302
    assert Requisition.objects.get().requester.email == "requester@acme.test"


def test_coming_back_before_any_cart_was_held_says_so(
    acme: PunchOutConnection, requester: Client, supplier: SupplierServer
) -> None:
    session = launch(requester, acme, supplier)
    response = requester.get(f"/punchout/return/{session.cookie}/")
    assert response.status_code == 404
    assert "No cart has come back for this shopping session yet." in response.content.decode()


def test_edit_sends_item_out_unchanged_and_empty_cart_removes_lines(
    acme: PunchOutConnection, requester: Client, supplier: SupplierServer
) -> None:
    session = launch(requester, acme, supplier)
    requester.post(
        f"/punchout/return/{session.cookie}/", {"cxml-urlencoded": cart(session.cookie, ITEMS, "16.85")}
    )
    requisition = Requisition.objects.get()
    requester.post(
        f"/requisitions/{requisition.pk}/lines/add/",
        {
            "description": "Window cleaning",
            "quantity": "1",
            "unit_of_measure": "EA",
            "unit_price": "80",
            "currency": "EUR",
        },
    )
    assert requisition.lines.count() == 3

    edit = launch(requester, acme, supplier, operation="edit", requisition=str(requisition.pk))
    sent = etree.fromstring(supplier.received[-1])
    assert sent.find(".//PunchOutSetupRequest").get("operation") == "edit"
    # IDs exactly as received; the prices, stored as 1.2500 and 4.1000, in euros' minor units.
    assert [
        (
            item.findtext("ItemID/SupplierPartID"),
            item.findtext("ItemID/SupplierPartAuxiliaryID"),
            item.get("quantity"),
            item.findtext("ItemDetail/UnitPrice/Money"),
        )
        for item in sent.iter("ItemOut")
    ] == [("PEN-001", 'aux: {"cart":7, "line":1}  ', "2", "1.25"), ("  PAPER A4 ", None, "3.5", "4.10")]

    response = requester.post(
        f"/punchout/return/{edit.cookie}/", {"cxml-urlencoded": cart(edit.cookie, [], "0", "edit")}
    )
    assert response.status_code == 302
    requisition.refresh_from_db()
    assert [(ln.description, ln.is_free_text) for ln in requisition.lines.all()] == [
        ("Window cleaning", True)
    ]
    assert requisition.total_amount == Decimal("80.00")


def test_edit_replaces_the_edited_lines(
    acme: PunchOutConnection, requester: Client, supplier: SupplierServer
) -> None:
    session = launch(requester, acme, supplier)
    requester.post(
        f"/punchout/return/{session.cookie}/", {"cxml-urlencoded": cart(session.cookie, ITEMS, "16.85")}
    )
    requisition = Requisition.objects.get()
    edit = launch(requester, acme, supplier, operation="edit", requisition=str(requisition.pk))
    new_items = [("PEN-001", 'aux: {"cart":7, "line":1}  ', "5", "1.25", "Blue pen")]
    requester.post(
        f"/punchout/return/{edit.cookie}/", {"cxml-urlencoded": cart(edit.cookie, new_items, "6.25", "edit")}
    )
    requisition.refresh_from_db()
    assert [(ln.line_number, ln.supplier_part_id, ln.quantity) for ln in requisition.lines.all()] == [
        (1, "PEN-001", Decimal("5.0000"))
    ]
    assert requisition.total_amount == Decimal("6.25")


def test_inspect_does_not_change_the_requisition(
    acme: PunchOutConnection, requester: Client, supplier: SupplierServer
) -> None:
    session = launch(requester, acme, supplier)
    requester.post(
        f"/punchout/return/{session.cookie}/", {"cxml-urlencoded": cart(session.cookie, ITEMS, "16.85")}
    )
    requisition = Requisition.objects.get()
    inspect = launch(requester, acme, supplier, operation="inspect", requisition=str(requisition.pk))
    assert (
        etree.fromstring(supplier.received[-1]).find(".//PunchOutSetupRequest").get("operation") == "inspect"
    )
    requester.post(
        f"/punchout/return/{inspect.cookie}/", {"cxml-urlencoded": cart(inspect.cookie, [], "0", "inspect")}
    )
    assert requisition.lines.count() == 2
    inspect.refresh_from_db()
    assert inspect.status == SessionStatus.CLOSED


@pytest.mark.parametrize("signed_in", [True, False], ids=["with-cookie", "held-without-cookie"])
def test_oci_cart_at_hook_url(acme: PunchOutConnection, requester: Client, signed_in: bool) -> None:
    acme.protocol = "oci"
    acme.setup_url = "http://catalog.test/oci"
    acme.oci_username = "acme"
    acme.save()
    response = requester.post(f"/punchout/launch/{acme.pk}/", {"operation": "create"})
    session = PunchOutSession.objects.get()
    assert response.status_code == 302
    assert response["Location"].startswith(
        "http://catalog.test/oci?USERNAME=acme&PASSWORD=acme-demo-secret&HOOK_URL="
    )
    form = (
        "NEW_ITEM-DESCRIPTION%5B1%5D=Schraube+M6&NEW_ITEM-QUANTITY%5B1%5D=200&NEW_ITEM-UNIT%5B1%5D=PCE"
        "&NEW_ITEM-PRICE%5B1%5D=10.00&NEW_ITEM-PRICEUNIT%5B1%5D=100&NEW_ITEM-CURRENCY%5B1%5D=EUR"
        "&NEW_ITEM-VENDORMAT%5B1%5D=M6-100&NEW_ITEM-EXT_PRODUCT_ID%5B1%5D=p%3D42%26v%3D1"
        "&NEW_ITEM-DESCRIPTION%5B2%5D=Mutter&NEW_ITEM-QUANTITY%5B2%5D=10&NEW_ITEM-PRICE%5B2%5D=0.5"
        "&NEW_ITEM-VENDORMAT%5B2%5D=N6"
    )
    response = (requester if signed_in else Client()).post(
        f"/punchout/return/{session.cookie}/", form, content_type="application/x-www-form-urlencoded"
    )
    if not signed_in:  # held as it came (the raw bytes: OCI carts are decoded from them), then taken
        assert response.status_code == 303
        assert bytes(PunchOutSession.objects.get().held_body) == form.encode()
        assert Requisition.objects.count() == 0
        response = requester.get(response["Location"])
    assert response.status_code == 302
    requisition = Requisition.objects.get()
    assert [
        (
            ln.supplier_part_id,
            ln.supplier_part_auxiliary_id,
            ln.quantity,
            ln.unit_price,
            ln.price_basis_quantity,
            ln.amount,
        )
        for ln in requisition.lines.all()
    ] == [
        (
            "M6-100",
            "p=42&v=1",
            Decimal("200.0000"),
            Decimal("10.0000"),
            Decimal("100.0000"),
            Decimal("20.00"),
        ),
        ("N6", "", Decimal("10.0000"), Decimal("0.5000"), Decimal("1.0000"), Decimal("5.00")),
    ]
    assert Document.objects.get(kind="OCI cart").protocol == "oci"


@pytest.mark.parametrize("signed_in", [True, False], ids=["with-cookie", "held-without-cookie"])
def test_a_big_oci_cart_of_more_than_a_thousand_fields_is_taken_whole(
    acme: PunchOutConnection, requester: Client, signed_in: bool
) -> None:
    # 80 lines of 13 fields: refused before by the framework's limit of 1000 form fields, with its
    # bare 400 page; the cart was lost and the shopper had to start again.
    acme.protocol = "oci"
    acme.setup_url = "http://catalog.test/oci"
    acme.oci_username = "acme"
    acme.save()
    requester.post(f"/punchout/launch/{acme.pk}/", {"operation": "create"})
    session = PunchOutSession.objects.get()
    lines = 80
    form = "&".join(
        f"NEW_ITEM-{name}%5B{n}%5D={value}"
        for n in range(1, lines + 1)
        for name, value in (
            ("DESCRIPTION", f"Part+{n}"),
            ("QUANTITY", "2"),
            ("UNIT", "PCE"),
            ("PRICE", "1.50"),
            ("PRICEUNIT", "1"),
            ("CURRENCY", "EUR"),
            ("VENDORMAT", f"P-{n}"),
            ("MANUFACTMAT", f"M-{n}"),
            ("MATGROUP", "31161500"),
            ("LEADTIME", "3"),
            ("EXT_PRODUCT_ID", f"x{n}"),
            ("EXT_SCHEMA_TYPE", "UNSPSC"),
            ("EXT_CATEGORY_ID", "31161500"),
        )
    )
    assert form.count("&") + 1 == 1040
    response = (requester if signed_in else Client()).post(
        f"/punchout/return/{session.cookie}/", form, content_type="application/x-www-form-urlencoded"
    )
    if not signed_in:
        assert response.status_code == 303
        response = requester.get(response["Location"])
    assert response.status_code == 302
    requisition = Requisition.objects.get()
    assert [(ln.supplier_part_id, ln.quantity, ln.amount) for ln in requisition.lines.all()] == [
        (f"P-{n}", Decimal("2.0000"), Decimal("3.00")) for n in range(1, lines + 1)
    ]


def _interop_files() -> list[Path]:
    from tests.conftest import INTEROP

    return sorted((INTEROP / "cxml" / "PunchOutOrderMessage").glob("*.xml"))


@pytest.mark.interop
@pytest.mark.parametrize("name", [p.name for p in _interop_files()] or ["(corpus absent)"])
def test_interop_cart_becomes_requisition(
    interop: Path, acme: PunchOutConnection, requester: Client, supplier: SupplierServer, name: str
) -> None:
    raw = (interop / "cxml" / "PunchOutOrderMessage" / name).read_bytes()
    tree = etree.fromstring(raw, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    expected_ids = [el.text or "" for el in tree.iter("SupplierPartID")]
    session = launch(requester, acme, supplier)
    # A real supplier echoes our BuyerCookie; the corpus files carry their own.
    raw = re.sub(
        rb"<BuyerCookie>.*?</BuyerCookie>",
        f"<BuyerCookie>{session.cookie}</BuyerCookie>".encode(),
        raw,
        flags=re.S,
    )
    response = requester.post(
        f"/punchout/return/{session.cookie}/", {"cxml-base64": base64.b64encode(raw).decode()}
    )
    worthless = [
        item
        for item in tree.iter("ItemIn")
        if Decimal(item.get("quantity") or "0") <= 0
        or Decimal(item.findtext(".//UnitPrice/Money") or "0") <= 0
    ]
    if worthless:  # a line of quantity or price 0 (a template cart): refused, nothing created
        assert response.status_code == 422, response.content.decode()
        assert "was refused and nothing was created" in response.content.decode()
        assert Requisition.objects.count() == 0
        return
    assert response.status_code == 302, response.content.decode()
    if not expected_ids:
        assert Requisition.objects.count() == 0
        return
    requisition = Requisition.objects.get()
    assert [line.supplier_part_id for line in requisition.lines.order_by("line_number")] == expected_ids
    session.refresh_from_db()
    assert session.status == SessionStatus.RETURNED


def test_the_shop_page_lists_the_companys_preferred_suppliers_first(
    acme: PunchOutConnection, requester: Client
) -> None:
    from openprocure.buyer.organization.models import Company, PreferredSupplier
    from openprocure.buyer.suppliers.models import Supplier

    company = Company.objects.get(name="Acme Industries")
    for name in ["Aardvark Office", "Zebra Tools"]:
        supplier = Supplier.objects.create(name=name)
        PunchOutConnection.objects.create(supplier=supplier, setup_url="https://supplier.test/cxml/")
    assert PunchOutConnection.objects.count() == 3

    def order_on_page() -> list[str]:
        page = requester.get(reverse("punchout:shop")).content.decode()
        return re.findall(r"<h2>([^<]+)</h2>", page)

    assert order_on_page() == ["Aardvark Office", "Marketplace", "Zebra Tools"]
    PreferredSupplier.objects.create(
        company=company, supplier=Supplier.objects.get(name="Zebra Tools"), rank=1
    )
    PreferredSupplier.objects.create(
        company=company, supplier=Supplier.objects.get(name="Marketplace"), unspsc_prefix="44", rank=2
    )
    # Another company's preference changes nothing here.
    other = Company.objects.create(name="Globex")
    PreferredSupplier.objects.create(company=other, supplier=Supplier.objects.get(name="Aardvark Office"))
    assert order_on_page() == ["Zebra Tools", "Marketplace", "Aardvark Office"]
    page = requester.get(reverse("punchout:shop")).content.decode()
    assert page.count("Preferred supplier") == 1
    assert "Preferred for UNSPSC 44" in page


def test_an_empty_start_page_is_refused_with_a_message(acme: PunchOutConnection, requester: Client) -> None:
    with SupplierServer(lambda body: (200, setup_response(""))) as server:
        acme.setup_url = server.url
        acme.save(update_fields=["setup_url"])
        response = requester.post(f"/punchout/launch/{acme.pk}/", {"operation": "create"})
    assert response.status_code == 502
    session = PunchOutSession.objects.get()
    assert session.status == SessionStatus.FAILED
    assert session.error_text == (
        "Marketplace opened the catalog without saying where: its StartPage URL is empty. "
        "Try again later or tell your procurement team."
    )
    assert session.start_page_url == ""
    answer = Document.objects.get(kind="PunchOutSetupResponse")
    assert answer.warnings == [
        {
            "code": "empty-url",
            "path": "/cXML/Response/PunchOutSetupResponse",
            "message": "<StartPage> has an empty <URL>: there is no page to send the user to",
        }
    ]
