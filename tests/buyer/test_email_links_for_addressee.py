"""E-mail approval links act for their addressee only, and the demo mailbox shows each person their own
mail: a requester who finds (or is forwarded) the approver's e-mail cannot approve his own requisition."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client

from openprocure.buyer.approvals.models import ApprovalDecision, EmailActionToken
from openprocure.buyer.requisitions.models import Requisition
from openprocure.core.models import User
from tests.buyer.approval_world import World, build_world, requisition, rule, signed_in, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def _link(world: World, settings, capture) -> tuple[Requisition, str]:  # type: ignore[no-untyped-def]
    settings.PUBLIC_URL = "https://buy.acme.test"
    rule("r", {"users": [world.alan]})
    req = requisition(world)
    mail.outbox.clear()
    with capture(execute=True):
        submit(world, req)
    body = mail.outbox[0].body
    link = next(w for w in body.split() if w.startswith("https://buy.acme.test/approvals/email/"))
    return req, link.removeprefix("https://buy.acme.test")


def _status(req: Requisition) -> str:
    return Requisition.objects.get(pk=req.pk).status


def test_the_requester_cannot_approve_with_the_approvers_link(
    world: World, settings, django_capture_on_commit_callbacks
) -> None:
    req, path = _link(world, settings, django_capture_on_commit_callbacks)
    rita = signed_in(world.rita)
    for answer in (rita.get(path), rita.post(path, {"comment": "approving myself"})):
        assert answer.status_code == 403
        page = html.unescape(answer.content.decode())
        assert "This link is not for you" in page
        assert "You asked for this requisition, so you cannot approve or reject it." in page
    assert _status(req) == "submitted"
    assert ApprovalDecision.objects.count() == 0
    assert EmailActionToken.objects.filter(used_at__isnull=False).count() == 0  # still usable by Alan

    # Alan, signed in as himself, still can.
    assert signed_in(world.alan).post(path, {"comment": "ok"}).status_code == 200
    assert _status(req) == "ordered"
    assert ApprovalDecision.objects.get().actor == world.alan


def test_someone_else_signed_in_is_refused(
    world: World, settings, django_capture_on_commit_callbacks
) -> None:
    req, path = _link(world, settings, django_capture_on_commit_callbacks)
    answer = signed_in(world.bob).post(path, {"comment": "forwarded to me"})
    assert answer.status_code == 403
    assert "This approval link was sent to another person" in html.unescape(answer.content.decode())
    assert _status(req) == "submitted"
    assert ApprovalDecision.objects.count() == 0


def test_without_a_sign_in_the_link_asks_for_one_then_continues(
    world: World, settings, django_capture_on_commit_callbacks
) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    req, path = _link(world, settings, django_capture_on_commit_callbacks)
    world.alan.set_password("correct horse battery")
    world.alan.save()
    browser = Client()
    for answer in (browser.get(path), browser.post(path, {"comment": "no sign-in"})):
        assert answer.status_code == 302
        assert answer["Location"] == f"/accounts/login/?next={path}"
    assert _status(req) == "submitted"
    signed = browser.post(
        "/accounts/login/", {"username": "alan@acme.test", "password": "correct horse battery", "next": path}
    )
    assert signed.status_code == 302
    assert signed["Location"] == path
    assert browser.get(path).status_code == 200
    assert browser.post(path, {"comment": "ok"}).status_code == 200
    assert _status(req) == "ordered"


@pytest.fixture
def spool(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.DEMO_MODE = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    return tmp_path


def test_the_demo_mailbox_shows_each_person_only_their_own_mail(
    world: World, spool: Path, django_capture_on_commit_callbacks
) -> None:
    rule("r", {"users": [world.alan]})
    req = requisition(world)
    with django_capture_on_commit_callbacks(execute=True):
        submit(world, req)
    subject = f"Approval needed for {req.number}"

    rita = html.unescape(signed_in(world.rita).get("/mailbox/").content.decode())
    assert subject not in rita
    assert "/approvals/email/" not in rita
    assert "The e-mail this site has sent to you, rita@acme.test" in rita

    alan = html.unescape(signed_in(world.alan).get("/mailbox/").content.decode())
    assert subject in alan
    assert "/approvals/email/" in alan

    root = User.objects.create_superuser(email="root@acme.test", password=None)
    everything = html.unescape(signed_in(root).get("/mailbox/").content.decode())
    assert subject in everything
    assert "Every e-mail this site has sent" in everything


def test_the_approval_e_mail_and_its_confirm_page_show_the_lines(
    world: World, settings, django_capture_on_commit_callbacks
) -> None:
    req, path = _link(world, settings, django_capture_on_commit_callbacks)
    line = req.lines.get()
    body = mail.outbox[0].body
    assert "Lines:\n" in body
    assert f"  1. {line.description} — 1 EA × 600.00\xa0EUR = 600.00\xa0EUR\n" in body
    page = html.unescape(signed_in(world.alan).get(path).content.decode())
    row = page[page.index('<table id="approval-lines">') : page.index("</table>")]
    assert line.description in row
    assert '<td class="num">600.00\xa0EUR</td>' in row
