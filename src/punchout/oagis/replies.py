"""The ConfirmBOD a receiver sends back: a refusal (the error's text, code and path) or the
warnings of a BOD it accepted (what the lenient reader forgave, each with its path)."""

from __future__ import annotations

from datetime import datetime

from punchout.oagis.errors import OAGISError
from punchout.oagis.model import ApplicationArea, BODOutcome, BODResult, ConfirmBOD, Message, ParseWarning

__all__ = ["accepted_with_warnings", "original_of", "refusal"]


def original_of(received: ApplicationArea, now: datetime) -> ApplicationArea:
    """The ``OriginalApplicationArea`` an answer names: the received BOD's sender, BODID and
    creation. The schemas require a creation date-time with a zone: when the received BOD had none
    (or one that could not be read), ``now`` stands in for it."""
    creation = received.creation
    if not isinstance(creation, datetime) or creation.utcoffset() is None:
        creation = now
    return ApplicationArea(
        sender_logical_id=received.sender_logical_id,
        sender_component_id=received.sender_component_id,
        creation=creation,
        bod_id=received.bod_id,
    )


def _answer(
    received: ApplicationArea | None,
    outcome: BODOutcome,
    *,
    failed: bool,
    sender_logical_id: str,
    bod_id: str,
    creation: datetime,
) -> ConfirmBOD:
    original = original_of(received, creation) if received is not None else None
    result = BODResult(bod_id=received.bod_id if received is not None else None)
    if failed:
        result.failure = outcome
    else:
        result.success = outcome
    return ConfirmBOD(
        application_area=ApplicationArea(
            sender_logical_id=sender_logical_id, creation=creation, bod_id=bod_id
        ),
        original_application_area=original,
        results=[result],
    )


def refusal(
    error: OAGISError,
    *,
    code: str | None = None,
    received: ApplicationArea | None,
    sender_logical_id: str,
    bod_id: str,
    creation: datetime,
) -> ConfirmBOD:
    """The ConfirmBOD refusing a received BOD: one error message with the refusal's text, its code
    as ReasonCode (``code`` when given: a receiver's own catalogue code) and its path as
    SourceLocationExpression. ``received`` is the refused BOD's
    ApplicationArea when it could be read (the ConfirmBOD then names it), else ``None``."""
    message = Message(description=error.message, reason_code=code or error.code, location=error.path)
    return _answer(
        received,
        BODOutcome(errors=[message]),
        failed=True,
        sender_logical_id=sender_logical_id,
        bod_id=bod_id,
        creation=creation,
    )


def accepted_with_warnings(
    warnings: list[ParseWarning],
    *,
    received: ApplicationArea,
    sender_logical_id: str,
    bod_id: str,
    creation: datetime,
) -> ConfirmBOD:
    """The ConfirmBOD of an accepted BOD: a success message with one warning per thing forgiven."""
    messages = [Message(description=w.message, reason_code=w.code, location=w.path) for w in warnings]
    return _answer(
        received,
        BODOutcome(warnings=messages),
        failed=False,
        sender_logical_id=sender_logical_id,
        bod_id=bod_id,
        creation=creation,
    )
