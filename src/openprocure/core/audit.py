"""One audit trail: every business document's events share one shape and one way to be recorded.

Each app keeps its own event table (an order's timeline is read with the order), built on
:class:`AuditEvent`: what happened (``kind``), who did it (``actor``, empty for a partner's system
or a scheduled task), the particulars (``detail``) and when (``created_at``). ``label`` is what
people read for the kind.

:func:`record_event` writes one event now; :func:`new_event` builds one unsaved, for
``core.status.set_status(…, event=…)`` (saved with the move, in its transaction) or a bulk_create.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar, TypeVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """Something that happened to a business document, for its timeline and audit."""

    #: The name of the foreign key to the document the event is about (``order``, ``invoice``…).
    SUBJECT: ClassVar[str]
    #: What people read for each kind (an enum's labels, or a dict for kinds stored as identifiers).
    KIND_LABELS: ClassVar[Mapping[str, Any]] = {}

    kind = models.CharField(_("event"), max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.kind

    @property
    def label(self) -> str:
        """What happened, in the reader's language."""
        return str(self.KIND_LABELS.get(self.kind, self.kind))


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
    about = {f"{model.SUBJECT}_id": subject} if isinstance(subject, int) else {model.SUBJECT: subject}
    return model(
        **about,
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
