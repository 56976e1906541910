"""Running checks one after another: timing, the exchanges behind each, progress, failures as results."""

from __future__ import annotations

import http.client
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from urllib.parse import quote, quote_plus

from punchout.conformance.identity import Party
from punchout.conformance.report import Check, Exchange, Outcome, Report
from punchout.cxml.builder import build
from punchout.cxml.common import CXML, Credential, DeploymentMode
from punchout.cxml.helpers import make_header
from punchout.cxml.transport import HttpAnswer, http_exchange
from punchout.netguard import RefusedDestination

__all__ = ["MASK", "USER_AGENT", "CheckFailed", "CheckWarning", "Progress", "Runner", "conformance_request"]

#: What a report shows in place of a secret.
MASK = "********"
#: The UserAgent of every cXML request a conformance run sends.
USER_AGENT = "OpenProcure conformance"

#: Called when a check starts (its outcome still PASS and ``seconds`` 0) and when it ends.
Progress = Callable[[Check, bool], None]


def conformance_request(
    message: object, *, from_party: Party, to_party: Party, sender: Party, secret: str, payload_id: str
) -> bytes:
    """The cXML request both roles of a run send: ``message`` in test deployment mode, from
    ``from_party`` to ``to_party``, sent by ``sender`` with ``secret`` and :data:`USER_AGENT`,
    stamped now (to the second), in ``en-US``, with ``payload_id``."""
    header = make_header(
        from_=[Credential(from_party.domain, from_party.identity)],
        to=[Credential(to_party.domain, to_party.identity)],
        sender=[Credential(sender.domain, sender.identity, secret)],
        user_agent=USER_AGENT,
    )
    document = CXML(
        message=message,  # type: ignore[arg-type]  # each request kind is a valid cXML message; the union is wider than the field's type
        payload_id=payload_id,
        timestamp=datetime.now(UTC).replace(microsecond=0),
        header=header,
        deployment_mode=DeploymentMode.TEST,
        lang="en-US",
    )
    return build(document)


