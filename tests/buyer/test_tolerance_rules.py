"""Procurement administrators edit invoice-matching tolerances in the suite; AP clerks read them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from openprocure.buyer.invoicing.models import ToleranceRule
from openprocure.buyer.suppliers.models import Supplier
from openprocure.core.models import AdminEvent
from tests.buyer.punchout_world import signed_in

pytestmark = pytest.mark.django_db


def rule_data(**changes: Any) -> dict[str, Any]:
    data = {
        "supplier": "",
        "unspsc_prefix": "",
        "mode": "3way",
        "quantity_pct": "5",
        "price_pct": "2",
        "price_abs": "",
        "line_amount_abs": "0.05",
        "header_amount_abs": "0.10",
        "tax_abs": "0.05",
        "max_tax_rate_pct": "20",
        "shipping_max": "",
        "note": "Everyone",
    }
    data.update(changes)
    return data


def test_an_administrator_adds_changes_and_deletes_a_rule(acme) -> None:
    admin = signed_in("admin@acme.test")
    response = admin.post("/invoicing/tolerances/new/", rule_data())
    assert (response.status_code, response["Location"]) == (302, "/invoicing/tolerances/")
    rule = ToleranceRule.objects.get()
    assert (
        rule.supplier,
        rule.unspsc_prefix,
        rule.mode,
        rule.quantity_pct,
        rule.price_pct,
        rule.price_abs,
        rule.max_tax_rate_pct,
        rule.shipping_max,
    ) == (None, "", "3way", Decimal("5.000"), Decimal("2.000"), None, Decimal("20.000"), None)
    page = admin.get("/invoicing/tolerances/").content.decode()
    assert "Tolerance rule saved; it applies to invoices matched from now on." in page
    assert f'href="/invoicing/tolerances/{rule.pk}/">Every supplier</a>' in page
    marketplace = Supplier.objects.get(name="Marketplace")
    admin.post(
        f"/invoicing/tolerances/{rule.pk}/",
        rule_data(supplier=marketplace.pk, unspsc_prefix="44", mode="2way", shipping_max="0"),
    )
    rule.refresh_from_db()
    assert (rule.supplier, rule.unspsc_prefix, rule.mode, rule.shipping_max) == (
        marketplace,
        "44",
        "2way",
        Decimal("0.00"),
    )
    assert admin.post(f"/invoicing/tolerances/{rule.pk}/delete/").status_code == 302
    assert ToleranceRule.objects.count() == 0
    # Each change is on the record: who, what, and which fields.
    events = AdminEvent.objects.filter(subject_type="invoicing.tolerancerule").order_by("id")
    assert list(events.values_list("kind", "subject_id", "actor__email", "subject_text")) == [
        ("created", rule.pk, "admin@acme.test", "Global"),
        ("changed", rule.pk, "admin@acme.test", "Marketplace / 44"),
        ("deleted", rule.pk, "admin@acme.test", "Marketplace / 44"),
    ]
    assert sorted(events[1].detail["fields"]) == ["mode", "shipping_max", "supplier", "unspsc_prefix"]
    assert events[2].label == "Deleted"


def test_a_second_rule_for_the_same_scope_and_bad_values_are_form_errors(acme) -> None:
    admin = signed_in("admin@acme.test")
    admin.post("/invoicing/tolerances/new/", rule_data())
    twice = admin.post("/invoicing/tolerances/new/", rule_data(note="Again")).content.decode()
    assert "A rule for this supplier and category already exists: change it instead." in twice
    bad = admin.post(
        "/invoicing/tolerances/new/", rule_data(unspsc_prefix="4x", quantity_pct="-1", note="Bad")
    ).content.decode()
    assert "Enter 2 to 8 digits of a UNSPSC code, such as 43 or 4321." in bad
    assert "Enter zero or more." in bad
    assert list(ToleranceRule.objects.values_list("note", flat=True)) == ["Everyone"]


def test_ap_clerks_read_the_rules_and_only_administrators_change_them(acme) -> None:
    ToleranceRule.objects.create(quantity_pct=Decimal("5"))
    clerk = signed_in("ap@acme.test")
    page = clerk.get("/invoicing/tolerances/")
    assert page.status_code == 200
    assert "Add a tolerance rule" not in page.content.decode()
    assert clerk.post("/invoicing/tolerances/new/", rule_data(unspsc_prefix="44")).status_code == 403
    rule = ToleranceRule.objects.get()
    assert clerk.post(f"/invoicing/tolerances/{rule.pk}/delete/").status_code == 403
    assert signed_in("requester@acme.test").get("/invoicing/tolerances/").status_code == 403
    assert ToleranceRule.objects.count() == 1
    assert AdminEvent.objects.count() == 0
