"""The journal keeps every raw document, with secrets masked."""

from __future__ import annotations

import pytest

from openprocure.core.journal import mask_form, mask_secrets, record_document
from openprocure.core.models import Document


def test_shared_secrets_are_masked_even_in_broken_xml() -> None:
    raw = (
        b"<Sender><Credential domain='NetworkId'><Identity>ACME</Identity>"
        b"<SharedSecret>acme-demo-secret</SharedSecret></Credential></Sender>"
        b"<From><Credential><SHAREDSECRET >two</SHAREDSECRET></Credential></From> & broken"
    )
    masked = mask_secrets(raw)
    assert "acme-demo-secret" not in masked and ">two<" not in masked
    assert masked.count("********") == 2
    assert masked.endswith("& broken")


def test_masking_changes_only_the_secret_elements_content_whatever_the_secret() -> None:
    """A one-letter secret is masked in its element only, never wherever the letter occurs."""
    raw = (
        '<cXML payloadID="a@acme"><Header><Sender><Credential domain="NetworkId"><Identity>ACME</Identity>'
        '<SharedSecret>a</SharedSecret></Credential></Sender></Header><Request deploymentMode="test">'
        "<ProfileRequest/></Request></cXML>"
    )
    assert mask_secrets(raw) == raw.replace("<SharedSecret>a<", "<SharedSecret>********<")


def test_an_empty_self_closing_secret_element_masks_nothing_after_it() -> None:
    raw = (
        '<Sender><Credential domain="x"><SharedSecret/></Credential></Sender>'
        "<Request><Comments>keep me</Comments></Request>"
        "<To><Credential><SharedSecret >two</SharedSecret></Credential></To>"
        '<From><Credential><SharedSecret id="s">three</SharedSecret></Credential></From>'
    )
    assert mask_secrets(raw) == raw.replace(">two<", ">********<").replace(">three<", ">********<")


def test_password_fields_are_masked() -> None:
    assert mask_form({"USERNAME": "acme", "PASSWORD": "x", "~OkCode": "ADDI", "login_password": "y"}) == {
        "USERNAME": "acme",
        "PASSWORD": "********",
        "~OkCode": "ADDI",
        "login_password": "********",
    }


@pytest.mark.django_db
def test_record_document_stores_the_masked_raw() -> None:
    doc = record_document(direction="in", raw=b"<SharedSecret>s3cret</SharedSecret>", kind="OrderRequest")
    stored = Document.objects.get(pk=doc.pk)
    assert stored.raw == "<SharedSecret>********</SharedSecret>"
    assert stored.kind == "OrderRequest"


@pytest.mark.django_db
def test_the_journal_keeps_the_first_warnings_and_says_how_many_more() -> None:
    warnings = [
        {"code": "unknown-element", "path": f"/cXML/e[{n}]", "message": "ignored"} for n in range(1, 251)
    ]
    doc = record_document(direction="in", raw=b"<cXML/>", warnings=warnings)
    stored = Document.objects.get(pk=doc.pk).warnings
    assert len(stored) == 100
    assert stored[:99] == warnings[:99]
    assert stored[99] == {"code": "more-warnings", "path": "", "message": "151 more warnings were not kept"}


@pytest.mark.django_db
def test_the_journal_keeps_up_to_the_cap_unchanged() -> None:
    warnings = [{"code": "c", "path": f"/cXML/e[{n}]", "message": "m"} for n in range(1, 101)]
    doc = record_document(direction="in", raw=b"<cXML/>", warnings=warnings)
    assert Document.objects.get(pk=doc.pk).warnings == warnings
