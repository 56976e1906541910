"""Purchase orders and invoices as PDFs: what the person may open, in their language, with the facts."""

from __future__ import annotations

import io

import pypdf
import pytest
from django.test import Client

from openprocure.buyer.invoicing.models import Invoice
from openprocure.buyer.purchasing.models import PurchaseOrder
from openprocure.core.models import User
from openprocure.core.pdf import render_pdf
from tests.buyer.approval_world import build_world, requisition, signed_in, submit
from tests.buyer.fulfilment_world import ap_clerk, envelope, invoice_request, make_po, make_supplier, post

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes) -> list[str]:
    """The lines of text of every page."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [line for page in reader.pages for line in page.extract_text().splitlines()]


@pytest.fixture
def order(settings) -> tuple[object, PurchaseOrder]:
    settings.PO_NUMBER_PATTERN = "PO-{year}-{seq:06}"
    world = build_world()
    req = requisition(world, price="1908.60", quantity="2")
    submit(world, req)  # no rule: approved at submit, ordered at once
    return world, PurchaseOrder.objects.get(requisition=req)


def test_the_requester_downloads_the_order_as_a_pdf(order) -> None:
    world, po = order
    answer = signed_in(world.rita).get(f"/purchasing/{po.number}/pdf/")

    assert answer.status_code == 200
    assert (answer["Content-Type"], answer["Content-Disposition"]) == (
        "application/pdf",
        f'inline; filename="{po.number}.pdf"',
    )
    lines = text_of(answer.content)
    assert lines[0] == f"Purchase order {po.number}"
    assert "Acme Accounts Payable" in lines
    assert "Office Depot" in " ".join(lines)
    # The description wraps in its column; the figures of the line stay on one row.
    assert "2 EA 1,908.60\xa0EUR 3,817.20\xa0EUR CC100" in lines
    assert [line for line in lines if line.startswith("Total")] == ["Total 3,817.20\xa0EUR"]


def test_the_order_pdf_is_in_the_readers_language(order) -> None:
    world, po = order
    client = signed_in(world.rita)
    answer = client.get(f"/purchasing/{po.number}/pdf/", HTTP_ACCEPT_LANGUAGE="fr")
    lines = text_of(answer.content)
    assert lines[0] == f"Bon de commande {po.number}"


def test_someone_who_may_not_see_the_order_gets_404_and_no_pdf(order) -> None:
    world, po = order
    assert signed_in(world.bob).get(f"/purchasing/{po.number}/pdf/").status_code == 404
    anonymous = Client().get(f"/purchasing/{po.number}/pdf/")
    assert (anonymous.status_code, anonymous["Location"]) == (
        302,
        f"/accounts/login/?next=/purchasing/{po.number}/pdf/",
    )


def test_the_detail_page_links_to_the_pdf(order) -> None:
    world, po = order
    page = signed_in(world.rita).get(f"/purchasing/{po.number}/").content.decode()
    assert f'<a href="/purchasing/{po.number}/pdf/">PDF</a>' in page


def test_a_document_loads_nothing_from_outside(tmp_path, settings) -> None:
    leak = tmp_path / "leak.css"
    leak.write_text('p::after { content: "LEAKED"; }')
    (tmp_path / "doc.html").write_text(
        f'<link rel="stylesheet" href="file://{leak}"><style>@import url("file://{leak}");</style><p>x</p>'
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [str(tmp_path)]}]
    assert text_of(render_pdf("doc.html", {})) == ["x"]


def test_an_invoice_as_received_prints_as_a_pdf(client) -> None:
    supplier, connection = make_supplier()
    make_po(supplier, connection)
    body = envelope(
        invoice_request(invoice_id="INV-7", lines=[(1, "12", "10.00"), (2, "5", "2.00")]),
        payload_id="inv-7@s",
    )
    assert post(client, body).code == 200
    invoice = Invoice.objects.get()
    client.force_login(ap_clerk())
    page = client.get(f"/invoicing/{invoice.pk}/").content.decode()
    assert f'<a href="/invoicing/{invoice.pk}/pdf/">PDF</a>' in page

    answer = client.get(f"/invoicing/{invoice.pk}/pdf/")

    assert (answer.status_code, answer["Content-Disposition"]) == (200, 'inline; filename="INV-7.pdf"')
    lines = text_of(answer.content)
    assert lines[0] == f"Invoice INV-7 from {supplier.name}"
    assert [line for line in lines if line.startswith(("1 PO-", "2 PO-"))] == [
        "1 PO-2026-000001 / 1 12 10.00\xa0EUR 120.00\xa0EUR —",
        "2 PO-2026-000001 / 2 5 2.00\xa0EUR 10.00\xa0EUR —",
    ]
    # A requester who is not in accounts payable may not open it.
    client.force_login(User.objects.get(email="rita@acme.test"))
    assert client.get(f"/invoicing/{invoice.pk}/pdf/").status_code == 404
