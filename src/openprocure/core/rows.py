"""Inserts and updates of model rows for the hot write paths (order intake, the journal, the outbox).

The ORM compiles every INSERT afresh and sends each value through several layers of preparation;
for a 10-line order that was about a third of the request. :func:`insert` keeps the statement text
per model and row count, passes plain values (``str``, ``int``, ``bool``, ``None`` in fields that
take them as they are) straight to the driver and prepares every other value with the field's own
``get_db_prep_save``. It behaves like ``bulk_create`` for what these paths need: no signals,
``auto_now`` / ``auto_now_add`` applied, the new primary keys set on the instances (``RETURNING``,
which SQLite and PostgreSQL both support) and their ``_state`` marked as saved.

:func:`update` is the same for an ``UPDATE … WHERE pk = …`` of a few columns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections, models, router
from django.db.models import Field, Model

_CHAR_FIELDS = (models.CharField, models.TextField, models.EmailField, models.SlugField, models.URLField)
_INT_FIELDS = (
    models.IntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField,
    models.SmallIntegerField,
    models.BigIntegerField,
)
_AUTO_FIELDS = (models.AutoField, models.BigAutoField, models.SmallAutoField)

Prepare = Callable[[Any], Any]


def _plain_types(field: Field[Any, Any]) -> tuple[type, ...]:
    """The Python types whose values this field sends to the database unchanged."""
    kind = type(field)
    if kind in _CHAR_FIELDS:
        return (str, type(None))
    if kind in _INT_FIELDS:
        return (int, type(None))
    if kind is models.BooleanField:
        return (bool, type(None))
    if kind in (models.ForeignKey, models.OneToOneField) and type(field.target_field) in _AUTO_FIELDS:  # type: ignore[attr-defined]  # private field API of Django, absent from the stubs
        return (int, type(None))
    return ()


def _preparer(field: Field[Any, Any], connection: Any) -> Prepare:
    plain = _plain_types(field)
    prepare = field.get_db_prep_save

    def convert(value: Any) -> Any:
        if type(value) in plain:
            return value
        if hasattr(value, "resolve_expression"):
            raise TypeError(f"{field.model.__name__}.{field.name}: expressions are not supported here")
        return prepare(value, connection)

    return convert


@dataclass
class _Table:
    """What an insert into one model's table needs, computed once per model and database."""

    table: str
    pk_column: str
    pk_attname: str
    # (attname, column, prepare, field with its own pre_save or None)
    columns: list[tuple[str, str, Prepare, Field[Any, Any] | None]]
    # Foreign keys whose related instance may have been saved after it was assigned.
    relations: list[Field[Any, Any]]
    statements: dict[int, str]


_tables: dict[tuple[type[Model], str], _Table] = {}


def _table(model: type[Model], alias: str) -> _Table:
    key = (model, alias)
    found = _tables.get(key)
    if found is not None:
        return found
    connection = connections[alias]
    quote = connection.ops.quote_name
    opts = model._meta
    columns = []
    for field in opts.concrete_fields:
        if field.primary_key and isinstance(field, _AUTO_FIELDS):
            continue
        own_pre_save = type(field).pre_save is not Field.pre_save
        columns.append(
            (
                field.attname,
                quote(field.column),
                _preparer(field, connection),
                field if own_pre_save else None,
            )
        )
    pk = opts.pk
    assert pk is not None
    found = _Table(
        table=quote(opts.db_table),
        pk_column=quote(pk.column),
        pk_attname=pk.attname,
        columns=columns,
        relations=[f for f in opts.concrete_fields if f.is_relation and (f.many_to_one or f.one_to_one)],
        statements={},
    )
    _tables[key] = found
    return found


def _insert_statement(table: _Table, rows: int) -> str:
    sql = table.statements.get(rows)
    if sql is None:
        names = ", ".join(column for _attname, column, _prepare, _field in table.columns)
        one = "(" + ", ".join(["%s"] * len(table.columns)) + ")"
        values = ", ".join([one] * rows)
        sql = f"INSERT INTO {table.table} ({names}) VALUES {values} RETURNING {table.pk_column}"  # noqa: S608 - quoted names only
        table.statements[rows] = sql
    return sql


