"""The whole interop corpus (../shared/interop/cxml), one test per document.

Supported types parse; unsupported types answer 450; a non-well-formed body answers 400. Every
supported document is normalized (``review``: what ``cxml normalize`` does) or refused naming what
it lacks. A normalized document is DTD-valid, reads back with the same business fields and the same
elements kept as sent, normalizes to itself, and loses nothing: for a DTD-valid input, every
element path, attribute path and value of the input is in the output; for any other input, what is
not in the output is named by a warning or a note.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from tests.conftest import INTEROP
from tests.punchout.lossless import inventory, plain

from punchout.cxml import (
    CXML,
    BuildError,
    ForbiddenConstruct,
    NotWellFormed,
    UnsupportedMessage,
    build,
    parse,
)
from punchout.cxml.builder import DEFAULT_USER_AGENT
from punchout.cxml.dtd import validate
from punchout.cxml.review import review

SUPPORTED = {
    "PunchOutSetupRequest",
    "PunchOutSetupResponse",
    "PunchOutOrderMessage",
    "OrderRequest",
    "ConfirmationRequest",
    "ShipNoticeRequest",
    "InvoiceDetailRequest",
    "ProfileRequest",
    "ProfileResponse",
    "StatusUpdateRequest",
    "Response",
}

#: Supported documents refused on purpose, with the reason.
REFUSED = {
    # an XXE probe (<!ENTITY xxe SYSTEM "file:///etc/passwd">): never expanded, never fetched
    "PunchOutSetupRequest/punchoutcarewell-setuprequestparsertest-i0.xml": ForbiddenConstruct,
}

#: Documents that parse but lack something cXML 1.2.071 requires: normalizing them is refused,
#: naming what the document lacks (the path, and the message).
UNBUILDABLE: dict[str, tuple[str, str]] = {
    "OrderRequest/depth8064-dtdvalidator_e2e_test-i0.xml": (
        "/cXML/Request/OrderRequest/OrderRequestHeader/BillTo",
        "the document has no <BillTo> in <OrderRequestHeader>: cXML requires the address to bill",
    ),
    "OrderRequest/foom-552-test_cxml_anonymizer-i0.xml": (
        "/cXML/Request/OrderRequest/OrderRequestHeader/BillTo",
        "the document has no <BillTo> in <OrderRequestHeader>: cXML requires the address to bill",
    ),
    "OrderRequest/foom-552-test_cxml_anonymizer-i2.xml": (
        "/cXML/Header/From/Credential",
        "the document has no <Credential> in <From>: cXML requires a Credential",
    ),
    "OrderRequest/friendsofcxml-serializertest-i12.xml": (
        "/cXML/Request/OrderRequest/ItemOut",
        "the document has no <ItemOut> in <OrderRequest>: cXML requires at least one line",
    ),
    "OrderRequest/friendsofcxml-serializertest-i9.xml": (
        "/cXML/Request/OrderRequest/ItemOut",
        "the document has no <ItemOut> in <OrderRequest>: cXML requires at least one line",
    ),
    "OrderRequest/gannyspenzer-module1-L288.xml": (
        "/cXML/Request/OrderRequest/OrderRequestHeader/Total",
        "the document has no <Total> in <OrderRequestHeader>: cXML requires an amount and its currency",
    ),
    "OrderRequest/nickyhk4you-mongodb-order-network-requests-sample-data-i0.xml": (
        "/cXML/@payloadID",
        "the document has no payloadID attribute in <cXML>: cXML requires a payloadID that identifies it",
    ),
    "OrderRequest/nickyhk4you-mongodb-order-network-requests-sample-data-i3.xml": (
        "/cXML/@payloadID",
        "the document has no payloadID attribute in <cXML>: cXML requires a payloadID that identifies it",
    ),
    "OrderRequest/nickyhk4you-mongodb-order-network-requests-sample-data-i6.xml": (
        "/cXML/@payloadID",
        "the document has no payloadID attribute in <cXML>: cXML requires a payloadID that identifies it",
    ),
    "OrderRequest/njp970-test_api-i0.xml": (
        "/cXML/Request/OrderRequest/OrderRequestHeader/BillTo",
        "the document has no <BillTo> in <OrderRequestHeader>: cXML requires the address to bill",
    ),
    "OrderRequest/punchoutcarewell-orderrequestendpointtest-i0.xml": (
        "/cXML/Request/OrderRequest/OrderRequestHeader/BillTo",
        "the document has no <BillTo> in <OrderRequestHeader>: cXML requires the address to bill",
    ),
    "OrderRequest/punchoutcarewell-punchoutthrottletest-i1.xml": (
        "/cXML/Request/OrderRequest/OrderRequestHeader/BillTo",
        "the document has no <BillTo> in <OrderRequestHeader>: cXML requires the address to bill",
    ),
    "PunchOutOrderMessage/nickyhk4you-mongodb-network-requests-sample-data-i2.xml": (
        "/cXML/@payloadID",
        "the document has no payloadID attribute in <cXML>: cXML requires a payloadID that identifies it",
    ),
    "PunchOutSetupRequest/nickyhk4you-mongodb-customer-onboarding-sample-data-i3.xml": (
        "/cXML/Header/Sender/Credential",
        "the document has no <Credential> in <Sender>: cXML requires a Credential",
    ),
    "PunchOutSetupRequest/nickyhk4you-mongodb-network-requests-sample-data-i0.xml": (
        "/cXML/@payloadID",
        "the document has no payloadID attribute in <cXML>: cXML requires a payloadID that identifies it",
    ),
    "PunchOutSetupRequest/nickyhk4you-procurement_platform_converters-i3.xml": (
        "/cXML/@payloadID",
        "the document has no payloadID attribute in <cXML>: cXML requires a payloadID that identifies it",
    ),
    "PunchOutSetupResponse/nickyhk4you-readme-i1.xml": (
        "/cXML/@payloadID",
        "the document has no payloadID attribute in <cXML>: cXML requires a payloadID that identifies it",
    ),
}


def corpus_files() -> list[Any]:
    folder = INTEROP / "cxml"
    if not folder.is_dir():
        return [pytest.param(None, id="corpus-absent")]
    return [
        pytest.param(path, id=f"{path.parent.name}/{path.name}", marks=pytest.mark.interop)
        for path in sorted(folder.glob("*/*.xml"))
    ]


def well_formed(data: bytes) -> bool:
    try:
        etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    except etree.XMLSyntaxError:
        return False
    return True


def _strip_langs(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_langs(v) for k, v in value.items() if not k.endswith("lang") and k != "source"}
    if isinstance(value, list):
        return [_strip_langs(v) for v in value]
    return value


def business_fields(document: CXML) -> dict[str, Any]:
    """Everything a business cares about: the message, credentials, mode and status.

    Left out: cXML version (we always write 1.2.071) and xml:lang values (a missing language is
    written as the document's).
    """
    header = dataclasses.asdict(document.header) if document.header else None
    if header is not None and not header["user_agent"]:
        header["user_agent"] = DEFAULT_USER_AGENT
    return _strip_langs(
        {
            "kind": document.kind,
            "message": dataclasses.asdict(document.message),  # type: ignore[call-overload]
            "header": header,
            "deployment_mode": document.deployment_mode if document.kind != "Response" else None,
            "status": dataclasses.asdict(document.status) if document.status else None,
            "payload_id": document.payload_id,
            "timestamp": document.timestamp,
            "in_reply_to": document.in_reply_to,
        }
    )


def test_corpus_expectations_name_existing_files(interop: Path) -> None:
    names = {f"{p.parent.name}/{p.name}" for p in (interop / "cxml").glob("*/*.xml")}
    assert set(REFUSED) <= names
    assert set(UNBUILDABLE) <= names


@pytest.mark.parametrize("path", corpus_files())
def test_corpus_document(path: Path | None, interop: Path) -> None:
    assert path is not None
    name = f"{path.parent.name}/{path.name}"
    data = path.read_bytes()
    kind = path.parent.name
    if not well_formed(data):
        with pytest.raises(NotWellFormed) as caught:
            parse(data)
        assert "line " in caught.value.message
        return
    if name in REFUSED:
        with pytest.raises(REFUSED[name]):
            parse(data)
        return
    if kind not in SUPPORTED:
        with pytest.raises(UnsupportedMessage) as unsupported:
            parse(data)
        assert unsupported.value.status_code == 450
        assert "not supported" in unsupported.value.message
        return

    result = parse(data)
    document = result.document
    assert document.kind == kind
    senders = document.header.sender if document.header else []
    # only secrets that appear nowhere else in the document can be looked for in the output
    secrets = [
        c.shared_secret for c in senders if c.shared_secret and data.count(c.shared_secret.encode()) == 1
    ]
    for secret in secrets:
        assert secret not in repr(document)
        assert all(secret not in f"{w.path} {w.message}" for w in result.warnings)

    verdict = review(data)
    if name in UNBUILDABLE:
        assert verdict.refusal is not None
        assert (verdict.refusal.path, verdict.refusal.message) == UNBUILDABLE[name]
        with pytest.raises(BuildError):
            build(document)
        return
    assert verdict.refusal is None, verdict.refusal
    rebuilt = verdict.output
    assert rebuilt is not None
    assert rebuilt == build(document)
    assert validate(rebuilt, interop / "cxml-dtd", version="1.2.071") == []
    again = parse(rebuilt)
    # what was kept as written is forgiven again, the same way
    assert {w.code for w in again.warnings} <= {
        "shared-secret-in-message",
        "kept",
        "bad-timestamp",
        "empty-amount",
        "empty-url",
    }
    kept = Counter(plain(w.path) for w in result.warnings if w.code == "kept")
    assert Counter(plain(w.path) for w in again.warnings if w.code == "kept") == kept
    assert business_fields(again.document) == business_fields(document)
    assert build(again.document) == rebuilt  # normalizing a normalized document changes nothing

    # nothing lost: what the input says is in the output, or a finding says why not
    source = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    lost = inventory(source) - inventory(etree.fromstring(rebuilt))
    if validate(data, interop / "cxml-dtd") == []:
        assert lost == Counter()
    else:
        explained = {plain(f.path) for f in verdict.findings}
        unexplained = [
            item
            for item in lost
            if not any(item[1].split("/@")[0] == p or item[1].startswith(p + "/") for p in explained)
        ]
        assert unexplained == []
