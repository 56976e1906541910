"""The world of the supplier portal's tests: a supplier whose orders go by e-mail, an order made the
real way (requisition, approval) and delivered through the outbox, and its portal link."""

from __future__ import annotations

import io

import pypdf
import pytest

from openprocure.buyer.purchasing.emailing import portal_token
from openprocure.buyer.purchasing.models import PurchaseOrder
from openprocure.core import outbox
from openprocure.core.models import OutboxMessage
from tests.buyer.approval_world import build_world, requisition, submit

ADDRESS = "orders@officedepot.test"


def text_of(pdf: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [line for page in reader.pages for line in page.extract_text().splitlines()]


@pytest.fixture
def world(settings):  # type: ignore[no-untyped-def]
    settings.PO_NUMBER_PATTERN = "PO-{year}-{seq:06}"
    settings.PUBLIC_URL = "http://testserver"
    world = build_world()
    world.connection.order_channel = "email"
    world.connection.order_email = ADDRESS
    world.connection.order_url = ""
    world.connection.save()
    return world


def ordered(world, language: str = "en") -> PurchaseOrder:  # type: ignore[no-untyped-def]
    world.supplier.language = language
    world.supplier.save()
    req = requisition(world, price="19.50", quantity="4")
    submit(world, req)
    return PurchaseOrder.objects.get(requisition=req)


def deliver(po: PurchaseOrder) -> PurchaseOrder:
    message = OutboxMessage.objects.get(reference=po.number, kind="OrderEmail")
    outbox.deliver_message(message.pk)
    return PurchaseOrder.objects.get(pk=po.pk)


def link_of(body: str) -> str:
    return next(word for word in body.split() if word.startswith("http://testserver/supplier-portal/"))


def portal(po: PurchaseOrder) -> str:
    return f"/supplier-portal/o/{portal_token(po, ADDRESS)}/"
