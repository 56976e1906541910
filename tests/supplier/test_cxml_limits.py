"""The storefront's ``POST /cxml/`` refuses documents over the per-document limits before the
shared secret is checked, with a coded cXML answer; a setup full of unknown elements still works
and its journal entry keeps only the capped warnings."""

from __future__ import annotations

import json

import pytest

from openprocure.core.models import Document
from openprocure.supplier.punchout.models import PunchOutSession
from punchout.cxml.limits import MAX_ATTRIBUTES, MAX_DEPTH, MAX_ELEMENTS, MAX_WARNINGS
from tests.hostile_cxml import attribute_count, attributes, element_count, nested, siblings, with_children
from tests.supplier.worlds import post_setup, setup_request

pytestmark = pytest.mark.django_db

SETUP_END = b"</PunchOutSetupRequest>"


@pytest.mark.parametrize(
    "secret", ["acme-shared-secret", "wrong-secret"], ids=["right-secret", "wrong-secret"]
)
def test_too_many_elements_is_a_413_whatever_the_secret_and_opens_nothing(client, acme, secret):
    body = setup_request(secret=secret)
    body = with_children(body, SETUP_END, siblings(MAX_ELEMENTS + 1 - element_count(body)))
    document = post_setup(client, body)
    assert (document.kind, document.status.code) == ("Response", 413)
    assert document.status.message == (
        "the document has 500001 elements; the limit is 500000 elements per document. "
        "Split it into smaller documents."
    )
    assert PunchOutSession.objects.count() == 0
    assert Document.objects.get(direction="in").status_code == 413


def test_too_many_attributes_is_a_413_and_opens_nothing(client, acme):
    body = setup_request()
    body = with_children(body, SETUP_END, attributes(MAX_ATTRIBUTES + 1 - attribute_count(body)))
    document = post_setup(client, body)
    assert document.status.code == 413
    assert document.status.message == (
        "the document has 500001 attributes; the limit is 500000 attributes per document. "
        "Split it into smaller documents."
    )
    assert PunchOutSession.objects.count() == 0


def test_nesting_deeper_than_the_limit_is_a_400_and_opens_nothing(client, acme):
    body = with_children(setup_request(), SETUP_END, nested(MAX_DEPTH))
    document = post_setup(client, body)
    assert document.status.code == 400
    assert document.status.message.startswith("elements are nested more than 256 levels deep at line ")
    assert document.status.message.endswith("; cXML documents need only a few dozen levels.")
    assert PunchOutSession.objects.count() == 0


def test_a_setup_full_of_unknown_elements_works_and_journals_capped_warnings(client, acme):
    body = with_children(setup_request(), SETUP_END, siblings(20_000))  # about 80 KB
    document = post_setup(client, body)
    assert (document.kind, document.status.code) == ("PunchOutSetupResponse", 200)
    assert PunchOutSession.objects.count() == 1
    warnings = Document.objects.get(direction="in").warnings
    assert len(warnings) == MAX_WARNINGS
    assert warnings[0]["path"] == "/cXML/Request/PunchOutSetupRequest/e[1]"
    assert warnings[-1] == {
        "code": "more-warnings",
        "path": "/cXML",
        "message": "19,901 more warnings were not listed (19,901 unknown-element)",
    }
    assert len(json.dumps(warnings)) < 20_000
