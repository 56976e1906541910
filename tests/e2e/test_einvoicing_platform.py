"""The French e-invoicing flow between the two real sites through a folder platform they share
(``openprocure demo --einvoicing-platform``): the storefront issues Acme's invoices as Factur-X and
hands them to its platform; the buyer's worker pulls them, takes them through its e-invoice intake and
matches them; an invoice the platform delivers a second time is refused as a duplicate and answered
with the CDAR status 213 Rejetée, which the storefront's worker pulls and keeps with its invoice."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from punchout import cdar
from tests.e2e.conftest import Demo, start_demo

pytestmark = [pytest.mark.slow]

SELLER, BUYER = "732829304", "732829320"


@pytest.fixture(scope="module")
def french_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    demo = start_demo(tmp_path_factory.mktemp("french-demo"), options=("--einvoicing-platform",))
    yield demo
    demo.stop()


def wait_for(path: Path, pattern: str, seconds: float = 120) -> list[Path]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = sorted(path.glob(pattern))
        if found:
            return found
        time.sleep(1)
    raise AssertionError(f"nothing matching {pattern} in {path} after {seconds:.0f} s")


def test_invoices_cross_through_the_platform_and_a_rejection_comes_back(french_demo: Demo) -> None:
    done = subprocess.run(
        [
            sys.executable, "-m", "openprocure.cli", "simulate", "--buyer-url", french_demo.buyer_url,
            "--supplier-url", french_demo.supplier_url, "--quiet", "--orders", "1", "--seed", "3",
            "--cancel-share", "0",
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )  # fmt: skip
    report = done.stdout
    assert done.returncode == 0, report + done.stderr
    lines = report.splitlines()
    first_time = next(line for line in lines if line.startswith("First-time match of honest invoices:"))
    assert first_time.endswith("(100.0 %)"), report
    assert "Outbox messages not delivered: 0" in lines, report

    shared = french_demo.data_dir / "platform"
    # Every invoice the storefront issued went through the platform, and the buyer took it.
    taken = wait_for(shared / "to-buyer" / "done", f"platform-invoice-{SELLER}-*.pdf")
    assert not list((shared / "to-buyer").glob("*.pdf"))
    assert not (shared / "to-buyer" / "failed").exists()

    # The platform delivers the first invoice once more: the buyer refuses the duplicate and answers 213.
    again = shared / "to-buyer" / f"again-{taken[0].name}"
    shutil.copy(taken[0], again)
    reason_file = wait_for(shared / "to-buyer" / "failed", f"{again.name}.reason.txt")[0]
    reason = reason_file.read_text().strip()
    number = taken[0].name.removeprefix(f"platform-invoice-{SELLER}-").removesuffix(".pdf")
    assert reason.startswith(f"Invoice {number} of ")
    assert "was already received on" in reason

    # The storefront pulls the 213 and keeps it: the file is filed as taken, not refused.
    [answer] = wait_for(shared / "to-supplier" / "done", f"platform-status-{BUYER}-{number}_213_*.xml")
    status = cdar.parse(answer.read_bytes())
    assert (status.status_code, status.label, status.reason_code, status.reason) == (
        "213",
        "Rejetée",
        "DOUBLON",
        reason,
    )
    assert (status.invoice_id, status.invoice_issuer_id, status.issuer.id) == (number, SELLER, BUYER)
    assert not (shared / "to-supplier" / "failed").exists()
