"""Hosted catalogs: every write. Upload a file, check it (the worker), compare it with the version in
force, publish or discard it, and buy from it (a catalog line, or a PunchOut on a chosen item).

The file is stored as sent (under the data directory's ``catalog-uploads`` folder) before anything
reads it; the worker (:func:`check_version`) reads it row by row, writes the items in batches with
the progress, and ends with the version ``valid`` (every row passed; the changes against the current
version counted) or ``rejected`` (each bad row kept with its line and reason). Publishing is an
explicit step of a procurement administrator, recorded in the version's history.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from openprocure.buyer.catalogs import dated_prices, search
from openprocure.buyer.catalogs.choices import (
    VERSION_TRANSITIONS,
    ChangeKind,
    EventKind,
    Problem,
    VersionStatus,
)
from openprocure.buyer.catalogs.formats import Source, UnreadableFile, detect, open_catalog
from openprocure.buyer.catalogs.models import (
    CatalogChange,
    CatalogEvent,
    CatalogItem,
    CatalogProblem,
    CatalogVersion,
)
from openprocure.buyer.catalogs.validation import check_price_row, check_row
from openprocure.buyer.punchout import services as punchout
from openprocure.buyer.punchout.models import PunchOutSession
from openprocure.buyer.requisitions import limits
from openprocure.buyer.requisitions import services as requisitions
from openprocure.buyer.requisitions.models import Requisition
from openprocure.buyer.suppliers.choices import ConnectionProtocol
from openprocure.buyer.suppliers.models import PunchOutConnection, Supplier
from openprocure.core.audit import new_event, record_event
from openprocure.core.exceptions import ServiceError
from openprocure.core.models import User
from openprocure.core.status import set_status, set_status_where
from openprocure.core.storage import data_folder
from openprocure.core.tunables import tunable
from punchout.cxml import ItemID


class CatalogError(ServiceError):
    """A catalog step the rules refuse; ``message`` says what was wrong and what to do next."""


def upload_folder() -> Path:
    """Where uploaded catalog files are kept, as sent: ``catalog-uploads`` in the data directory."""
    return data_folder("catalog-uploads")


def file_path(version: CatalogVersion) -> Path:
    return upload_folder() / version.file_name


# -- upload ----------------------------------------------------------------------------------------


def upload(*, supplier: Supplier, chunks: Iterable[bytes], name: str, actor: User) -> CatalogVersion:
    """Keep the file a supplier sent and make it the supplier's next version, waiting for the worker
    (``tasks.check_catalog``, which the caller enqueues). A file too large or of no format we read
    is refused here, before anything is stored."""
    limit = int(tunable("HOSTED_CATALOG_MAX_UPLOAD_BYTES"))
    stored = f"{uuid.uuid4().hex}.upload"
    path = upload_folder() / stored
    digest, size, lines, head = hashlib.sha256(), 0, 0, b""
    try:
        with path.open("wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise CatalogError(
                        _(
                            "The file is larger than %(limit)s MB: split the catalog or ask for the limit to be raised."
                        )
                        % {"limit": limit // (1024 * 1024)}
                    )
                if len(head) < 64:
                    head += chunk[:64]
                digest.update(chunk)
                lines += chunk.count(b"\n")
                out.write(chunk)
        kind = detect(head)
        if not kind:
            raise CatalogError(
                _(
                    "This file is neither a CIF catalog (its first line would be CIF_I_V3.0) nor a BMEcat document."
                )
            )
    except CatalogError:
        path.unlink(missing_ok=True)
        raise
    with transaction.atomic():
        locked = Supplier.objects.select_for_update().get(pk=supplier.pk)
        last = (
            CatalogVersion.objects.filter(supplier=locked)
            .order_by("-number")
            .values_list("number", flat=True)
        )
        version = CatalogVersion.objects.create(
            supplier=locked,
            number=(last.first() or 0) + 1,
            format=kind,
            file_name=stored,
            original_name=Path(name).name[:255],
            size=size,
            sha256=digest.hexdigest(),
            uploaded_by=actor,
            rows_expected=max(lines - 1, 0),
        )
        record_event(
            CatalogEvent,
            version,
            EventKind.UPLOADED,
            actor=actor,
            to_status=VersionStatus.UPLOADED,
            detail={"file": version.original_name, "bytes": size, "sha256": version.sha256},
        )
    return version


# -- checking (the worker) -------------------------------------------------------------------------


def _move(version: CatalogVersion, target: str, *, actor: User | None = None, **values: Any) -> None:
    previous = version.status
    set_status(
        version,
        target,
        table=VERSION_TRANSITIONS,
        values=values,
        event=new_event(
            CatalogEvent,
            version,
            EventKind.STATUS_CHANGED,
            actor=actor,
            from_status=previous,
            to_status=target,
        ),
    )


def check_stopped(version: CatalogVersion, reason: str) -> None:
    """A check the housekeeping fails (its worker was lost, or its task twice before a worker took
    it: ``core.housekeeping``): the items read so far are dropped, one problem says which and to
    upload the file again, the timeline says it was rejected."""
    never_started = version.status == VersionStatus.UPLOADED
    CatalogItem.objects.filter(version=version).delete()
    CatalogProblem.objects.filter(version=version).delete()
    CatalogProblem.objects.create(
        version=version, line=0, code=Problem.LOST if never_started else Problem.STOPPED, value=""
    )
    version.item_count = 0
    version.problem_count = 1
    version.checked_at = timezone.now()
    record_event(
        CatalogEvent,
        version,
        EventKind.STATUS_CHANGED,
        from_status=version.status,
        to_status=VersionStatus.REJECTED,
        detail={"reason": reason},
    )


def current_versions(*, supplier_id: int | None = None, at: datetime | None = None) -> dict[int, int]:
    """Supplier id → id of its version in force (published, effective date come), active suppliers only."""
    rows = (
        CatalogVersion.objects.filter(
            status=VersionStatus.PUBLISHED, effective_from__lte=at or timezone.now(), supplier__is_active=True
        )
        .order_by("supplier_id", "-effective_from", "-id")
        .values_list("supplier_id", "id")
    )
    if supplier_id is not None:
        rows = rows.filter(supplier_id=supplier_id)
    current: dict[int, int] = {}
    for supplier, version in rows:
        current.setdefault(supplier, version)
    return current


def current_version(supplier: Supplier) -> CatalogVersion | None:
    version_id = current_versions(supplier_id=supplier.pk).get(supplier.pk)
    return CatalogVersion.objects.get(pk=version_id) if version_id else None


def check_version(*, version_id: int) -> CatalogVersion:
    """Read and check an uploaded file: its items are written in batches (``rows_read`` follows), then
    the version is ``valid`` with its changes counted, or ``rejected`` with each bad row."""
    taken = set_status_where(
        CatalogVersion.objects.filter(pk=version_id),
        VersionStatus.VALIDATING,
        table=VERSION_TRANSITIONS,
        started_at=timezone.now(),
    )
    version = CatalogVersion.objects.select_related("supplier").get(pk=version_id)
    if not taken:
        return version  # another worker has it, or it was checked already
    record_event(
        CatalogEvent,
        version,
        EventKind.STATUS_CHANGED,
        from_status=VersionStatus.UPLOADED,
        to_status=VersionStatus.VALIDATING,
    )
    problems: list[CatalogProblem] = []
    warnings: list[CatalogProblem] = []  # kept with a valid version (a refused one lists its problems)
    try:
        with file_path(version).open("rb") as stream:
            source = open_catalog(stream)
            CatalogVersion.objects.filter(pk=version.pk).update(
                header=source.header,
                incremental=source.incremental,
                rows_expected=source.expected or version.rows_expected,
            )
            version.refresh_from_db()
            count, problem_count = _read_rows(version, source, problems, warnings)
    except UnreadableFile as error:
        problems.append(
            CatalogProblem(version=version, line=error.line, code=Problem.FILE, value=error.reason)
        )
        count, problem_count = 0, len(problems)
    if problems:
        CatalogProblem.objects.bulk_create(problems[: int(tunable("HOSTED_CATALOG_MAX_PROBLEMS"))])
        CatalogItem.objects.filter(version=version).delete()
        _move(
            version,
            VersionStatus.REJECTED,
            problem_count=problem_count,
            item_count=0,
            checked_at=timezone.now(),
        )
        return version
    with transaction.atomic():
        CatalogProblem.objects.bulk_create(warnings[: int(tunable("HOSTED_CATALOG_MAX_PROBLEMS"))])
        changes = _compare(version, current_version(version.supplier))
        _move(
            version,
            VersionStatus.VALID,
            item_count=count,
            problem_count=0,
            checked_at=timezone.now(),
            changes=changes,
            base=version.base,
            currencies=search.item_currencies(version.pk),
        )
    return version


#: The item columns written in bulk (``executemany``: a Django model instance per row costs more than
#: reading and checking the row), in this order.
ITEM_COLUMNS = (
    "line",
    "supplier_part_id",
    "supplier_part_auxiliary_id",
    "description",
    "short_name",
    "unspsc",
    "unit_price",
    "currency",
    "unit_of_measure",
    "lead_time_days",
    "manufacturer_name",
    "manufacturer_part_id",
    "supplier_url",
    "punchout_enabled",
    "price_tiers",
    "price_periods",
    "price_quantity",
)
#: The columns a price update replaces (the rest of the item is the version in force's).
PRICE_COLUMNS = ("unit_price", "currency", "price_tiers", "price_periods")
#: The item columns written as JSON text.
_JSON_COLUMNS = frozenset(("price_tiers", "price_periods"))


def _insert_items(version_id: int, rows: list[tuple[Any, ...]]) -> None:
    """Write items (values in :data:`ITEM_COLUMNS` order) with their exact integer price."""
    if not rows:
        return
    table = CatalogItem._meta.db_table
    columns = ", ".join(("version_id", *ITEM_COLUMNS, "price_e4"))
    marks = ", ".join(["%s"] * (len(ITEM_COLUMNS) + 2))
    price = ITEM_COLUMNS.index("unit_price")
    as_json = [column in _JSON_COLUMNS for column in ITEM_COLUMNS]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608 - our own column names
            [
                (
                    version_id,
                    *(
                        json.dumps(value) if is_json and value is not None else value
                        for value, is_json in zip(row, as_json, strict=True)
                    ),
                    CatalogItem.e4(row[price]),
                )
                for row in rows
            ],
        )


def _read_rows(
    version: CatalogVersion, source: Source, problems: list[CatalogProblem], warnings: list[CatalogProblem]
) -> tuple[int, int]:
    """Check and store every row; returns (items stored, problems found), and adds to ``warnings``
    what was made of rows that are kept (a price rounded). An update (incremental or prices only) is
    applied to the version in force, and refused when the supplier has none."""
    batch_size = int(tunable("HOSTED_CATALOG_BATCH_SIZE"))
    keep = int(tunable("HOSTED_CATALOG_MAX_PROBLEMS"))
    duns = version.supplier.duns if source.supplier_id_domain == "DUNS" else ""
    base = current_version(version.supplier) if source.incremental else None
    if source.incremental and base is None:
        kind = version.header.get("TRANSACTION") or "LOADMODE: I"
        problems.append(
            CatalogProblem(
                version=version, line=0, code=Problem.NO_BASE, field=kind, value=str(version.supplier)[:200]
            )
        )
        return 0, 1
    # A price update's items: the price quantity each one's amounts are for.
    known: dict[tuple[str, str], Decimal | None] = {}
    if source.prices_only and base is not None:
        parts = base.items.values_list("supplier_part_id", "supplier_part_auxiliary_id", "price_quantity")
        known = {(part, auxiliary): quantity for part, auxiliary, quantity in parts.iterator()}
    prices: dict[tuple[str, str], tuple[Any, ...]] = {}
    seen: dict[tuple[str, str], int] = {}
    deleted: set[tuple[str, str]] = set()
    batch: list[tuple[Any, ...]] = []
    count = found = read = 0

    def flush() -> None:
        _insert_items(version.pk, batch)
        batch.clear()
        CatalogVersion.objects.filter(pk=version.pk).update(rows_read=read)

    for row in source.rows:
        read += 1
        key = (row.supplier_part_id, row.supplier_part_auxiliary_id)
        if source.prices_only:
            checked = check_price_row(
                row, default_currency=source.default_currency, price_quantity=known.get(key)
            )
            if row.supplier_part_id and key not in known:
                checked.problems.append(
                    (Problem.UNKNOWN_ITEM, row.name("supplier_part_id"), row.supplier_part_id)
                )
        else:
            checked = check_row(
                row,
                default_currency=source.default_currency,
                full_load=not source.incremental,
                duns=duns,
                unspsc_required=source.unspsc_required,
            )
        if row.supplier_part_id and key in seen:
            checked.problems.append((Problem.DUPLICATE, str(seen[key]), row.supplier_part_id))
        elif row.supplier_part_id:
            seen[key] = row.line
        for code, name, value in checked.problems:
            found += 1
            if len(problems) < keep:
                problems.append(
                    CatalogProblem(version=version, line=row.line, code=code, field=name, value=value)
                )
        if checked.problems or found:
            continue  # nothing more is stored once a row failed: the version will be rejected
        if len(warnings) < keep:
            warnings.extend(
                CatalogProblem(version=version, line=row.line, code=code, field=name, value=value)
                for code, name, value in checked.warnings
            )
        if source.prices_only:
            prices[key] = tuple(checked.values[column] for column in PRICE_COLUMNS)
            continue
        if checked.values.get("delete"):
            deleted.add(key)
            continue
        values = checked.values
        batch.append(tuple(values[column] for column in ITEM_COLUMNS))
        count += 1
        if len(batch) >= batch_size:
            flush()
    if not found and base is not None:
        count += _carry_over(base, set(seen) | deleted, prices, batch, flush, batch_size)
    flush()
    if not found and not count:
        found = 1
        problems.append(CatalogProblem(version=version, line=0, code=Problem.EMPTY))
    return count, found


def _carry_over(
    base: CatalogVersion,
    replaced: set[tuple[str, str]],
    prices: dict[tuple[str, str], tuple[Any, ...]],
    batch: list[tuple[Any, ...]],
    flush: Any,
    batch_size: int,
) -> int:
    """An update: the items of ``base`` (the version in force) the file neither replaced nor deleted,
    in their order, with the new price, currency and tiers of those in ``prices`` (a price update)."""
    count = 0
    rows = CatalogItem.objects.filter(version=base).order_by("id").values_list(*ITEM_COLUMNS)
    part, auxiliary = ITEM_COLUMNS.index("supplier_part_id"), ITEM_COLUMNS.index("supplier_part_auxiliary_id")
    where = [ITEM_COLUMNS.index(column) for column in PRICE_COLUMNS]
    for row in rows.iterator(chunk_size=batch_size):
        key = (row[part], row[auxiliary])
        new_price = prices.get(key)
        if new_price is not None:
            values = list(row)
            for index, value in zip(where, new_price, strict=True):
                values[index] = value
            row = tuple(values)
        elif key in replaced:
            continue
        batch.append(row)
        count += 1
        if len(batch) >= batch_size:
            flush()
    return count


def _percent(old: Decimal, new: Decimal) -> Decimal | None:
    if not old:
        return None
    return ((new - old) * 100 / old).quantize(Decimal("0.1"))


# The same item in two versions: same supplier part ID and auxiliary ID.
_SAME_ITEM = (
    "b.supplier_part_id = i.supplier_part_id AND b.supplier_part_auxiliary_id = i.supplier_part_auxiliary_id"
)


def _price_today(price_e4: int | None, periods: list[dict[str, Any]] | str | None, day: date) -> int | None:
    """An item's exact integer price on ``day``: that of its dated prices when it has some (None when
    no period covers the day), else its ``price_e4``."""
    if periods is None:
        return price_e4
    # A JSON column read through a raw cursor: text on SQLite (and on PostgreSQL through Django).
    listed: list[dict[str, Any]] = json.loads(periods) if isinstance(periods, str) else periods
    return dated_prices.listed_on(listed, day).price_e4 if listed else price_e4


def _compare(version: CatalogVersion, base: CatalogVersion | None) -> dict[str, int]:
    """Record how ``version`` differs from ``base`` (added, removed, price up or down, currency, a
    price gained or lost) and return the counts; ``version.base`` is set (not saved).

    Added and removed items are copied in SQL; prices are compared on ``price_e4``, the exact
    integer price (never on the decimal column, which SQLite stores as floating point), and only
    the changed ones are read back to compute their percentage in ``Decimal``. Both sides are the
    price of today: an item with dated prices has the price of the period covering today, or none
    (the version in force's ``price_e4`` is null that day; the new version's holds the next period's
    price until it is in force). An item with no price today on one side and a price on the other
    gained or lost its price: reported as such (``PRICE_ADDED``, ``PRICE_REMOVED``)."""
    CatalogChange.objects.filter(version=version).delete()
    version.base = base
    items, changes = CatalogItem._meta.db_table, CatalogChange._meta.db_table
    base_id = base.pk if base else 0  # no version has the id 0: every item is added
    today = timezone.localdate()
    copy = (
        f"INSERT INTO {changes} (version_id, kind, supplier_part_id, supplier_part_auxiliary_id, "  # noqa: S608 - our own table names
        "description, old_price, old_currency, new_price, new_currency) "
        "SELECT %s, %s, i.supplier_part_id, i.supplier_part_auxiliary_id, i.description, {old}, {new} "
        f"FROM {items} AS i WHERE i.version_id = %s AND NOT EXISTS "
        f"(SELECT 1 FROM {items} AS b WHERE b.version_id = %s AND {_SAME_ITEM}) ORDER BY i.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            copy.format(old="NULL, ''", new="i.unit_price, i.currency"),
            [version.pk, ChangeKind.ADDED, version.pk, base_id],
        )
        cursor.execute(
            copy.format(old="i.unit_price, i.currency", new="NULL, ''"),
            [version.pk, ChangeKind.REMOVED, base_id, version.pk],
        )
        cursor.execute(
            f"SELECT count(*) FROM {items} AS i JOIN {items} AS b ON b.version_id = %s AND {_SAME_ITEM} "  # noqa: S608 - our own table names
            "WHERE i.version_id = %s",
            [base_id, version.pk],
        )
        both = int(cursor.fetchone()[0])
        # Candidates: a price on one side only, different prices or currencies, or dated prices on
        # either side (their price today is read from the periods below).
        cursor.execute(
            "SELECT i.supplier_part_id, i.supplier_part_auxiliary_id, i.description, b.price_e4, b.currency, "  # noqa: S608 - our own table names
            "b.price_periods, i.price_e4, i.currency, i.price_periods "
            f"FROM {items} AS i JOIN {items} AS b ON b.version_id = %s AND {_SAME_ITEM} "
            "WHERE i.version_id = %s AND (i.price_periods IS NOT NULL OR b.price_periods IS NOT NULL "
            "OR (i.price_e4 IS NULL) <> (b.price_e4 IS NULL) "
            "OR i.price_e4 <> b.price_e4 OR (i.price_e4 IS NOT NULL AND i.currency <> b.currency)) ORDER BY i.id",
            [base_id, version.pk],
        )
        candidates = cursor.fetchall()
    rows = []
    for (
        part,
        aux,
        description,
        old_e4,
        old_currency,
        old_periods,
        new_e4,
        new_currency,
        new_periods,
    ) in candidates:
        old_e4, new_e4 = _price_today(old_e4, old_periods, today), _price_today(new_e4, new_periods, today)
        if old_e4 is None and new_e4 is None:
            continue
        old = None if old_e4 is None else Decimal(old_e4).scaleb(-4)
        new = None if new_e4 is None else Decimal(new_e4).scaleb(-4)
        percent = None
        if old is None:
            kind = ChangeKind.PRICE_ADDED
        elif new is None:
            kind = ChangeKind.PRICE_REMOVED
        elif old_currency != new_currency:
            kind = ChangeKind.CURRENCY
        elif old != new:
            kind, percent = (ChangeKind.PRICE_UP if new > old else ChangeKind.PRICE_DOWN), _percent(old, new)
        else:
            continue
        rows.append(
            CatalogChange(
                version=version,
                kind=kind,
                supplier_part_id=part,
                supplier_part_auxiliary_id=aux,
                description=description,
                old_price=old,
                old_currency=old_currency if old is not None else "",
                new_price=new,
                new_currency=new_currency if new is not None else "",
                percent=percent,
            )
        )
    CatalogChange.objects.bulk_create(rows, batch_size=1000)
    counts = {kind.value: 0 for kind in ChangeKind}
    for row in (
        CatalogChange.objects.filter(version=version).values("kind").annotate(n=Count("id")).order_by()
    ):
        counts[row["kind"]] = row["n"]
    counts["unchanged"] = both - len(rows)
    return counts


# -- publishing ------------------------------------------------------------------------------------


def publish(
    *, version: CatalogVersion, actor: User, effective_from: datetime | None = None
) -> CatalogVersion:
    """Publish a checked version from ``effective_from`` (now when empty): its items are searched and
    ordered from then on. The changes are counted again when another version was published since the
    check. Recorded in the version's history with who and when."""
    now = timezone.now()
    effective = effective_from or now
    if effective < now.replace(second=0, microsecond=0):
        raise CatalogError(_("Choose a date and time that has not passed yet (or leave it empty for now)."))
    with transaction.atomic():
        locked = CatalogVersion.objects.select_for_update().select_related("supplier").get(pk=version.pk)
        if locked.status != VersionStatus.VALID:
            raise CatalogError(
                _("Version %(number)s is %(status)s: only a version ready to publish can be published.")
                % {"number": locked.number, "status": locked.get_status_display()}
            )
        current = current_version(locked.supplier)
        changes = locked.changes
        if (current.pk if current else None) != locked.base_id:
            changes = _compare(locked, current)
        set_status(
            locked,
            VersionStatus.PUBLISHED,
            table=VERSION_TRANSITIONS,
            values={
                "published_by": actor,
                "published_at": now,
                "effective_from": effective,
                "changes": changes,
                "base": locked.base,
                "indexed": True,
            },
            event=new_event(
                CatalogEvent,
                locked,
                EventKind.PUBLISHED,
                actor=actor,
                from_status=VersionStatus.VALID,
                to_status=VersionStatus.PUBLISHED,
                detail={"effective_from": effective.isoformat(), "items": locked.item_count, **changes},
            ),
        )
        search.index_version(locked.pk)
        _prune_index(locked.supplier_id)
        if effective <= now:  # in force at once: the search's prices are today's
            dated_prices.follow_version(
                locked.pk, timezone.localdate(now), batch_size=int(tunable("HOSTED_CATALOG_BATCH_SIZE"))
            )
    if locked.item_count >= int(tunable("HOSTED_CATALOG_BATCH_SIZE")):
        search.optimize()
    return locked


