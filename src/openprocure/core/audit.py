"""One audit trail: every business document's events share one shape and one way to be recorded.

Each app keeps its own event table (an order's timeline is read with the order), built on
:class:`AuditEvent` (an abstract model, defined in ``core.models`` beside the ``AdminEvent`` built
on it): what happened (``kind``), who did it (``actor``, empty for a partner's system
or a scheduled task), the particulars (``detail``) and when (``created_at``). ``label`` is what
people read for the kind.

:func:`record_event` writes one event now; :func:`new_event` builds one unsaved, for
``core.status.set_status(…, event=…)`` (saved with the move, in its transaction) or a bulk_create.
:func:`save_administered` and :func:`delete_administered` are the writes of setting and policy
records (tolerance rules, preferred suppliers…), each recorded as an ``AdminEvent``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar

from django.db import models, transaction
from django.forms import ModelForm
from django.utils import timezone

from openprocure.core.choices import AdminEventKind
from openprocure.core.models import AdminEvent, AuditEvent

__all__ = ["AuditEvent", "delete_administered", "new_event", "record_event", "save_administered"]


Event = TypeVar("Event", bound=AuditEvent)


def new_event(
    model: type[Event],
    subject: models.Model | int,
    kind: str,
    *,
    actor: Any = None,
    detail: Mapping[str, Any] | None = None,
    created_at: datetime | None = None,
    **columns: Any,
) -> Event:
    """An unsaved event of ``subject`` (the document, or its primary key); ``columns`` fill the event
    table's own fields (e.g. a reason)."""
    return model(
        **model.about(subject),
        kind=kind,
        actor=actor,
        detail=dict(detail or {}),
        created_at=created_at or timezone.now(),
        **columns,
    )


def record_event(
    model: type[Event],
    subject: models.Model | int,
    kind: str,
    *,
    actor: Any = None,
    detail: Mapping[str, Any] | None = None,
    **columns: Any,
) -> Event:
    """Record that ``kind`` happened to ``subject`` now (inside the caller's transaction)."""
    event = new_event(model, subject, kind, actor=actor, detail=detail, **columns)
    event.save()
    return event


def save_administered(form: ModelForm[Any], *, actor: Any) -> Any:
    """Save an administrator's form for a setting or policy record and record who changed which
    fields (an ``AdminEvent``), in one transaction; returns the saved record."""
    with transaction.atomic():
        created = form.instance._state.adding
        record = form.save()
        record_event(
            AdminEvent,
            record,
            AdminEventKind.CREATED if created else AdminEventKind.CHANGED,
            actor=actor,
            detail={"fields": list(form.changed_data)},
        )
    return record


def delete_administered(record: models.Model, *, actor: Any) -> None:
    """Delete a setting or policy record and record who did (the event keeps what it said)."""
    with transaction.atomic():
        record_event(AdminEvent, record, AdminEventKind.DELETED, actor=actor)
        record.delete()
