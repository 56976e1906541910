"""Fulfilment through the operators' pages and the automatic task: shipments, ship notices, charges, invoices."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from openprocure.core import outbox
from openprocure.core.models import OutboxMessage
from openprocure.supplier.business.models import Integration
from openprocure.supplier.fulfilment import services
from openprocure.supplier.fulfilment.models import Charge, Invoice, Shipment
from openprocure.supplier.orders.choices import OrderStatus
from openprocure.supplier.orders.models import Order, OrderLine, OrderSettings
from punchout import cxml
from tests.partner_server import PartnerServer, cxml_response, free_port_url
from tests.supplier.worlds import PASSWORD, make_dock, make_operator, place

pytestmark = pytest.mark.django_db


def test_operator_ships_part_of_an_order_then_the_rest(client, shop):
    order = place(client, [("B000PAPER1", 3), ("B000PENS01", 2)])
    operator = make_operator()
    client.force_login(operator)
    page = client.get("/fulfilment/")
    assert order.number in page.content.decode()
    lines = {line.line_number: line for line in order.lines.all()}
    response = client.post(
        f"/fulfilment/orders/{order.pk}/ship/",
        {
            f"line-{lines[1].pk}": "2",
            f"line-{lines[2].pk}": "0",
            "carrier": "DHL",
            "tracking_number": "JD014600006281",
        },
    )
    assert response.status_code == 302
    order.refresh_from_db()
    shipment = Shipment.objects.get()
    assert (order.status, shipment.carrier, shipment.tracking_number, shipment.shipped_by) == (
        OrderStatus.PARTIALLY_SHIPPED,
        "DHL",
        "JD014600006281",
        operator,
    )
    assert list(OrderLine.objects.order_by("line_number").values_list("shipped_quantity", flat=True)) == [
        2,
        0,
    ]
    # Charged on the default card at shipment: 2 × 5.20 + shipping 4.99 with the first shipment, VAT 20 %.
    charge = Charge.objects.get()
    assert (charge.amount, charge.currency, charge.payment_method_label) == (
        Decimal("18.47"),
        "EUR",
        "Visa •••• 4242 (12/29)",
    )
    # One ship notice and one invoice (per shipment, the default), both through the outbox.
    notice = cxml.parse(OutboxMessage.objects.get(kind="ShipNoticeRequest").body.encode()).document
    request = notice.message
    assert (
        request.header.shipment_id,
        request.controls[0].carriers[0].value,
        request.controls[0].shipment_identifiers[0].value,
    ) == (
        shipment.shipment_id,
        "DHL",
        "JD014600006281",
    )
    assert request.portions[0].order_reference.order_id == "PO-2026-000001"
    assert [(i.line_number, i.quantity) for i in request.portions[0].items] == [(1, Decimal("2"))]
    assert (
        notice.header.from_[0].identity,
        notice.header.to[0].identity,
        notice.header.sender[0].shared_secret,
    ) == (
        "MARKETPLACE",
        "ACME",
        "********",  # put in at delivery
    )
    invoice = Invoice.objects.get()
    assert (invoice.subtotal, invoice.shipping, invoice.tax, invoice.total, invoice.sent_electronically) == (
        Decimal("10.40"),
        Decimal("4.99"),
        Decimal("3.08"),
        Decimal("18.47"),
        True,
    )
    detail = cxml.parse(OutboxMessage.objects.get(kind="InvoiceDetailRequest").body.encode()).document.message
    assert detail.header.invoice_id == invoice.number
    assert detail.orders[0].order_reference.order_id == "PO-2026-000001"
    item = detail.orders[0].items[0]
    assert (
        item.reference.line_number,
        item.quantity,
        item.unit_price.amount,
        item.tax.details[0].percentage_rate,
    ) == (
        1,
        Decimal("2"),
        Decimal("5.20"),
        Decimal("20"),
    )
    assert detail.summary.due_amount.amount == Decimal("18.47")
    # The rest ships; the order is then shipped, and delivered when the carrier delivers.
    services.ship(order_ids=[order.pk], carrier="DHL", tracking_number="JD2", by=operator)
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert [c.amount for c in Charge.objects.order_by("id")] == [Decimal("18.47"), Decimal("30.24")]
    for shipment in Shipment.objects.all():
        services.mark_delivered(shipment_id=shipment.pk, by=operator)
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED


def test_the_user_sees_line_status_with_tracking(client, shop):
    order = place(client, [("B000PAPER1", 3)])
    services.ship(order_ids=[order.pk], carrier="UPS", tracking_number="1Z999", by=make_operator())
    client.logout()
    assert client.login(username="buyer@acme.test", password=PASSWORD)
    page = client.get(f"/account/orders/{order.number}/").content.decode()
    assert "3 shipped" in page and "UPS" in page and "1Z999" in page


def test_per_order_invoicing_and_e_invoicing_off(client, shop):
    Integration.objects.filter(pk=shop.pk).update(invoice_grouping="per_order", e_invoicing=False)
    order = place(client, [("B000PAPER1", 3)])
    operator = make_operator()
    line = order.lines.get()
    services.ship(
        order_ids=[order.pk],
        carrier="DHL",
        tracking_number="A",
        by=operator,
        quantities=[services.ShipRequest(line.pk, 1)],
    )
    assert Invoice.objects.count() == 0
    services.ship(order_ids=[order.pk], carrier="DHL", tracking_number="B", by=operator)
    invoice = Invoice.objects.get()
    assert (invoice.shipment, invoice.subtotal, invoice.total, invoice.sent_electronically) == (
        None,
        Decimal("15.60"),
        Decimal("18.72"),
        False,
    )
    assert OutboxMessage.objects.filter(kind="InvoiceDetailRequest").count() == 0


def test_only_operators_ship(client, shop):
    order = place(client, [("B000PAPER1", 1)])
    assert client.login(username="buyer@acme.test", password=PASSWORD)
    assert client.get("/fulfilment/").status_code == 403
    assert (
        client.post(
            f"/fulfilment/orders/{order.pk}/ship/", {"carrier": "X", "tracking_number": "Y"}
        ).status_code
        == 403
    )
    assert Shipment.objects.count() == 0


def test_ship_together_says_the_shipment_or_why_it_did_not_ship(client, shop):
    order = place(client, [("B000PAPER1", 1)])
    client.force_login(make_operator())
    response = client.post("/fulfilment/ship-together/", {"order": [order.pk], "carrier": "DHL"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Give the carrier and the tracking number of the parcel."
    ]
    assert Shipment.objects.count() == 0
    response = client.post(
        "/fulfilment/ship-together/",
        {"order": [order.pk], "carrier": "DHL", "tracking_number": "JD014600006281"},
        follow=True,
    )
    shipment = Shipment.objects.get()
    assert [str(m) for m in response.context["messages"]] == [f"Shipment {shipment.shipment_id} sent."]
    assert response.redirect_chain == [("/fulfilment/", 302)]


def test_automatic_fulfilment_ships_after_the_delay_and_consolidates_on_the_delivery_day(client, shop):
    OrderSettings.objects.filter(integration=shop).update(auto_fulfil_after_minutes=5)
    later = timezone.now() + timedelta(minutes=6)  # past the delay, even across midnight
    make_dock(shop.business, (timezone.localtime(later).weekday() + 1) % 7)
    first = place(client, [("B000PAPER1", 1)])
    second = place(client, [("B000PAPER1", 2)], order_id="PO-2026-000002")
    assert services.auto_fulfil() == []  # the delay has not passed
    assert services.auto_fulfil(now=later) == []  # not the address's delivery day yet
    shipments = services.auto_fulfil(now=later + timedelta(days=1))
    assert len(shipments) == 1
    shipment = shipments[0]
    assert (shipment.consolidated, shipment.automatic, shipment.carrier) == (
        True,
        True,
        "Marketplace Logistics",
    )
    assert sorted(shipment.lines.values_list("order_line__order__buyer_order_id", "quantity")) == [
        ("PO-2026-000001", 1),
        ("PO-2026-000002", 2),
    ]
    assert set(Order.objects.values_list("status", flat=True)) == {OrderStatus.SHIPPED}
    assert Charge.objects.filter(order__in=[first, second]).count() == 2
    assert OutboxMessage.objects.filter(kind="ShipNoticeRequest").count() == 2


def test_a_ship_notice_survives_a_partner_down_then_up_then_refusing(client, shop):
    order = place(client, [("B000PAPER1", 1)])
    down = free_port_url()
    OrderSettings.objects.filter(integration=shop).update(buyer_cxml_url=down)
    services.ship(order_ids=[order.pk], carrier="DHL", tracking_number="T1", by=make_operator())
    message = OutboxMessage.objects.get(kind="ShipNoticeRequest")
    assert outbox.deliver_message(message.pk).status == "retrying"
    with PartnerServer() as partner:
        partner.script((200, cxml_response(200, "OK")))
        OutboxMessage.objects.filter(pk=message.pk).update(url=partner.url, next_attempt_at=timezone.now())
        assert outbox.deliver_message(message.pk).status == "delivered"
        assert outbox.deliver_message(message.pk).status == "skipped"  # never sent twice
        invoice = OutboxMessage.objects.get(kind="InvoiceDetailRequest")
        partner.script((200, cxml_response(400, "Bad Request", "Unknown order")))
        OutboxMessage.objects.filter(pk=invoice.pk).update(url=partner.url)
        result = outbox.deliver_message(invoice.pk)
        assert (result.status, outbox.deliver_message(invoice.pk).status) == ("failed", "skipped")
    message.refresh_from_db()
    invoice.refresh_from_db()
    assert (message.status, message.attempts) == ("delivered", 2)
    assert list(message.delivery_attempts.values_list("outcome", flat=True)) == ["transient", "delivered"]
    assert (invoice.status, invoice.attempts, invoice.last_status_code) == ("failed", 1, 400)
    assert [r.body.count(b"ShipNoticeRequest") > 0 for r in partner.received] == [True, False]


# -- returns ---------------------------------------------------------------------------------------
def test_a_return_is_refunded_credited_as_cxml_and_mailed(client, shop, django_capture_on_commit_callbacks):
    from django.core import mail

    from openprocure.supplier.fulfilment.models import GoodsReturn

    order = place(client, [("B000PAPER1", 3), ("B000PENS01", 2)])
    operator = make_operator()
    services.ship(order_ids=[order.pk], carrier="DHL", tracking_number="JD1", by=operator)
    paper, pens = order.lines.order_by("line_number")
    client.force_login(operator)
    support = client.get(f"/support/orders/{order.number}/").content.decode()
    assert f'href="/fulfilment/orders/{order.pk}/return/"' in support
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/fulfilment/orders/{order.pk}/return/",
            {f"line-{paper.pk}": "2", f"line-{pens.pk}": "0", "reason": "  Damaged   in transit "},
            follow=True,
        )
    goods_return = GoodsReturn.objects.get()
    credit = goods_return.credit_memo
    # 2 × 5.20 = 10.40, VAT 20 % 2.08; shipping is not refunded.
    assert (
        f"Return {goods_return.number} recorded: 12.48\u00a0EUR refunded, credit memo {credit.number}."
        in response.content.decode()
    )
    assert (
        goods_return.reason,
        goods_return.recorded_by,
        list(goods_return.lines.values_list("quantity", flat=True)),
    ) == (
        "Damaged in transit",
        operator,
        [2],
    )
    assert (
        credit.kind,
        credit.subtotal,
        credit.shipping,
        credit.tax,
        credit.total,
        credit.sent_electronically,
    ) == (
        "credit_memo",
        Decimal("10.40"),
        Decimal("0.00"),
        Decimal("2.08"),
        Decimal("12.48"),
        True,
    )
    refund = Charge.objects.get(goods_return=goods_return)
    assert (refund.amount, refund.shipment, refund.payment_method_label) == (
        Decimal("-12.48"),
        None,
        "Visa •••• 4242 (12/29)",
    )
    memo = cxml.parse(OutboxMessage.objects.get(payload_id=credit.payload_id).body.encode()).document.message
    assert (memo.header.invoice_id, str(memo.header.purpose), memo.header.comments.text) == (
        credit.number,
        "lineLevelCreditMemo",
        f"Return {goods_return.number}: Damaged in transit",
    )
    [item] = memo.orders[0].items
    assert (
        item.reference.line_number,
        item.quantity,
        item.unit_price.amount,
        item.subtotal_amount.amount,
    ) == (
        1,
        Decimal("-2"),
        Decimal("5.20"),
        Decimal("-10.40"),
    )
    assert (memo.summary.tax.money.amount, memo.summary.due_amount.amount) == (
        Decimal("-2.08"),
        Decimal("-12.48"),
    )
    assert memo.orders[0].order_reference.order_id == "PO-2026-000001"
    [message] = mail.outbox
    assert (message.to, message.subject) == (
        ["buyer@acme.test"],
        f"Return {goods_return.number} recorded for order {order.number} (your purchase order PO-2026-000001)",
    )
    assert "- line 1: 2 × Copy paper A4 80 g, 500 sheets" in message.body
    assert "Refunded: 12.48\xa0EUR to Visa •••• 4242 (12/29)." in message.body
    assert f"Credit memo: {credit.number}." in message.body
    assert order.events.filter(kind="order_returned").count() == 1
    client.logout()
    assert client.login(username="buyer@acme.test", password=PASSWORD)
    page = client.get(f"/account/orders/{order.number}/").content.decode()
    assert "2 returned" in page and goods_return.number in page


def test_a_return_beyond_what_shipped_or_without_a_reason_is_refused(client, shop):
    from openprocure.supplier.fulfilment.models import GoodsReturn

    order = place(client, [("B000PAPER1", 3)])
    operator = make_operator()
    line = order.lines.get()
    client.force_login(operator)
    assert (
        "Nothing of this order has shipped"
        in client.get(f"/fulfilment/orders/{order.pk}/return/").content.decode()
    )
    services.ship(
        order_ids=[order.pk],
        carrier="DHL",
        tracking_number="A",
        by=operator,
        quantities=[services.ShipRequest(line.pk, 2)],
    )
    services.record_return(
        order_id=order.pk,
        quantities=[services.ReturnedQuantity(line.pk, 1)],
        reason="Wrong size",
        by=operator,
    )
    too_many = client.post(
        f"/fulfilment/orders/{order.pk}/return/", {f"line-{line.pk}": "2", "reason": "Again"}
    )
    assert "Line 1: only 1 shipped and not yet returned." in too_many.content.decode()
    no_reason = client.post(f"/fulfilment/orders/{order.pk}/return/", {f"line-{line.pk}": "1", "reason": " "})
    assert "Say why the goods came back." in no_reason.content.decode()
    nothing = client.post(f"/fulfilment/orders/{order.pk}/return/", {f"line-{line.pk}": "0", "reason": "x"})
    assert "Give the quantity that came back on at least one line." in nothing.content.decode()
    assert GoodsReturn.objects.count() == 1
    assert Charge.objects.filter(amount__lt=0).count() == 1
    client.logout()
    assert client.login(username="buyer@acme.test", password=PASSWORD)
    assert client.get(f"/fulfilment/orders/{order.pk}/return/").status_code == 403
    assert (
        client.post(
            f"/fulfilment/orders/{order.pk}/return/", {f"line-{line.pk}": "1", "reason": "x"}
        ).status_code
        == 403
    )
    assert GoodsReturn.objects.count() == 1


def test_the_credit_memo_of_a_return_is_valid_against_the_invoice_dtd(client, shop, interop):
    from lxml import etree

    order = place(client, [("B000PAPER1", 3)])
    operator = make_operator()
    services.ship(order_ids=[order.pk], carrier="DHL", tracking_number="JD1", by=operator)
    goods_return = services.record_return(
        order_id=order.pk,
        quantities=[services.ReturnedQuantity(order.lines.get().pk, 3)],
        reason="Not needed",
        by=operator,
    )
    body = OutboxMessage.objects.get(payload_id=goods_return.credit_memo.payload_id).body.encode()
    dtd = etree.DTD(str(interop / "cxml-dtd" / "1.2.071" / "InvoiceDetail.dtd"))
    tree = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    assert dtd.validate(tree), dtd.error_log.filter_from_errors()
    assert tree.find(".//InvoiceDetailRequestHeader").get("purpose") == "lineLevelCreditMemo"


def test_returns_are_read_only_in_the_administration(client, shop):
    from openprocure.core.models import User

    order = place(client, [("B000PAPER1", 2)])
    operator = make_operator()
    services.ship(order_ids=[order.pk], carrier="DHL", tracking_number="JD1", by=operator)
    goods_return = services.record_return(
        order_id=order.pk,
        quantities=[services.ReturnedQuantity(order.lines.get().pk, 1)],
        reason="Late",
        by=operator,
    )
    client.force_login(User.objects.create_superuser("root@marketplace.test", password=PASSWORD))
    listing = client.get("/admin/fulfilment/goodsreturn/")
    assert listing.status_code == 200 and goods_return.number in listing.content.decode()
    change = client.get(f"/admin/fulfilment/goodsreturn/{goods_return.pk}/change/")
    assert change.status_code == 200 and "Late" in change.content.decode()
    assert client.get("/admin/fulfilment/goodsreturn/add/").status_code == 403
    assert (
        client.post(f"/admin/fulfilment/goodsreturn/{goods_return.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )


def _shipped_order(client):
    order = place(client, [("B000PAPER1", 3)])
    operator = make_operator()
    services.ship(order_ids=[order.pk], carrier="DHL", tracking_number="JD1", by=operator)
    return order, operator, order.lines.get()


def test_a_business_requests_a_return_and_staff_record_it_when_the_goods_arrive(
    client, shop, django_capture_on_commit_callbacks
):
    from django.core import mail

    from openprocure.supplier.fulfilment.models import GoodsReturn, ReturnRequest

    order, operator, line = _shipped_order(client)
    client.logout()
    assert client.login(username="buyer@acme.test", password=PASSWORD)
    page = client.get(f"/account/orders/{order.number}/").content.decode()
    assert f'action="/account/orders/{order.number}/return-request/"' in page
    too_many = client.post(
        f"/account/orders/{order.number}/return-request/",
        {f"line-{line.pk}": "4", "reason": "Too many"},
    )
    # The order page again, the return form open with what was typed and what to correct.
    assert too_many.status_code == 400
    page = too_many.content.decode()
    assert '<details id="request-return" open>' in page
    assert (
        '<ul class="errorlist" id="return-errors"><li>Line 1: only 3 shipped and not yet returned.</li></ul>'
        in page
    )
    assert f'name="line-{line.pk}" id="return-line-{line.pk}" value="4"' in page
    assert 'name="reason" required maxlength="500" value="Too many"' in page
    assert ReturnRequest.objects.count() == 0
    asked = client.post(
        f"/account/orders/{order.number}/return-request/",
        {f"line-{line.pk}": "2", "reason": "Ordered too many"},
        follow=True,
    ).content.decode()
    assert "Your return request is recorded. Send the goods back; we refund them when they arrive." in asked
    assert "Ordered too many — <strong>Waiting for the goods</strong>" in asked
    request = ReturnRequest.objects.get()
    assert (request.quantities, request.requested_by.email, request.status) == (
        {str(line.pk): 2},
        "buyer@acme.test",
        "requested",
    )
    twice = client.post(
        f"/account/orders/{order.number}/return-request/",
        {f"line-{line.pk}": "1", "reason": "Again"},
        follow=True,
    )
    assert "A return request of this order is already waiting: we answer it first." in twice.content.decode()
    assert ReturnRequest.objects.count() == 1
    # Staff see it, open the return page with the quantities filled in, and record it.
    client.force_login(operator)
    waiting = client.get("/fulfilment/returns/").content.decode()
    assert f'href="/fulfilment/orders/{order.pk}/return/?request={request.pk}"' in waiting
    form = client.get(f"/fulfilment/orders/{order.pk}/return/?request={request.pk}").content.decode()
    assert f'name="line-{line.pk}" value="2"' in form and 'value="Ordered too many"' in form
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/fulfilment/orders/{order.pk}/return/",
            {"request": request.pk, f"line-{line.pk}": "2", "reason": "Ordered too many"},
        )
    request.refresh_from_db()
    goods_return = GoodsReturn.objects.get()
    assert (request.status, request.goods_return, request.decided_by) == ("recorded", goods_return, operator)
    assert [m.to for m in mail.outbox] == [["buyer@acme.test"]]
    assert "No return request is waiting." in client.get("/fulfilment/returns/").content.decode()


def test_staff_decline_a_return_request_and_the_business_is_told_why(
    client, shop, django_capture_on_commit_callbacks
):
    from django.core import mail

    from openprocure.supplier.fulfilment.models import GoodsReturn, ReturnRequest

    order, operator, line = _shipped_order(client)
    member = order.user
    request = services.request_return(
        order=order, quantities=[services.ReturnedQuantity(line.pk, 1)], reason="Changed my mind", by=member
    )
    client.force_login(operator)
    assert (
        "Say why the return is declined."
        in client.post(
            f"/fulfilment/returns/{request.pk}/decline/", {"reason": " "}, follow=True
        ).content.decode()
    )
    too_long = client.post(f"/fulfilment/returns/{request.pk}/decline/", {"reason": "w" * 501}, follow=True)
    assert "Ensure this value has at most 500 characters (it has 501)." in too_long.content.decode()
    assert ReturnRequest.objects.get(pk=request.pk).status == "requested"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/fulfilment/returns/{request.pk}/decline/", {"reason": "Opened paper cannot come back."}
        )
    request.refresh_from_db()
    assert (request.status, request.decline_reason, request.decided_by) == (
        "declined",
        "Opened paper cannot come back.",
        operator,
    )
    [message] = mail.outbox
    assert (message.to, message.subject) == (
        [member.email],
        f"Your return request for order {order.number} was declined",
    )
    assert message.body == (
        f"We cannot take back the goods of our order {order.number} (your purchase order PO-2026-000001): "
        "Opened paper cannot come back."
    )
    # Answered once: recording or declining it again is refused.
    again = client.post(f"/fulfilment/returns/{request.pk}/decline/", {"reason": "x"}, follow=True)
    assert "This return request was already answered." in again.content.decode()
    assert GoodsReturn.objects.count() == 0
    client.logout()
    assert client.login(username="buyer@acme.test", password=PASSWORD)
    page = client.get(f"/account/orders/{order.number}/").content.decode()
    assert "<strong>Declined</strong>: Opened paper cannot come back." in page
    # Only staff see or answer requests.
    assert client.get("/fulfilment/returns/").status_code == 403
    assert client.post(f"/fulfilment/returns/{request.pk}/decline/", {"reason": "x"}).status_code == 403
    assert ReturnRequest.objects.get().status == "declined"


def test_a_quantity_that_is_not_a_whole_number_is_explained_and_records_nothing(client, shop):
    from openprocure.supplier.fulfilment.models import GoodsReturn, ReturnRequest

    order, operator, line = _shipped_order(client)
    client.force_login(operator)
    staff = client.post(
        f"/fulfilment/orders/{order.pk}/return/", {f"line-{line.pk}": "two", "reason": "Broken"}
    )
    assert "Enter whole numbers of items." in staff.content.decode()
    client.logout()
    assert client.login(username="buyer@acme.test", password=PASSWORD)
    asked = client.post(
        f"/account/orders/{order.number}/return-request/",
        {f"line-{line.pk}": "1.5", "reason": "Broken"},
    )
    assert asked.status_code == 400
    page = asked.content.decode()
    assert (
        f'value="1.5" aria-label="Quantity to send back on line 1" aria-invalid="true" '
        f'aria-describedby="return-line-{line.pk}-error"><ul class="errorlist" id="return-line-{line.pk}-error">'
        "<li>Enter whole numbers of items.</li></ul>"
    ) in page
    assert 'value="Broken"' in page
    assert (GoodsReturn.objects.count(), ReturnRequest.objects.count()) == (0, 0)


def test_a_ship_quantity_that_is_not_a_whole_number_is_explained_and_ships_nothing(client, shop):
    order = place(client, [("B000PAPER1", 3)])
    client.force_login(make_operator())
    line = order.lines.get()
    page = client.post(
        f"/fulfilment/orders/{order.pk}/ship/",
        {f"line-{line.pk}": "two", "carrier": "DHL", "tracking_number": "JD1"},
    ).content.decode()
    assert "Line 1: Enter whole numbers of items." in page
    assert f'name="line-{line.pk}" value="two"' in page
    assert 'value="JD1"' in page
    assert "invalid literal" not in page
    assert Shipment.objects.count() == 0


def test_the_ship_form_posted_twice_ships_once(client, shop):
    order = place(client, [("B000PAPER1", 3)])
    client.force_login(make_operator())
    line = order.lines.get()
    page = client.get(f"/fulfilment/orders/{order.pk}/ship/").content.decode()
    assert f'<input type="hidden" name="shown-{line.pk}" value="3">' in page
    posted = {f"line-{line.pk}": "2", f"shown-{line.pk}": "3", "carrier": "DHL", "tracking_number": "JD1"}
    first = client.post(f"/fulfilment/orders/{order.pk}/ship/", posted)
    assert (first.status_code, first.url) == (302, "/fulfilment/")
    client.get(first.url)  # shows (and so clears) "Shipment … sent."
    again = client.post(f"/fulfilment/orders/{order.pk}/ship/", posted)
    assert again.status_code == 200
    assert [str(m) for m in again.context["messages"]] == [
        "Line 1 changed since this page was shown: 1 left to ship now, not 3. Nothing shipped: "
        "check the quantities and ship again."
    ]
    page = again.content.decode()
    assert f'<input type="hidden" name="shown-{line.pk}" value="1">' in page
    assert 'value="JD1"' in page
    line.refresh_from_db()
    assert (line.shipped_quantity, Shipment.objects.count(), Charge.objects.count()) == (2, 1, 1)
    shipped = client.post(
        f"/fulfilment/orders/{order.pk}/ship/", posted | {f"line-{line.pk}": "1", f"shown-{line.pk}": "1"}
    )
    assert (shipped.status_code, Shipment.objects.count()) == (302, 2)


def test_the_return_form_posted_twice_records_one_return_and_one_refund(client, shop):
    from openprocure.supplier.fulfilment.models import GoodsReturn

    order = place(client, [("B000PAPER1", 3)])
    operator = make_operator()
    services.ship(order_ids=[order.pk], carrier="DHL", tracking_number="A", by=operator)
    line = order.lines.get()
    client.force_login(operator)
    page = client.get(f"/fulfilment/orders/{order.pk}/return/").content.decode()
    assert f'<input type="hidden" name="shown-{line.pk}" value="3">' in page
    posted = {f"line-{line.pk}": "1", f"shown-{line.pk}": "3", "reason": "Damaged"}
    first = client.post(f"/fulfilment/orders/{order.pk}/return/", posted)
    assert (first.status_code, first.url) == (302, f"/support/orders/{order.number}/")
    client.get(first.url)  # shows (and so clears) "Return … recorded"
    again = client.post(f"/fulfilment/orders/{order.pk}/return/", posted)
    assert again.status_code == 200
    assert [str(m) for m in again.context["messages"]] == [
        "Line 1 changed since this page was shown: 2 can come back now, not 3. Nothing recorded: "
        "check the quantities and record the return again."
    ]
    page = again.content.decode()
    assert f'<input type="hidden" name="shown-{line.pk}" value="2">' in page
    assert 'value="Damaged"' in page
    assert (GoodsReturn.objects.count(), Charge.objects.filter(amount__lt=0).count()) == (1, 1)
    assert Invoice.objects.filter(number__startswith="CM-").count() == 1
