"""The buyer's ``POST /cxml/`` refuses documents over the per-document limits before any
authentication work, with a coded cXML answer, and journals at most the capped warnings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client

from openprocure.core.models import Document
from punchout import cxml
from punchout.cxml.limits import MAX_ATTRIBUTES, MAX_DEPTH, MAX_ELEMENTS, MAX_WARNINGS
from tests.hostile_cxml import attribute_count, attributes, element_count, nested, siblings, with_children

pytestmark = pytest.mark.django_db

CONFIRMATION = (Path(__file__).parents[1] / "punchout" / "golden" / "ConfirmationRequest.xml").read_bytes()
HEADER_END = b"</ConfirmationHeader>"


def post(client: Client, body: bytes) -> cxml.Status:
    answer = client.post("/cxml/", data=body, content_type="text/xml")
    assert answer.status_code == 200
    status = cxml.parse(answer.content).document.status
    assert status is not None
    return status


def test_too_many_elements_is_a_413_before_the_sender_is_checked(client: Client) -> None:
    body = with_children(CONFIRMATION, HEADER_END, siblings(MAX_ELEMENTS + 1 - element_count(CONFIRMATION)))
    status = post(client, body)
    assert (status.code, status.text) == (413, "Request Entity Too Large")
    assert status.message == (
        "the document has 500001 elements; the limit is 500000 elements per document. "
        "Split it into smaller documents."
    )
    inbound = Document.objects.get(direction="in")
    assert (inbound.status_code, inbound.kind, inbound.warnings) == (413, "", [])


def test_too_many_attributes_is_a_413(client: Client) -> None:
    body = with_children(
        CONFIRMATION, HEADER_END, attributes(MAX_ATTRIBUTES + 1 - attribute_count(CONFIRMATION))
    )
    status = post(client, body)
    assert status.code == 413
    assert status.message == (
        "the document has 500001 attributes; the limit is 500000 attributes per document. "
        "Split it into smaller documents."
    )


def test_nesting_deeper_than_the_limit_is_a_400(client: Client) -> None:
    body = (
        b'<cXML payloadID="p@x" timestamp="2026-01-01T00:00:00+00:00"><Request>'
        + nested(MAX_DEPTH)
        + b"</Request></cXML>"
    )
    status = post(client, body)
    assert status.code == 400
    assert status.message == (
        "elements are nested more than 256 levels deep at line 1, column 834; cXML documents need "
        "only a few dozen levels."
    )


def test_the_journal_keeps_the_first_warnings_of_a_document_full_of_unknown_elements(client: Client) -> None:
    body = with_children(CONFIRMATION, HEADER_END, siblings(20_000))  # about 80 KB
    status = post(client, body)
    assert status.code == 401  # read, then refused: the sender is not a known supplier
    warnings = Document.objects.get(direction="in").warnings
    assert len(warnings) == MAX_WARNINGS
    assert warnings[0] == {
        "code": "unknown-element",
        "path": "/cXML/Request/ConfirmationRequest/ConfirmationHeader/e[1]",
        "message": "<e> is not allowed inside <ConfirmationHeader> in cXML 1.2.071; it cannot be kept",
    }
    assert warnings[-1] == {
        "code": "more-warnings",
        "path": "/cXML",
        "message": "19,901 more warnings were not listed (19,901 unknown-element)",
    }
    assert len(json.dumps(warnings)) < 20_000


@pytest.mark.parametrize(
    ("content_type", "body", "reason"),
    [
        ("multipart/form-data", b"cxml-urlencoded=x", "Invalid boundary in multipart: None"),
        (
            "application/x-www-form-urlencoded",
            b"&".join(b"f%d=1" % n for n in range(50_001)) + b"&cxml-base64=PGNYTUwvPg==",
            "The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS.",
        ),
    ],
    ids=["multipart-without-boundary", "too-many-fields"],
)
def test_a_form_that_cannot_be_read_is_a_cxml_400_and_journaled(
    client: Client, content_type: str, body: bytes, reason: str
) -> None:
    # Answered before with the framework's bare HTML 400 page, journaled nowhere.
    answer = client.post("/cxml/", data=body, content_type=content_type)
    assert (answer.status_code, answer["Content-Type"]) == (200, "text/xml; charset=utf-8")
    status = cxml.parse(answer.content).document.status
    assert (status.code, status.text, status.message) == (
        400,
        "Bad Request",
        f"the form cannot be read ({reason}); post the cXML document as text/xml, or in a "
        "cxml-urlencoded or cxml-base64 field of a form with few other fields.",
    )
    inbound = Document.objects.get(direction="in")
    assert (inbound.status_code, inbound.status_text) == (400, status.message)
