"""The result of a conformance run: checks, the exchanges behind them, and three ways to write it."""

from __future__ import annotations

import enum
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from xml.etree import ElementTree

__all__ = ["Check", "Exchange", "Outcome", "Report"]

#: Bytes of a request or answer body kept in a report (the rest is cut, and the cut is said).
BODY_LIMIT = 16 * 1024


class Outcome(enum.StrEnum):
    PASS = "pass"  # noqa: S105 - an outcome, not a password
    FAIL = "fail"
    WARN = "warning"
    SKIP = "skipped"


@dataclass(slots=True)
class Exchange:
    """One request and its answer, as sent and received (bodies cut at :data:`BODY_LIMIT`)."""

    method: str
    url: str
    request_headers: dict[str, str] = field(default_factory=dict)
    request_body: str = ""
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: str = ""
    seconds: float | None = None
    error: str = ""

    @staticmethod
    def text(body: bytes | str) -> str:
        """A body as readable text: decoded as UTF-8 (bytes that are not are shown escaped), then cut."""
        if isinstance(body, bytes):
            body = body.decode("utf-8", "backslashreplace")
        if len(body) > BODY_LIMIT:
            return body[:BODY_LIMIT] + f"\n… ({len(body) - BODY_LIMIT} more characters not shown)"
        return body


@dataclass(slots=True)
class Check:
    """One check: a stable ``code`` (``setup.create``), a title, the outcome and what to do about it.

    ``message`` says what was seen (the evidence), ``fix`` what the partner should change; both are
    plain English sentences a partner's developer can act on. ``params`` holds the values the
    message was made from, for sites that show the check in another language.
    """

    code: str
    title: str
    required: bool = True
    outcome: Outcome = Outcome.PASS
    message: str = ""
    fix: str = ""
    seconds: float = 0.0
    exchanges: list[Exchange] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Report:
    """Every check of one run, in the order they ran."""

    role: str  # "supplier" (we played the buyer) or "buyer" (we played the supplier)
    target: str
    started_at: datetime
    checks: list[Check] = field(default_factory=list)
    finished_at: datetime | None = None

    @property
    def passed(self) -> bool:
        """True when no required check failed: a warning works today (a stricter partner may refuse
        it), and skipped or failed advice does not count."""
        return not any(c.outcome is Outcome.FAIL for c in self.checks if c.required)

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 1

    def counts(self) -> dict[Outcome, int]:
        counts = dict.fromkeys(Outcome, 0)
        for check in self.checks:
            counts[check.outcome] += 1
        return counts

    # -- writers ------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["started_at"] = self.started_at.isoformat()
        data["finished_at"] = self.finished_at.isoformat() if self.finished_at else None
        data["passed"] = self.passed
        data["counts"] = {str(k): v for k, v in self.counts().items()}
        for check in data["checks"]:
            check["outcome"] = str(check["outcome"])
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, default=str)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        """The report :meth:`to_dict` wrote (a site keeps it as JSON and shows it later)."""
        checks = [
            Check(
                **{
                    **{k: v for k, v in c.items() if k != "exchanges"},
                    "outcome": Outcome(c["outcome"]),
                    "exchanges": [Exchange(**e) for e in c.get("exchanges", [])],
                }
            )
            for c in data.get("checks", [])
        ]
        finished = data.get("finished_at")
        return cls(
            role=data["role"],
            target=data["target"],
            started_at=datetime.fromisoformat(data["started_at"]),
            checks=checks,
            finished_at=datetime.fromisoformat(finished) if finished else None,
        )

    def to_text(self, *, verbose: bool = False) -> str:
        """A report to read: one block per check; the exchanges of every check that did not pass
        (of every check with ``verbose``)."""
        counts = self.counts()
        lines = [
            f"Conformance of the {self.role} at {self.target}",
            f"Started {self.started_at.isoformat(timespec='seconds')}",
            "",
        ]
        marks = {Outcome.PASS: "PASS", Outcome.FAIL: "FAIL", Outcome.WARN: "WARN", Outcome.SKIP: "SKIP"}
        for check in self.checks:
            kind = "" if check.required else " (advice)"
            lines.append(
                f"[{marks[check.outcome]}] {check.code}: {check.title}{kind} — {check.seconds:.2f} s"
            )
            if check.message:
                lines.append(f"       {check.message}")
            if check.fix and check.outcome in (Outcome.FAIL, Outcome.WARN):
                lines.append(f"       What to change: {check.fix}")
            if verbose or check.outcome in (Outcome.FAIL, Outcome.WARN):
                for exchange in check.exchanges:
                    lines.extend(_exchange_lines(exchange))
        lines += [
            "",
            f"{counts[Outcome.PASS]} passed, {counts[Outcome.FAIL]} failed, {counts[Outcome.WARN]} warnings, "
            f"{counts[Outcome.SKIP]} skipped.",
            "Result: PASSED (no required check failed)."
            if self.passed
            else "Result: FAILED (a required check did not pass).",
        ]
        return "\n".join(lines) + "\n"

    def to_junit(self) -> str:
        """JUnit XML: one test case per check, failures and skips as JUnit marks them."""
        counts = self.counts()
        suite = ElementTree.Element(
            "testsuite",
            name=f"punchout-conformance-{self.role}",
            tests=str(len(self.checks)),
            failures=str(counts[Outcome.FAIL]),
            skipped=str(counts[Outcome.SKIP]),
            errors="0",
            time=f"{sum(c.seconds for c in self.checks):.3f}",
            timestamp=self.started_at.isoformat(timespec="seconds"),
        )
        for check in self.checks:
            case = ElementTree.SubElement(
                suite,
                "testcase",
                classname=f"conformance.{self.role}",
                name=check.code,
                time=f"{check.seconds:.3f}",
            )
            details = "\n".join(
                part
                for part in [check.title, check.message, f"What to change: {check.fix}" if check.fix else ""]
                if part
            )
            exchanges = "\n".join(line for e in check.exchanges for line in _exchange_lines(e))
            if check.outcome is Outcome.FAIL and check.required:
                failure = ElementTree.SubElement(case, "failure", message=check.message or check.title)
                failure.text = details + ("\n" + exchanges if exchanges else "")
            elif check.outcome is Outcome.SKIP:
                ElementTree.SubElement(case, "skipped", message=check.message or check.title)
            else:
                out = ElementTree.SubElement(case, "system-out")
                out.text = f"{check.outcome}: {details}"
        text: str = ElementTree.tostring(suite, encoding="unicode", xml_declaration=True)
        return text


def _exchange_lines(exchange: Exchange) -> list[str]:
    lines = [f"       > {exchange.method} {exchange.url}"]
    lines += [f"       > {k}: {v}" for k, v in exchange.request_headers.items()]
    if exchange.request_body:
        lines += [f"       > {line}" for line in exchange.request_body.splitlines()]
    if exchange.error:
        lines.append(f"       < (no answer: {exchange.error})")
    elif exchange.status is not None:
        took = f" after {exchange.seconds:.2f} s" if exchange.seconds is not None else ""
        lines.append(f"       < HTTP {exchange.status}{took}")
        lines += [f"       < {k}: {v}" for k, v in exchange.response_headers.items()]
        if exchange.response_body:
            lines += [f"       < {line}" for line in exchange.response_body.splitlines()]
    return lines