class CheckFailed(Exception):
    """Ends the current check as failed: ``message`` says what was seen, ``fix`` what to change."""

    def __init__(self, message: str, fix: str = "", **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix
        self.params = params


class CheckWarning(CheckFailed):
    """Ends the current check with a warning: it works, but a stricter partner may refuse it."""


class Runner:
    """Base of the two roles: holds the report and runs each check inside :meth:`check`.

    Inside ``with runner.check("setup.create", "PunchOut setup (create)"):`` the code sends with
    :meth:`send` (each exchange is recorded on the check), raises :class:`CheckFailed` or
    :class:`CheckWarning` to end it, or calls :meth:`warn` to note a warning and go on. Any other
    exception ends the check as failed with what it said: one broken answer never stops the run.
    """

    role = "partner"

    def __init__(self, target: str, *, progress: Progress | None = None, deadline: float = 60.0) -> None:
        self.report = Report(role=self.role, target=target, started_at=datetime.now(UTC))
        self.progress = progress
        self.deadline = deadline
        #: Values never written into a report (shared secrets, passwords): shown as :data:`MASK`.
        self.hidden: set[str] = set()
        self._current: Check | None = None

    # -- checks -------------------------------------------------------------------------------------
    @contextmanager
    def check(self, code: str, title: str, *, required: bool = True) -> Iterator[Check]:
        check = Check(code=code, title=title, required=required)
        self.report.checks.append(check)
        self._current = check
        if self.progress:
            self.progress(check, False)
        started = time.monotonic()
        try:
            yield check
        except CheckWarning as warning:
            self._end(check, Outcome.WARN, warning)
        except CheckFailed as failure:
            self._end(check, Outcome.FAIL, failure)
        except Exception as exc:
            check.outcome = Outcome.FAIL
            check.message = self.mask(f"The check could not finish: {type(exc).__name__}: {exc}")
        finally:
            check.seconds = time.monotonic() - started
            self._current = None
            if self.progress:
                self.progress(check, True)

    def skip(self, code: str, title: str, reason: str, *, required: bool = False) -> Check:
        check = Check(code=code, title=title, required=required, outcome=Outcome.SKIP, message=reason)
        self.report.checks.append(check)
        if self.progress:
            self.progress(check, True)
        return check

    def warn(self, message: str, fix: str = "") -> None:
        """Note a warning on the current check and go on (a failure later still wins)."""
        check = self._require_check()
        if check.outcome is Outcome.PASS:
            check.outcome = Outcome.WARN
        check.message = self.mask(" ".join(part for part in [check.message, message] if part))
        check.fix = self.mask(" ".join(part for part in [check.fix, fix] if part))

    def note(self, message: str) -> None:
        """Say what a passing check saw (shown beside its outcome)."""
        check = self._require_check()
        check.message = self.mask(" ".join(part for part in [check.message, message] if part))

    def finish(self) -> Report:
        self.report.finished_at = datetime.now(UTC)
        return self.report

    # -- HTTP ---------------------------------------------------------------------------------------
    def send(
        self,
        url: str,
        body: bytes | None = None,
        *,
        method: str = "POST",
        headers: Mapping[str, str] | None = None,
        deadline: float | None = None,
    ) -> HttpAnswer:
        """Send one request, record it on the current check, and return the answer.

        No answer at all (refused, reset, not HTTP, the deadline passed) fails the check with what
        happened.
        """
        check = self._require_check()
        limit = self.deadline if deadline is None else deadline
        exchange = Exchange(
            method=method,
            url=self.mask(url),
            request_headers={name: self.mask(value) for name, value in (headers or {}).items()},
            request_body=self.mask(Exchange.text(body or b"")),
        )
        check.exchanges.append(exchange)
        try:
            answer = http_exchange(url, body, method=method, headers=headers, deadline=limit)
        except RefusedDestination as exc:
            exchange.error = str(exc)
            raise CheckFailed(
                f"{url} was not requested: {exc}.",
                "Give the endpoint's public URL, or allow its network if it is yours.",
            ) from None
        except TimeoutError:
            exchange.error = f"no complete answer within {limit:g} s"
            raise CheckFailed(
                f"{url} did not answer in full within {limit:g} s.",
                "Answer within the time procurement systems wait (Coupa waits 60 s for a setup answer); "
                "do slow work after answering.",
                seconds=limit,
            ) from None
        except (OSError, http.client.HTTPException) as exc:
            exchange.error = str(exc) or type(exc).__name__
            raise CheckFailed(
                f"Could not reach {url}: {exchange.error}.",
                "Check that the URL is right and that the endpoint is reachable from the internet.",
            ) from None
        exchange.status = answer.status
        exchange.response_headers = answer.headers
        exchange.response_body = self.mask(Exchange.text(answer.body))
        exchange.seconds = round(answer.seconds, 3)
        return answer

    def mask(self, text: str) -> str:
        """``text`` with every :attr:`hidden` value replaced by :data:`MASK` (also as a URL would carry it).

        Values shorter than 4 characters are left alone: replacing them would garble the whole text.
        """
        for value in sorted(self.hidden, key=len, reverse=True):
            if len(value) >= 4:
                for form in {value, quote_plus(value), quote(value, safe="")}:
                    text = text.replace(form, MASK)
        return text

    def _end(self, check: Check, outcome: Outcome, problem: CheckFailed) -> None:
        if outcome is Outcome.FAIL or check.outcome is not Outcome.FAIL:
            check.outcome = outcome
        check.message = self.mask(" ".join(part for part in [check.message, problem.message] if part))
        check.fix = self.mask(" ".join(part for part in [check.fix, problem.fix] if part))
        check.params.update(problem.params)

    def _require_check(self) -> Check:
        if self._current is None:
            raise RuntimeError("send(), warn() and note() are called inside a check")
        return self._current