def _prune_index(supplier_id: int) -> None:
    """Take out of the index the versions a later one replaced (those still to come stay)."""
    current_id = current_versions(supplier_id=supplier_id).get(supplier_id)
    if current_id is None:
        return
    current = CatalogVersion.objects.get(pk=current_id)
    replaced = CatalogVersion.objects.filter(
        supplier_id=supplier_id, status=VersionStatus.PUBLISHED, effective_from__lt=current.effective_from
    ).exclude(pk=current.pk)
    # ``indexed`` says the index holds a version's items, so they are never taken out twice.
    for version_id in replaced.filter(indexed=True).values_list("pk", flat=True):
        search.unindex_version(version_id)
    replaced.filter(indexed=True).update(indexed=False)


def discard(*, version: CatalogVersion, actor: User) -> CatalogVersion:
    """Decide not to publish a checked version (it stays in the list, with its file)."""
    with transaction.atomic():
        locked = CatalogVersion.objects.select_for_update().get(pk=version.pk)
        if locked.status != VersionStatus.VALID:
            raise CatalogError(
                _("Version %(number)s is %(status)s: only a version ready to publish can be discarded.")
                % {"number": locked.number, "status": locked.get_status_display()}
            )
        set_status(
            locked,
            VersionStatus.DISCARDED,
            table=VERSION_TRANSITIONS,
            event=new_event(
                CatalogEvent,
                locked,
                EventKind.DISCARDED,
                actor=actor,
                from_status=VersionStatus.VALID,
                to_status=VersionStatus.DISCARDED,
            ),
        )
    return locked


