"""The French e-invoicing flow between the two real sites through a folder platform they share
(``openprocure demo --einvoicing-platform``): the storefront issues Acme's invoices as Factur-X and
hands them to its platform; the buyer's worker pulls them, takes them through its e-invoice intake and
matches them; an invoice the platform delivers a second time is refused as a duplicate and answered
with the CDAR status 213 Rejetée, which the storefront's worker pulls and keeps with its invoice.

Then the issue's demo acceptance, as people do it on the pages: the buyer's matching approves the
invoice (205 Approuvée) and its clerk exports the payment (211 Paiement transmis); the storefront
shows both on the invoice; its operator records the payment, and the buyer's invoice history shows
212 Encaissée.

Last, the storefront's operator corrects an invoice the buyer already approved: the corrective invoice
(384) crosses the platform, and the buyer's matching puts it in exception for a person, naming the
invoice it replaces."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator

import pytest

from openprocure.simulate.web import Browser, Page, wait_until
from punchout import cdar
from tests.e2e.conftest import Demo, start_demo, wait_for

pytestmark = [pytest.mark.slow]

SELLER, BUYER = "732829304", "732829320"


@pytest.fixture(scope="module")
def french_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    demo = start_demo(tmp_path_factory.mktemp("french-demo"), options=("--einvoicing-platform",))
    yield demo
    demo.stop()


@pytest.fixture(scope="module")
def simulated(french_demo: Demo) -> str:
    """One order driven through both sites by the loop simulator; its report."""
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
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_invoices_cross_through_the_platform_and_a_rejection_comes_back(
    french_demo: Demo, simulated: str
) -> None:
    report = simulated
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


def lifecycle_shown(page: Page, number: str) -> str:
    """The lifecycle status the storefront's invoice list shows for invoice ``number``."""
    row = f"//tbody/tr[td[1]/a[1][normalize-space()='{number}']]/td[6]/small"
    return " ".join(page.texts(row))


def test_the_buyer_approves_pays_and_hears_it_was_cashed(french_demo: Demo, simulated: str) -> None:
    buyer, shop = french_demo.buyer_url, french_demo.supplier_url
    shared = french_demo.data_dir / "platform"
    taken = wait_for(shared / "to-buyer" / "done", f"platform-invoice-{SELLER}-*.pdf")
    numbers = [p.name.removeprefix(f"platform-invoice-{SELLER}-").removesuffix(".pdf") for p in taken]

    customer = Browser("admin@acme.test")
    customer.sign_in(shop, customer.who, "demo")
    listing = customer.get(f"{shop}/account/invoices/")
    # an invoice (not a credit memo), not the one the duplicate test answers 213 about
    invoices = [n for n in numbers[1:] if n in listing.texts("//tbody/tr[not(td[1]//span)]/td[1]/a[1]")]
    assert invoices, (numbers, listing.texts("//tbody/tr/td[1]"))
    number = invoices[0]

    # The buyer's matching approved it at once: 205 comes back through the platform.
    def shows(code: str, english: str, french: str) -> bool:
        shown = lifecycle_shown(customer.get(f"{shop}/account/invoices/"), number)
        if shown != f"{code} {english}":
            return False
        assert lifecycle_shown(customer.get(f"{shop}/account/invoices/", language="fr"), number) == (
            f"{code} {french}"
        )
        return True

    wait_until(
        lambda: shows("205", "Approved", "Approuvée"), seconds=120, what="205 on the storefront", pause=2
    )

    # The buyer's clerk exports the approved invoices for payment: 211 Paiement transmis.
    clerk = Browser("ap@acme.test")
    clerk.sign_in(buyer, clerk.who, "demo")
    payments = clerk.get(f"{buyer}/invoicing/payments/")
    assert number in payments.texts("//tbody/tr/td[1]/a"), payments.texts("//tbody/tr")
    exported = clerk.submit(payments, payments.form(button="Export as CSV"))
    assert exported.status == 200 and exported.url.endswith(".csv"), (exported.url, exported.status)
    assert f",{number}," in exported.text
    wait_until(
        lambda: shows("211", "Payment sent", "Paiement transmis"),
        seconds=120,
        what="211 on the storefront",
        pause=2,
    )

    # The storefront's operator records the payment: 212 Encaissée, to the buyer through the platform.
    operator = Browser("operator@marketplace.test")
    operator.sign_in(shop, operator.who, "demo")
    order = customer.get(f"{shop}/account/invoices/").texts(
        f"//tbody/tr[td[1]/a[1][normalize-space()='{number}']]/td[2]/a"
    )[0]
    page = operator.get(f"{shop}/support/orders/{order}/")
    answer = operator.submit(page, page.form(action=f"/invoices/{number}/payment-received/"))
    assert answer.messages() == f"Payment of invoice {number} recorded.", answer.messages()
    assert shows("212", "Cashed", "Encaissée")

    listing = clerk.get(f"{buyer}/invoicing/")
    [link] = [
        a.get("href")
        for a in listing.doc.xpath("//table//tbody/tr/td[1]/a")
        if " ".join(a.text_content().split()) == number
    ]
    detail = f"{buyer}{link}"

    def history(language: str) -> list[str]:
        return clerk.get(detail, language=language).texts("//ul/li")

    wait_until(
        lambda: any(
            line.endswith("Lifecycle status from the supplier's platform: 212 Cashed")
            for line in history("en")
        ),
        seconds=120,
        what="212 in the buyer's invoice history",
        pause=2,
    )
    assert any(line.endswith(": 212 Encaissée") for line in history("fr")), history("fr")
    [cashed] = wait_for(shared / "to-buyer" / "done", f"platform-status-{SELLER}-{number}_212_*.xml")
    status = cdar.parse(cashed.read_bytes())
    assert (status.status_code, status.label, status.invoice_id, status.issuer.id) == (
        "212",
        "Encaissée",
        number,
        SELLER,
    )


