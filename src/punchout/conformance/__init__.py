"""Partner conformance checks: play one side of a PunchOut exchange against a partner's endpoints.

:mod:`punchout.conformance.report` holds the results (each check passes, fails, warns or is
skipped, with the exact exchanges and what to change) and writes them as text, JSON or JUnit XML;
:mod:`punchout.conformance.runner` runs checks one after another, timing each and telling a progress
callback; :mod:`punchout.conformance.expect` holds the checks every answer goes through (HTTP status,
content type, cXML, DTD validity, Status code).

A check is *required* when a partner that fails it cannot work with a standard procurement system;
the other checks are advice. A run passes when every required check passes.
"""

from __future__ import annotations

from punchout.conformance.report import Check, Exchange, Outcome, Report
from punchout.conformance.runner import CheckFailed, CheckWarning, Runner

__all__ = ["Check", "CheckFailed", "CheckWarning", "Exchange", "Outcome", "Report", "Runner"]