# -- buying ----------------------------------------------------------------------------------------


def orderable_item(item_id: int) -> CatalogItem:
    """An item of a version in force, or a :class:`CatalogError` saying it is not (any more)."""
    item = CatalogItem.objects.select_related("version__supplier").filter(pk=item_id).first()
    if (
        item is None
        or current_versions(supplier_id=item.version.supplier_id).get(item.version.supplier_id)
        != item.version_id
    ):
        raise CatalogError(_("This item is not in its supplier's current catalog any more: search again."))
    return item


def item_in_force(
    *, supplier_id: int, supplier_part_id: str, supplier_part_auxiliary_id: str, at: datetime
) -> CatalogItem | None:
    """The item of the supplier's version in force at ``at`` with this part (and auxiliary ID), with
    its version; None when the supplier has no catalog then or the item is not in it."""
    version_id = current_versions(supplier_id=supplier_id, at=at).get(supplier_id)
    if version_id is None:
        return None
    return (
        CatalogItem.objects.filter(
            version_id=version_id,
            supplier_part_id=supplier_part_id,
            supplier_part_auxiliary_id=supplier_part_auxiliary_id,
        )
        .select_related("version__supplier")
        .order_by("line", "id")
        .first()
    )


@dataclass
class Added:
    """What adding a catalog item did: the requisition and its new line's number."""

    requisition: Requisition
    line_number: int


