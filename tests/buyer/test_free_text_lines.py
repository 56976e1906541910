"""A connection says whether its supplier accepts free-text lines (from its profile, changeable by
administrators); a free-text line for a supplier that refuses them is stopped at submission."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from openprocure.buyer.requisitions.choices import RequisitionStatus
from openprocure.buyer.requisitions.models import Requisition
from openprocure.buyer.requisitions.services import submit_requisition
from openprocure.buyer.suppliers.models import PunchOutConnection
from openprocure.core.models import User
from tests.buyer.punchout_world import SupplierServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(rita: User) -> Client:
    """Rita, the requester, signed in (as in the requisition tests)."""
    client = Client()
    client.force_login(rita)
    return client


def profile(option: str | None) -> bytes:
    declared = f'<Option name="freeTextLines">{option}</Option>' if option is not None else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<cXML payloadID="p1@market.test" timestamp="2026-11-26T10:00:00+00:00"><Response>'
        '<Status code="200" text="OK"/><ProfileResponse effectiveDate="2026-01-01T00:00:00+00:00">'
        f'<Transaction requestName="OrderRequest"><URL>http://market.test/cxml/</URL>{declared}</Transaction>'
        "</ProfileResponse></Response></cXML>"
    ).encode()


@pytest.fixture
def admin(acme: PunchOutConnection) -> Client:
    client = Client()
    client.force_login(User.objects.get(email="admin@acme.test"))
    return client


def test_the_profile_sets_it_until_an_administrator_chooses(acme: PunchOutConnection, admin: Client) -> None:
    answers = [profile("no"), profile(None), profile("no")]
    with SupplierServer(lambda body: (200, answers.pop(0))) as server:
        PunchOutConnection.objects.filter(pk=acme.pk).update(setup_url=server.url)
        admin.post(f"/suppliers/connections/{acme.pk}/test/")
        acme.refresh_from_db()
        assert (acme.accepts_free_text, acme.free_text_set_by_admin) == (False, False)
        admin.post(f"/suppliers/connections/{acme.pk}/test/")  # silent: the default
        acme.refresh_from_db()
        assert acme.accepts_free_text is True
        # The administrator says it refuses them... then accepts them; the profile no longer decides.
        from tests.buyer.punchout_world import connection_form_data

        data = connection_form_data(acme)
        data.pop("accepts_free_text", None)
        assert admin.post(f"/suppliers/{acme.supplier_id}/connections/{acme.pk}/", data).status_code == 302
        acme.refresh_from_db()
        assert (acme.accepts_free_text, acme.free_text_set_by_admin) == (False, True)
        admin.post(f"/suppliers/connections/{acme.pk}/test/")
        acme.refresh_from_db()
        assert acme.accepts_free_text is False


def add_free_text_line(client: Client, requisition: Requisition, supplier_id: int) -> None:
    answer = client.post(
        f"/requisitions/{requisition.pk}/lines/add/",
        {
            "description": "Engraved pens",
            "supplier": str(supplier_id),
            "quantity": "10",
            "unit_of_measure": "EA",
            "unit_price": "3",
            "currency": "EUR",
        },
    )
    assert answer.status_code == 302


def test_a_free_text_line_for_a_supplier_that_refuses_them_is_stopped_at_submission(
    acme: PunchOutConnection,
    client: Client,
    requisition: Requisition,
) -> None:
    PunchOutConnection.objects.filter(pk=acme.pk).update(accepts_free_text=False)
    add_free_text_line(client, requisition, acme.supplier_id)
    line = requisition.lines.get(description="Engraved pens")
    page = client.post(f"/requisitions/{requisition.pk}/submit/", follow=True).content.decode()
    assert (
        f"Line {line.line_number} is a free-text line, but Marketplace accepts only lines from its catalog: "
        "choose the item in its shop (or another supplier), or remove the line."
    ) in page
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.DRAFT
    # Accepted by the supplier: the same requisition goes through.
    PunchOutConnection.objects.filter(pk=acme.pk).update(accepts_free_text=True)
    page = client.post(f"/requisitions/{requisition.pk}/submit/", follow=True).content.decode()
    assert "accepts only lines from its catalog" not in page
    requisition.refresh_from_db()
    assert requisition.status != RequisitionStatus.DRAFT


def test_a_free_text_line_that_fails_shows_the_form_again_as_typed_with_its_errors(
    client: Client, requisition: Requisition
) -> None:
    typed = {
        "description": "Calibration of the scales",
        "quantity": "0",
        "unit_of_measure": "HUR",
        "unit_price": "95,50",
        "currency": "EUR",
        "need_by": "2026-12-24",
        "justification": "Yearly audit",
    }
    answer = client.post(f"/requisitions/{requisition.pk}/lines/add/", typed)
    assert answer.status_code == 400
    form = answer.context["free_text_form"]
    assert form.errors == {
        "quantity": ["Ensure this value is greater than or equal to 0.0001."],
        "unit_price": ["Enter a number."],
    }
    page = answer.content.decode()
    assert 'value="Calibration of the scales"' in page
    assert 'value="HUR"' in page
    assert 'value="95,50"' in page
    assert 'value="2026-12-24"' in page
    assert ">\nYearly audit</textarea>" in page
    assert '<ul class="errorlist" id="id_unit_price_error"><li>Enter a number.</li></ul>' in page
    assert requisition.lines.count() == 1

    typed.update(quantity="2", unit_price="95.50")
    answer = client.post(f"/requisitions/{requisition.pk}/lines/add/", typed)
    assert answer.status_code == 302
    line = requisition.lines.get(description="Calibration of the scales")
    assert (line.quantity, line.unit_price, line.justification) == (
        Decimal("2.0000"),
        Decimal("95.5000"),
        "Yearly audit",
    )


def test_a_line_posted_from_a_page_opened_while_it_was_a_draft_is_refused_above_the_lines(
    client: Client, requisition: Requisition, rita: User
) -> None:
    """Once the requisition has gone on, its page has no line form any more: the refusal is a message
    above the lines (here it was submitted and ordered at once, under Rita's limit)."""
    submit_requisition(requisition, rita)
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.ORDERED
    typed = {
        "description": "Scales",
        "quantity": "1",
        "unit_of_measure": "EA",
        "unit_price": "9",
        "currency": "EUR",
    }
    answer = client.post(f"/requisitions/{requisition.pk}/lines/add/", typed, follow=True)
    assert answer.redirect_chain == [(f"/requisitions/{requisition.pk}/", 302)]
    assert [str(message) for message in answer.context["messages"]] == [
        f"Requisition {requisition.number} is Ordered: lines can only change while it is a draft or "
        "returned for changes."
    ]
    assert list(requisition.lines.values_list("description", flat=True)) == ["Pens"]
