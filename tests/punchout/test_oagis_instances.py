"""The official OAGIS® instances of the five BODs (10.1 generated samples, the 10.2 ConfirmBOD):
each is read with its values, built again with nothing lost, and the rebuilt document breaks no
schema rule the instance did not already break (the 10.1 samples hold placeholder ``AnyElement``
wildcards that the 10.2 schemas refuse)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree
from tests.punchout.lossless import inventory
from tests.punchout.oagis_world import schema_errors

from punchout.oagis import (
    ApplicationArea,
    BODOutcome,
    BODResult,
    ConfirmBOD,
    Message,
    ParseWarning,
    PurchaseOrderBOD,
    PurchaseOrderHeader,
    Verb,
    build,
    parse,
)

INSTANCES = [
    "OAGIS_10_1_Instances/BODs/ProcessPurchaseOrder.xml",
    "OAGIS_10_1_Instances/BODs/ChangePurchaseOrder.xml",
    "OAGIS_10_1_Instances/BODs/CancelPurchaseOrder.xml",
    "OAGIS_10_1_Instances/BODs/AcknowledgePurchaseOrder.xml",
    "OAGIS_10_1_Instances/BODs/ConfirmBOD.xml",
    "OAGIS_10_2/Instances/BODs/ConfirmBOD.xml",
]
PLACEHOLDER_AREA = ApplicationArea(
    sender_logical_id="string", sender_component_id="string", creation="token", bod_id="string"
)


def _instance(interop: Path, name: str) -> bytes:
    return (interop / "oagis" / name).read_bytes()


def test_every_official_instance_of_the_five_bods_is_listed(interop: Path) -> None:
    found = sorted(str(p.relative_to(interop / "oagis")) for p in (interop / "oagis").glob("**/BODs/*.xml"))
    assert found == sorted(INSTANCES)


@pytest.mark.parametrize("name", INSTANCES)
def test_an_official_instance_comes_back_with_nothing_lost(interop: Path, name: str) -> None:
    data = _instance(interop, name)
    document = parse(data)
    rebuilt = build(document)

    lost = inventory(etree.fromstring(data)) - inventory(etree.fromstring(rebuilt))
    assert lost == Counter()
    assert build(parse(rebuilt)) == rebuilt  # idempotent

    def rules(errors: list[str]) -> Counter[str]:
        return Counter(re.sub(r"^\d+: ", "", e) for e in errors)

    assert rules(schema_errors(interop, rebuilt)) - rules(schema_errors(interop, data)) == Counter()


@pytest.mark.parametrize("verb", list(Verb))
def test_the_official_purchase_order_instances_read_with_their_values(interop: Path, verb: Verb) -> None:
    document = parse(_instance(interop, f"OAGIS_10_1_Instances/BODs/{verb.value}PurchaseOrder.xml"))

    assert isinstance(document, PurchaseOrderBOD)
    assert document.verb is verb
    assert (document.release_id, document.language_code) == ("string", "en-US")
    assert document.application_area == PLACEHOLDER_AREA
    assert document.original_application_area == (PLACEHOLDER_AREA if verb is Verb.ACKNOWLEDGE else None)
    assert len(document.purchase_orders) == 1
    order = document.purchase_order
    assert order.header == PurchaseOrderHeader(
        id="string",
        revision_id="string",
        document_date="token",
        descriptions=["string"],
        notes=["string"],
        status="string",
        status_reason="string",
    )
    assert order.lines == []  # the generated samples stop inside the header
    path = f"/{verb.value}PurchaseOrder"
    expected = [
        ParseWarning(
            "unreadable-date",
            f"{path}/ApplicationArea/CreationDateTime",
            "'token' is not a date; kept as written",
        ),
        ParseWarning(
            "unreadable-date",
            f"{path}/DataArea/PurchaseOrder/PurchaseOrderHeader/DocumentDateTime",
            "'token' is not a date; kept as written",
        ),
    ]
    if verb is Verb.ACKNOWLEDGE:
        expected.append(
            ParseWarning(
                "unreadable-date",
                f"{path}/DataArea/Acknowledge/OriginalApplicationArea/CreationDateTime",
                "'token' is not a date; kept as written",
            )
        )
    assert document.warnings == expected


def test_the_official_confirm_bod_reads_with_its_messages(interop: Path) -> None:
    document = parse(_instance(interop, "OAGIS_10_2/Instances/BODs/ConfirmBOD.xml"))

    assert isinstance(document, ConfirmBOD)
    area = ApplicationArea(
        sender_logical_id="string", sender_component_id="string", creation="string", bod_id="string"
    )
    assert document.application_area == area
    assert document.original_application_area == area
    message = Message(description="string", reason_code="string", location="string")
    assert document.results == [
        BODResult(
            bod_id="string",
            result_code="string",
            failure=BODOutcome(errors=[message], warnings=[message]),
            partial_failure=BODOutcome(errors=[message], warnings=[message]),
            success=BODOutcome(errors=[], warnings=[message]),
        )
    ]
    assert len(document.results[0].errors) == 2
    assert len(document.results[0].warnings) == 3
    assert [w.path for w in document.warnings] == [
        "/ConfirmBOD/ApplicationArea/CreationDateTime",
        "/ConfirmBOD/DataArea/Confirm/OriginalApplicationArea/CreationDateTime",
    ]


def test_an_edited_official_instance_keeps_what_it_carries(interop: Path) -> None:
    """Changing what the model holds changes only that: the carried rest stays where it was."""
    data = _instance(interop, "OAGIS_10_1_Instances/BODs/ChangePurchaseOrder.xml")
    document = parse(data)
    assert isinstance(document, PurchaseOrderBOD)
    document.purchase_order.header.id = "PO-2026-0042"
    document.purchase_order.header.notes = []
    rebuilt = etree.fromstring(build(document))

    ns = {"o": "http://www.openapplications.org/oagis/10"}
    header = rebuilt.find("o:DataArea/o:PurchaseOrder/o:PurchaseOrderHeader", ns)
    assert header is not None
    [document_id] = header.findall("o:ID", ns)
    assert (document_id.text, document_id.get("schemeAgencyID")) == ("PO-2026-0042", "314")  # attributes kept
    assert header.findall("o:Note", ns) == []
    lost = inventory(etree.fromstring(data)) - inventory(rebuilt)
    lost_elements = {
        k[1].replace("{http://www.openapplications.org/oagis/10}", "") for k in lost if k[0] == "E"
    }
    assert lost_elements == {"/ChangePurchaseOrder/DataArea/PurchaseOrder/PurchaseOrderHeader/Note"}
