"""E-mailed orders after they left: a change and a cancellation are e-mailed to the supplier too
(through the same outbox path, with the portal link), and the order's document timeline shows each
e-mail as a readable summary, never its JSON with the attachments in base64."""

from __future__ import annotations

import pytest
from django.core import mail
from django.template.defaultfilters import filesizeformat

from openprocure.buyer.purchasing.models import PurchaseOrder
from openprocure.core import outbox
from openprocure.core.models import Document, OutboxMessage
from tests.buyer.approval_world import signed_in
from tests.buyer.portal_world import ADDRESS, deliver, link_of, ordered, world

pytestmark = pytest.mark.django_db
__all__ = ["world"]  # the fixture of portal_world


def deliver_last(po: PurchaseOrder) -> PurchaseOrder:
    message = OutboxMessage.objects.filter(reference=po.number, kind="OrderEmail").latest("id")
    outbox.deliver_message(message.pk)
    return PurchaseOrder.objects.get(pk=po.pk)


def test_a_change_is_emailed_with_the_changed_lines_and_the_portal_link(world) -> None:  # type: ignore[no-untyped-def]
    po = deliver(ordered(world))
    mail.outbox.clear()
    answer = signed_in(world.rita).post(
        f"/purchasing/{po.number}/change/", {"qty_1": "2", "reason": "Too many"}
    )
    assert answer.status_code == 302, answer.content.decode()
    [message] = OutboxMessage.objects.filter(reference=po.number, kind="OrderEmail").exclude(
        pk=OutboxMessage.objects.filter(reference=po.number).earliest("id").pk
    )
    assert (message.url, message.status) == (f"mailto:{ADDRESS}", "pending")
    assert po.transmissions.latest("id").type == "update"

    po = deliver_last(po)

    [email] = mail.outbox
    assert email.subject == f"Change to purchase order {po.number} from Acme Accounts Payable"
    assert email.to == [ADDRESS]
    assert f"We change our purchase order {po.number} as follows" in email.body
    assert "Line 1, Ergonomic chair: 4 EA becomes 2 EA" in email.body
    assert "Line 1, Ergonomic chair: 4 EA becomes 2 EA" in email.alternatives[0][0]
    assert [name for name, _content, _type in email.attachments] == [f"{po.number}.pdf", f"{po.number}.xml"]
    assert 'type="update"' in email.attachments[1][1]
    assert po.transmissions.latest("id").status == "accepted"
    # The link in the change e-mail opens the order's portal page.
    assert signed_in(world.rita).get(link_of(email.body)).status_code == 200


def test_a_change_email_is_in_the_suppliers_language(world) -> None:  # type: ignore[no-untyped-def]
    po = deliver(ordered(world, language="fr"))
    mail.outbox.clear()
    signed_in(world.rita).post(f"/purchasing/{po.number}/change/", {"qty_1": "2", "reason": ""})
    deliver_last(po)
    [email] = mail.outbox
    assert email.subject == f"Modification du bon de commande {po.number} de Acme Accounts Payable"
    assert "Ligne 1, Ergonomic chair : 4 EA devient 2 EA" in email.body


def test_a_cancellation_is_emailed(world) -> None:  # type: ignore[no-untyped-def]
    po = deliver(ordered(world))
    mail.outbox.clear()
    answer = signed_in(world.rita).post(f"/purchasing/{po.number}/cancel/", {"reason": "Not needed"})
    assert answer.status_code == 302, answer.content.decode()
    assert po.transmissions.latest("id").type == "delete"

    po = deliver_last(po)

    [email] = mail.outbox
    assert email.subject == f"Cancellation of purchase order {po.number} from Acme Accounts Payable"
    assert f"We cancel our purchase order {po.number}: please do not ship it." in email.body
    assert 'type="delete"' in email.attachments[1][1]
    assert link_of(email.body).startswith("http://testserver/supplier-portal/o/")
    assert po.status == "cancelled"


def test_the_timeline_shows_an_email_as_a_summary(world) -> None:  # type: ignore[no-untyped-def]
    po = deliver(ordered(world))
    [email] = mail.outbox
    journal = Document.objects.get(reference=po.number, kind="OrderEmail")
    assert '"attachments"' in journal.raw  # kept whole in the journal

    page = signed_in(world.rita).get(f"/purchasing/{po.number}/").content.decode()

    pdf_size = filesizeformat(len(email.attachments[0][1]))
    xml_size = filesizeformat(len(email.attachments[1][1].encode()))
    assert f"<dt>To</dt><dd>{ADDRESS}</dd>" in page
    assert f"<dt>Subject</dt><dd>Purchase order {po.number} from Acme Accounts Payable</dd>" in page
    assert pdf_size.endswith("\xa0KB")
    assert f"{po.number}.pdf (application/pdf, {pdf_size}), {po.number}.xml (text/xml, {xml_size})" in page
    assert "JVBERi" not in page  # no PDF in base64
    assert '"alternatives"' not in page