def test_a_corrective_invoice_crosses_the_platform_and_waits_for_a_person(
    french_demo: Demo, simulated: str
) -> None:
    buyer, shop = french_demo.buyer_url, french_demo.supplier_url
    shared = french_demo.data_dir / "platform"
    taken = wait_for(shared / "to-buyer" / "done", f"platform-invoice-{SELLER}-*.pdf")
    numbers = [p.name.removeprefix(f"platform-invoice-{SELLER}-").removesuffix(".pdf") for p in taken]
    customer = Browser("admin@acme.test")
    customer.sign_in(shop, customer.who, "demo")
    listing = customer.get(f"{shop}/account/invoices/")
    # the last invoice the buyer took (approved there at once; not a credit memo, not the one paid above)
    invoices = [n for n in numbers if n in listing.texts("//tbody/tr[not(td[1]//span)]/td[1]/a[1]")]
    number = invoices[-1]
    row = f"//tbody/tr[td[1]/a[1][normalize-space()='{number}']]"
    assert listing.texts(f"{row}/td[6]")[0].startswith("Issued"), listing.texts("//tbody/tr")

    operator = Browser("operator@marketplace.test")
    operator.sign_in(shop, operator.who, "demo")
    page = operator.get(f"{shop}/fulfilment/invoices/{number}/correct/")
    [price] = page.doc.xpath("(//input[starts-with(@name, 'price-')])[1]")
    corrected = f"{float(price.get('value')) * 0.9:.2f}"
    answer = operator.submit(
        page,
        page.form(button="Issue the corrective invoice"),
        {price.get("name"): corrected, "reason": "Wrong unit price"},
    )
    issued = re.match(r"Corrective invoice (\S+) issued: it replaces invoice (\S+) ", answer.messages())
    assert issued and issued.group(2) == number, (answer.status, answer.messages())
    corrective = issued.group(1)

    # It crosses the platform as any invoice; the buyer takes it.
    wait_for(shared / "to-buyer" / "done", f"platform-invoice-{SELLER}-{corrective}.pdf")
    assert not (shared / "to-buyer" / "failed").exists() or not list(
        (shared / "to-buyer" / "failed").glob(f"*{corrective}*")
    )
    clerk = Browser("ap@acme.test")
    clerk.sign_in(buyer, clerk.who, "demo")

    def received() -> bool:
        return corrective in clerk.get(f"{buyer}/invoicing/").texts("//table//tbody/tr/td[1]/a")

    wait_until(received, seconds=120, what="the corrective invoice at the buyer", pause=2)
    [link] = [
        a.get("href")
        for a in clerk.get(f"{buyer}/invoicing/").doc.xpath("//table//tbody/tr/td[1]/a")
        if " ".join(a.text_content().split()) == corrective
    ]
    detail = clerk.get(f"{buyer}{link}")
    assert (
        f"Corrective invoice (type 384): it replaces invoice {number} in full."
        in detail.texts("//p[@id='corrective']")[0]
    )
    # The original was approved at once: a person decides which of the two is paid.
    assert (
        f"Corrective invoice: it replaces invoice {number}, which is already approved for payment or "
        "paid; decide which of the two is paid."
    ) in detail.texts("//section[contains(@class,'exception')]//h3")

    # The storefront shows the original corrected and the corrective naming it.
    rows = customer.get(f"{shop}/account/invoices/")
    assert rows.texts(f"//tbody/tr[td[1]/a[1][normalize-space()='{number}']]/td[6]")[0].startswith(
        "Corrected"
    )
    assert f"Replaces invoice {number}: Wrong unit price" in rows.texts(
        f"//tbody/tr[td[1]/a[1][normalize-space()='{corrective}']]/td[1]/small"
    )