def add_to_requisition(
    *, item_id: int, quantity: Decimal, actor: User, requisition: Requisition | None = None
) -> Added:
    """Add a catalog item as a structured line (supplier part ID, UNSPSC, unit, and the catalog's
    price for the quantity's tier: never a price from the browser) to one of the person's draft requisitions, or to a new one."""
    item = orderable_item(item_id)
    if item.punchout_enabled or item.unit_price is None:
        raise CatalogError(
            _("%(supplier)s sells this item on its own site: open it there.")
            % {"supplier": item.version.supplier}
        )
    today = timezone.localdate()
    price = item.price_for(quantity, on=today)
    if price is None:
        raise CatalogError(
            _(
                "The catalog of %(supplier)s has no price for this item valid on %(day)s: it cannot be ordered from the catalog that day. Ask the supplier for a price."
            )
            % {"supplier": item.version.supplier, "day": date_format(today, "DATE_FORMAT")}
        )
    problem = limits.line_problem(quantity=quantity, unit_price=price, currency=item.currency)
    if problem:
        raise CatalogError(problem[:1].upper() + problem[1:])
    line = requisitions.CartLine(
        supplier_part_id=item.supplier_part_id,
        supplier_part_auxiliary_id=item.supplier_part_auxiliary_id,
        quantity=quantity,
        unit_price=price,
        currency=item.currency,
        description=item.description,
        unit_of_measure=item.unit_of_measure or "EA",
        unspsc=item.unspsc,
        manufacturer_name=item.manufacturer_name,
        manufacturer_part_id=item.manufacturer_part_id,
        lead_time_days=item.lead_time_days,
        classifications=[{"domain": "UNSPSC", "value": item.unspsc}] if item.unspsc else [],
        from_catalog=True,
    )
    supplier = item.version.supplier
    try:
        if requisition is None:
            requisition = requisitions.create_requisition_from_cart(
                requester=actor, lines=[line], supplier=supplier, title=str(supplier)
            )
            created = requisition.lines.get()
        else:
            if requisition.requester_id != actor.pk:
                raise CatalogError(_("You can only add to your own draft requisitions."))
            if requisition.currency != item.currency and requisition.lines.exists():
                raise CatalogError(
                    _(
                        "Requisition %(number)s is in %(currency)s; this item is priced in %(item)s: add it to a new requisition."
                    )
                    % {"number": requisition.number, "currency": requisition.currency, "item": item.currency}
                )
            created = requisitions.add_cart_lines(
                requisition=requisition, actor=actor, lines=[line], supplier=supplier
            )[0]
    except requisitions.RequisitionError as error:
        raise CatalogError(error.message) from None
    return Added(requisition=created.requisition, line_number=created.line_number)


def punchout_connection(supplier: Supplier) -> PunchOutConnection | None:
    """The connection a PunchOut-enabled item opens: the supplier's first active cXML one with a setup URL."""
    return (
        PunchOutConnection.objects.filter(supplier=supplier, is_active=True, protocol=ConnectionProtocol.CXML)
        .exclude(setup_url="")
        .select_related("supplier")
        .order_by("pk")
        .first()
    )


def open_item(*, item_id: int, actor: User) -> PunchOutSession:
    """Open the supplier's site on a PunchOut-enabled item (level-2 PunchOut: ``SelectedItem``)."""
    item = orderable_item(item_id)
    connection = punchout_connection(item.version.supplier)
    if connection is None:
        raise CatalogError(
            _(
                "%(supplier)s has no cXML PunchOut connection to open this item on: ask your procurement administrator."
            )
            % {"supplier": item.version.supplier}
        )
    selected = ItemID(item.supplier_part_id, item.supplier_part_auxiliary_id or None)
    try:
        return punchout.launch_punchout(user=actor, connection=connection, selected_item=selected)
    except punchout.PunchOutError as error:
        raise CatalogError(error.message) from None