def insert(objs: Sequence[Model]) -> None:
    """Insert new instances of one model (no primary key set yet) and set their primary keys."""
    if not objs:
        return
    model = type(objs[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    table = _table(model, alias)
    batch = max(1, (connection.features.max_query_params or 65535) // max(1, len(table.columns)))
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch):
            chunk = objs[start : start + batch]
            params: list[Any] = []
            for obj in chunk:
                if type(obj) is not model:
                    raise TypeError(f"insert() takes instances of one model, got {type(obj).__name__}")
                for relation in table.relations:
                    # As ``save()`` does: an instance assigned before it was saved gives its key now.
                    if getattr(obj, relation.attname) is None and relation.is_cached(obj):  # type: ignore[attr-defined]  # private field API of Django, absent from the stubs
                        related = relation.get_cached_value(obj)  # type: ignore[attr-defined]  # private field API of Django, absent from the stubs
                        if related is not None:
                            if related.pk is None:
                                raise ValueError(
                                    f"{model.__name__}.{relation.name}: the related {type(related).__name__} is not saved"
                                )
                            setattr(obj, relation.attname, related.pk)
                for attname, _column, prepare, own_pre_save in table.columns:
                    value = own_pre_save.pre_save(obj, True) if own_pre_save else getattr(obj, attname)
                    params.append(prepare(value))
            cursor.execute(_insert_statement(table, len(chunk)), params)
            for obj, row in zip(chunk, cursor.fetchall(), strict=True):
                setattr(obj, table.pk_attname, row[0])
                obj._state.adding = False
                obj._state.db = alias


_updates: dict[tuple[type[Model], str, tuple[str, ...]], tuple[str, list[Prepare]]] = {}


def update(model: type[Model], pk: Any, **values: Any) -> int:
    """``UPDATE`` some columns (by field name) of one row; the number of rows changed (0 or 1)."""
    alias = router.db_for_write(model)
    names = tuple(values)
    key = (model, alias, names)
    cached = _updates.get(key)
    if cached is None:
        connection = connections[alias]
        quote = connection.ops.quote_name
        fields: list[Field[Any, Any]] = []
        for name in names:
            field = model._meta.get_field(name)
            if not isinstance(field, Field) or not field.concrete:
                raise TypeError(f"{model.__name__}.{name} is not a column")
            fields.append(field)
        assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
        pk_field = model._meta.pk
        assert pk_field is not None
        sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(pk_field.column)} = %s"  # noqa: S608 - quoted names only
        cached = (sql, [_preparer(f, connection) for f in fields])
        _updates[key] = cached
    sql, prepares = cached
    params = [prepare(values[name]) for prepare, name in zip(prepares, names, strict=True)]
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, [*params, pk])
        return int(cursor.rowcount)


@dataclass
class _Read:
    """How the columns of one SELECT become instances: positions of the model's fields (in the
    model's field order), their converters, and the other columns (set as plain attributes)."""

    attnames: list[str]
    positions: list[int]
    converters: list[tuple[int, list[Any], Any]]  # (position in row, converters, column expression)
    extras: list[tuple[int, str]]
    complete: bool  # every concrete field present


_reads: dict[tuple[type[Model], str, tuple[str, ...]], _Read] = {}


def _read_plan(model: type[Model], alias: str, names: tuple[str, ...]) -> _Read:
    key = (model, alias, names)
    found = _reads.get(key)
    if found is not None:
        return found
    connection = connections[alias]
    by_column = {field.column: field for field in model._meta.concrete_fields}
    present = {name: index for index, name in enumerate(names) if name in by_column}
    fields = [field for field in model._meta.concrete_fields if field.column in present]
    converters = []
    for field in fields:
        column = field.get_col(model._meta.db_table)
        found_converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if found_converters:
            converters.append((present[field.column], found_converters, column))
    found = _Read(
        attnames=[field.attname for field in fields],
        positions=[present[field.column] for field in fields],
        converters=converters,
        extras=[(index, name) for index, name in enumerate(names) if name not in by_column],
        complete=len(fields) == len(model._meta.concrete_fields),
    )
    _reads[key] = found
    return found


def select(model: type[Model], sql: str, params: Sequence[Any] = ()) -> list[Any]:
    """Instances of ``model`` from a raw SELECT (``SELECT * FROM …`` or some of its columns).

    As ``Manager.raw`` does: columns named like the model's fields fill them (converted as the ORM
    converts them), missing fields are deferred, other columns become plain attributes; with the
    column mapping kept per statement shape instead of being worked out for every query.
    """
    alias = router.db_for_read(model)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = tuple(column[0] for column in cursor.description)
        found = cursor.fetchall()
    plan = _read_plan(model, alias, names)
    instances = []
    for row in found:
        values = list(row)
        for position, converters, column in plan.converters:
            value = values[position]
            for converter in converters:
                value = converter(value, column, connection)
            values[position] = value
        ordered = [values[position] for position in plan.positions]
        instance = model.from_db(alias, plan.attnames, ordered)
        for position, name in plan.extras:
            setattr(instance, name, values[position])
        instances.append(instance)
    return instances
