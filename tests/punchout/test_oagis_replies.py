"""The ConfirmBOD answering a received BOD: a refusal carries the refusal's exact text, code and
path; an accepted BOD's warnings each carry theirs. Both are schema-valid and name the BOD they
answer."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.punchout.oagis_world import purchase_order_bod, schema_errors

from punchout.oagis import (
    ApplicationArea,
    ConfirmBOD,
    InvalidBOD,
    Message,
    OAGISError,
    PurchaseOrderBOD,
    accepted_with_warnings,
    build,
    parse,
    parse_confirm,
    refusal,
)

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def test_a_refused_bod_is_answered_with_its_error_text_code_and_path(interop: Path) -> None:
    received = build(purchase_order_bod()).replace(
        b'<ChargeAmount currencyCode="EUR">1.25<', b'<ChargeAmount currencyCode="EUR">1.2.5<'
    )
    with pytest.raises(OAGISError) as caught:
        parse(received)
    assert isinstance(caught.value, InvalidBOD)
    area = ApplicationArea(
        bod_id="9b3a7c9e-0c55-4f7a-9a55-1f9d2a6f0a42", creation=NOW, sender_logical_id="openprocure-buyer"
    )

    answer = build(refusal(caught.value, received=area, sender_logical_id="shop", bod_id="c-1", creation=NOW))

    assert schema_errors(interop, answer) == []
    confirm = parse_confirm(answer)
    assert confirm.original_application_area == area
    [result] = confirm.results
    assert result.bod_id == "9b3a7c9e-0c55-4f7a-9a55-1f9d2a6f0a42"
    path = "/ProcessPurchaseOrder/DataArea/PurchaseOrder/PurchaseOrderLine[1]/UnitPrice/ChargeAmount"
    assert result.errors == [
        Message(
            description=f"{path} is not a number: '1.2.5' is not a decimal number",
            reason_code="invalid-bod",
            location=path,
        )
    ]
    assert (result.success, result.partial_failure) == (None, None)


def test_a_bod_that_could_not_be_read_is_answered_without_naming_it(interop: Path) -> None:
    with pytest.raises(OAGISError) as caught:
        parse(b"<ProcessPurchaseOrder>")

    confirm = refusal(caught.value, received=None, sender_logical_id="shop", bod_id="c-2", creation=NOW)
    answer = build(confirm)

    assert schema_errors(interop, answer) == []
    again = parse_confirm(answer)
    assert again.original_application_area is None
    assert again.results[0].bod_id is None
    [error] = again.results[0].errors
    assert (error.reason_code, error.location) == ("not-well-formed", None)
    assert error.description is not None and error.description.startswith(
        "the document is not well-formed XML: "
    )


def test_an_accepted_bod_is_answered_with_each_warning_and_its_path(interop: Path) -> None:
    bare = build(purchase_order_bod()).replace(b' xmlns="http://www.openapplications.org/oagis/10"', b"")
    document = parse(bare)
    assert isinstance(document, PurchaseOrderBOD)

    answer = build(
        accepted_with_warnings(
            document.warnings,
            received=document.application_area,
            sender_logical_id="shop",
            bod_id="c-3",
            creation=NOW,
        )
    )

    assert schema_errors(interop, answer) == []
    confirm = parse(answer)
    assert isinstance(confirm, ConfirmBOD)
    [result] = confirm.results
    assert result.bod_id == "9b3a7c9e-0c55-4f7a-9a55-1f9d2a6f0a42"
    assert result.errors == []
    assert result.warnings == [
        Message(
            description="the BOD has no namespace; read as OAGIS 10 (http://www.openapplications.org/oagis/10)",
            reason_code="namespace",
            location="/ProcessPurchaseOrder",
        )
    ]
