"""One way to change a status: check the move against a transition table, save, record the event.

Every status field of both sites has a table of data (``status -> allowed next statuses``) in its
app's ``choices.py``; the functions here are the only code that writes a status. An illegal move is
a named error that changes nothing, rather than a silent data corruption.

- :func:`set_status` moves one object: checks the table, saves the status (and the other fields the
  caller changed) with ``update_fields`` and records the audit event, in one transaction.
- :func:`set_status_many` moves several objects of one model at once (bulk actions): every object is
  checked before anything is written.
- :func:`restore_status_many` puts objects moved by :func:`set_status_many` back where they were,
  within the same transaction, when a later step of the same action refuses them.
- :func:`set_derived_many` stores statuses computed from other data (quantities) for many rows.
- :func:`set_status_where` is a conditional update (``UPDATE … WHERE status IN …``) for moves that
  must win a race, such as a worker taking a lease: only rows whose status may move to the target
  are changed, and the number changed is returned.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence, Set
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def status_field(
    choices: type[models.TextChoices], default: str, *, max_length: int = 16, **options: Any
) -> models.CharField[Any, Any]:
    """The status field of a record whose moves go through this module (its transition table lives
    beside ``choices`` in the app's ``choices.py``)."""
    return models.CharField(
        gettext_lazy("status"), max_length=max_length, choices=choices.choices, default=default, **options
    )


class IllegalTransition(ValidationError):
    """A status change that the transition table does not allow; nothing was changed.

    A ``ValidationError``, so a form or view shows its message like any other refusal. ``message``
    may name the statuses as people read them: ``%(status)s`` (the current one) and ``%(new)s``.
    """

    def __init__(
        self,
        *,
        obj: Any,
        current: str,
        target: str,
        field: str = "status",
        message: str | Promise | None = None,
    ) -> None:
        self.obj = obj
        self.current = current
        self.target = target
        labels = _labels(obj, field)
        template = str(message) if message else _("%(object)s cannot go from “%(current)s” to “%(target)s”.")
        super().__init__(
            template
            % {
                "object": obj.__class__.__name__,
                "current": current,
                "target": target,
                "status": labels.get(current, current),
                "new": labels.get(target, target),
            }
        )

    def __str__(self) -> str:
        return str(self.message)


def _labels(obj: Any, field: str) -> dict[str, str]:
    """What people read for each value of ``obj.<field>`` (empty when the field has no choices)."""
    try:
        choices = obj._meta.get_field(field).flatchoices
    except (AttributeError, FieldDoesNotExist):
        return {}
    return {str(value): str(label) for value, label in choices}


def can_move(table: Mapping[str, Set[str]], *, current: str, target: str) -> bool:
    """Whether ``current -> target`` is in ``table``."""
    return target in table.get(current, set())


def check_transition(
    table: Mapping[str, Set[str]],
    *,
    obj: Any,
    current: str,
    target: str,
    field: str = "status",
    refusal: str | Promise | None = None,
) -> None:
    """Raise :class:`IllegalTransition` unless ``current -> target`` is in ``table``."""
    if not can_move(table, current=current, target=target):
        raise IllegalTransition(obj=obj, current=current, target=target, field=field, message=refusal)


def sources(table: Mapping[str, Set[str]], target: str) -> list[str]:
    """The statuses from which ``target`` may be reached, in table order."""
    return [str(current) for current, targets in table.items() if target in targets]


def set_status(
    obj: models.Model,
    target: str,
    *,
    table: Mapping[str, Set[str]],
    field: str = "status",
    also: Iterable[str] = (),
    values: Mapping[str, Any] | None = None,
    event: models.Model | None = None,
    refusal: str | Promise | None = None,
) -> str:
    """Move ``obj.<field>`` to ``target`` after checking the table; returns the previous status.

    Sets ``values`` (further fields that change with the status: who, when, why) and saves them,
    the status, the fields named in ``also`` (which the caller set beforehand, or ``auto_now``
    ones) and the unsaved ``event``, in one transaction. An illegal move raises
    :class:`IllegalTransition` (with ``refusal`` as its message, when given) before anything is
    changed, in memory or in the database.
    """
    current = str(getattr(obj, field))
    check_transition(table, obj=obj, current=current, target=target, field=field, refusal=refusal)
    extra = dict(values or {})
    with transaction.atomic(savepoint=False):
        setattr(obj, field, target)
        for name, value in extra.items():
            setattr(obj, name, value)
        obj.save(update_fields=[field, *extra, *also])
        if event is not None:
            event.save()
    return current


def follow(copy: models.Model, moved: models.Model, *, field: str = "status") -> None:
    """Bring another in-memory copy of a row up to date after :func:`set_status` moved ``moved``.

    Writes nothing: the move (and its check and event) already happened on ``moved``.
    """
    assert copy.pk == moved.pk, "follow() copies the status of the same row only"
    setattr(copy, field, getattr(moved, field))


def set_status_many(
    objs: Sequence[models.Model],
    target: str,
    *,
    table: Mapping[str, Set[str]],
    field: str = "status",
    values: Mapping[str, Any] | None = None,
    events: Sequence[models.Model] = (),
) -> dict[Any, str]:
    """Move several objects of one model to ``target`` in one UPDATE; returns each pk's previous status.

    Every object is checked first: one illegal move raises :class:`IllegalTransition` and nothing
    is changed. ``values`` are further columns set on every row; ``events`` are created alongside.
    """
    previous: dict[Any, str] = {}
    for obj in objs:
        current = str(getattr(obj, field))
        check_transition(table, obj=obj, current=current, target=target, field=field)
        previous[obj.pk] = current
    if not objs:
        return previous
    extra = dict(values or {})
    with transaction.atomic(savepoint=False):
        type(objs[0])._default_manager.filter(pk__in=list(previous)).update(**{field: target}, **extra)
        if events:
            type(events[0])._default_manager.bulk_create(list(events))
    for obj in objs:
        setattr(obj, field, target)
        for name, value in extra.items():
            setattr(obj, name, value)
    return previous


def restore_status_many(
    objs: Sequence[models.Model],
    previous: Mapping[Any, str],
    *,
    field: str = "status",
    values: Mapping[Any, Mapping[str, Any]] | None = None,
) -> None:
    """Undo :func:`set_status_many` for ``objs``: each goes back to ``previous[pk]`` (one UPDATE per status).

    Not a move of its own: the caller is still inside the transaction that made the move, and
    nobody has seen the intermediate status. ``values`` gives per-pk columns to put back too.
    """
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for obj in objs:
        back = {field: previous[obj.pk], **dict((values or {}).get(obj.pk, {}))}
        for name, value in back.items():
            setattr(obj, name, value)
        groups.setdefault(tuple(sorted(back.items())), []).append(obj.pk)
    for key, pks in groups.items():
        type(objs[0])._default_manager.filter(pk__in=pks).update(**dict(key))


def set_derived_many(
    objs: Sequence[models.Model],
    targets: Mapping[Any, str],
    *,
    table: Mapping[str, Set[str]],
    field: str = "status",
    also: Iterable[str] = (),
) -> None:
    """Store statuses computed from other data (``targets[pk]``) for several rows in one bulk_update.

    Each change is checked against the table first (a row already in its target is left as it is);
    ``also`` names the other fields the caller recomputed, saved in the same statement.
    """
    for obj in objs:
        current, target = str(getattr(obj, field)), targets[obj.pk]
        if target != current:
            check_transition(table, obj=obj, current=current, target=target, field=field)
    if not objs:
        return
    for obj in objs:
        setattr(obj, field, targets[obj.pk])
    type(objs[0])._default_manager.bulk_update(list(objs), [field, *also])


def set_status_where(
    queryset: models.QuerySet[Any],
    target: str,
    *,
    table: Mapping[str, Set[str]],
    field: str = "status",
    **values: Any,
) -> int:
    """Move every row of ``queryset`` whose status may go to ``target``; returns how many moved.

    Rows in a status the table does not allow to move to ``target`` are left as they are: the
    caller reads the count (0 means another process got there first, or the move is not allowed).
    """
    allowed = sources(table, target)
    return queryset.filter(**{f"{field}__in": allowed}).update(**{field: target}, **values)
