"""cXML dates: read the dozen formats peers send, write ISO 8601 with a ``±hh:mm`` offset.

cXML types every timestamp as ``dateTime.tz`` (ISO 8601 with a zone). Seen in the wild: ``Z``,
``-0800``, a space instead of ``T``, no zone at all, ``3/30/2015 11:56:16 AM``,
``Wed Oct 08 12:00:00 UTC 2025``, ``20171211`` and a bare date.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

__all__ = ["format_datetime", "parse_datetime"]

_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:([T ])(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"\s*(Z|z|UTC|GMT|[+-]\d{1,2}(?::?\d{2})?)?"
)
_CANONICAL = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?[+-]\d{2}:\d{2}")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T?(\d{2})(\d{2})(\d{2})?)?")
_US = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?")
_JAVA = re.compile(
    r"(?:[A-Za-z]{3},?\s+)?([A-Za-z]{3})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})\s+([A-Za-z]{1,5})\s+(\d{4})"
)
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
_ZONES = {
    "UTC": 0, "GMT": 0, "Z": 0, "UT": 0,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    "CET": 1, "CEST": 2, "BST": 1, "IST": 5.5, "JST": 9,
}  # fmt: skip


def parse_datetime(text: str) -> tuple[datetime | None, str | None]:
    """Read a cXML date; return ``(aware datetime or None, what was forgiven or None)``.

    The second item is ``None`` only for the canonical ``YYYY-MM-DDThh:mm:ss±hh:mm`` form.
    A value without a zone is read as UTC, and the note says so.
    """
    raw = text.strip()
    try:
        if _CANONICAL.fullmatch(raw):
            return datetime.fromisoformat(raw), None
        return _lenient(raw)
    except ValueError:  # out-of-range fields such as month 13 or an offset of 25 hours
        return None, f"{raw[:40]!r} is not a date cXML or any known peer uses"


def _lenient(raw: str) -> tuple[datetime | None, str | None]:
    m = _ISO.fullmatch(raw)
    if m:
        year, month, day, sep, hh, mm, ss, frac, zone = m.groups()
        micro = int((frac or "0")[:6].ljust(6, "0"))
        value = datetime(int(year), int(month), int(day), int(hh or 0), int(mm or 0), int(ss or 0), micro)
        notes = []
        if sep == " ":
            notes.append("a space instead of 'T' before the time")
        if hh is None:
            notes.append("a date without a time, read as midnight")
        if zone is None:
            notes.append("no zone, read as UTC")
            tz = UTC
        elif zone in ("Z", "z", "UTC", "GMT"):
            notes.append(f"zone {zone!r} instead of an offset +00:00")
            tz = UTC
        else:
            tz = _offset(zone)
            if not re.fullmatch(r"[+-]\d{2}:\d{2}", zone):
                notes.append(f"offset {zone!r} instead of the ±hh:mm form")
        if ss is None and hh is not None:
            notes.append("no seconds")
        return value.replace(tzinfo=tz), "; ".join(notes) or "a zone separated by a space"
    m = _COMPACT.fullmatch(raw)
    if m:
        year, month, day, hh, mm, ss = m.groups()
        value = datetime(int(year), int(month), int(day), int(hh or 0), int(mm or 0), int(ss or 0))
        return value.replace(tzinfo=UTC), "a compact date without a zone, read as UTC"
    m = _US.fullmatch(raw)
    if m:
        month, day, year, hh, mm, ss, ampm = m.groups()
        hour = int(hh or 0)
        if ampm:
            hour = hour % 12 + (12 if ampm.lower() == "pm" else 0)
        value = datetime(int(year), int(month), int(day), hour, int(mm or 0), int(ss or 0), tzinfo=UTC)
        return value, "a US month/day/year date without a zone, read as UTC"
    m = _JAVA.fullmatch(raw)
    if m and m.group(1).lower() in _MONTHS:
        mon, day, hh, mm, ss, zone, year = m.groups()
        hours = _ZONES.get(zone.upper())
        tz = UTC if hours is None else timezone(timedelta(hours=hours))
        value = datetime(int(year), _MONTHS[mon.lower()], int(day), int(hh), int(mm), int(ss), tzinfo=tz)
        note = "an unknown zone, read as UTC" if hours is None else f"zone {zone!r}"
        return value, f"a Java Date.toString() timestamp ({note})"
    return None, f"{raw[:40]!r} is not a date cXML or any known peer uses"


def _offset(zone: str) -> timezone:
    """``+01:00``, ``+0100``, ``+01``, ``-5:00``, ``-5``: a fixed offset (ValueError beyond ±24 h)."""
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:]
    if ":" in digits:
        hours, _, minutes = digits.partition(":")
    elif len(digits) > 2:
        hours, minutes = digits[:-2], digits[-2:]
    else:
        hours, minutes = digits, "0"
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))


def format_datetime(value: datetime) -> str:
    """ISO 8601 with a ``±hh:mm`` offset (``2026-03-24T12:34:56+01:00``); ``value`` must be aware."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("cXML timestamps need a zone: pass an aware datetime")
    return value.isoformat(timespec="microseconds" if value.microsecond else "seconds")
