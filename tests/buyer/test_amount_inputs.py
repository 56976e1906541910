"""The edit pages show a stored amount (four places) as a person types it: in the currency's minor
units when the form has a currency, else without trailing zeros, never losing a digit that counts;
a point in French too, as the number inputs read it; what was posted comes back as it was typed."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from openprocure.buyer.approvals.forms import BudgetForm
from openprocure.buyer.approvals.models import ApprovalRule, Budget
from openprocure.buyer.invoicing.models import ToleranceRule
from openprocure.buyer.organization.models import CostCenter, SpendingLimit
from openprocure.core.forms import amount_as_typed
from openprocure.core.models import User
from tests.buyer.punchout_world import signed_in

pytestmark = pytest.mark.django_db


def _input(page: str, name: str) -> str:
    """The ``<input>`` tag named ``name`` on ``page``."""
    start = page.index(f'name="{name}"')
    return page[page.rindex("<input", 0, start) : page.index(">", start) + 1]


def _value(page: str, name: str) -> str | None:
    tag = _input(page, name)
    if ' value="' not in tag:
        return None
    return tag.split(' value="', 1)[1].split('"', 1)[0]


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        ("750.0000", "EUR", "750.00"),
        ("750.0000", "JPY", "750"),
        ("750.0000", "KWD", "750.000"),
        ("12.5000", "EUR", "12.50"),
        ("12.3456", "EUR", "12.3456"),
        ("12.3400", "JPY", "12.34"),
        ("1000.0000", "", "1000"),
        ("12.5000", "", "12.5"),
        ("12.3456", "", "12.3456"),
        ("0.0000", "", "0"),
        ("0.0000", "EUR", "0.00"),
        ("-3.1000", "EUR", "-3.10"),
        ("750.0000", "XAU", "750"),
    ],
)
def test_an_amount_as_typed(amount: str, currency: str, shown: str) -> None:
    assert amount_as_typed(Decimal(amount), currency) == shown


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_rule_editor_shows_the_amounts_in_the_rule_currency(acme, language: str) -> None:
    rule = ApprovalRule.objects.create(
        name="Mid range", min_amount=Decimal("750"), max_amount=Decimal("12345.6789"), currency="EUR"
    )
    rule.refresh_from_db()
    assert rule.min_amount is not None and str(rule.min_amount) == "750.0000"
    page = (
        signed_in("admin@acme.test")
        .get(f"/approvals/policy/{rule.pk}/", HTTP_ACCEPT_LANGUAGE=language)
        .content.decode()
    )
    assert f'lang="{language}"' in page
    assert (_value(page, "min_amount"), _value(page, "max_amount")) == ("750.00", "12345.6789")


def test_the_rule_editor_shows_yen_without_decimals(acme) -> None:
    rule = ApprovalRule.objects.create(name="Yen", min_amount=Decimal("750"), currency="JPY")
    page = signed_in("admin@acme.test").get(f"/approvals/policy/{rule.pk}/").content.decode()
    assert (_value(page, "min_amount"), _value(page, "max_amount")) == ("750", None)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_tolerance_editor_shows_amounts_without_trailing_zeros(acme, language: str) -> None:
    rule = ToleranceRule.objects.create(
        price_abs=Decimal("0.0125"),
        line_amount_abs=Decimal("0.05"),
        header_amount_abs=Decimal("12.5"),
        tax_abs=Decimal("0"),
        shipping_max=Decimal("750"),
    )
    page = (
        signed_in("admin@acme.test")
        .get(f"/invoicing/tolerances/{rule.pk}/", HTTP_ACCEPT_LANGUAGE=language)
        .content.decode()
    )
    assert f'lang="{language}"' in page
    assert [
        _value(page, name)
        for name in ("price_abs", "line_amount_abs", "header_amount_abs", "tax_abs", "shipping_max")
    ] == ["0.0125", "0.05", "12.5", "0", "750"]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_tolerance_editor_shows_percentages_as_typed(acme, language: str) -> None:
    rule = ToleranceRule.objects.create(
        quantity_pct=Decimal("5"), price_pct=Decimal("2.5"), max_tax_rate_pct=Decimal("0.125")
    )
    rule.refresh_from_db()
    assert str(rule.quantity_pct) == "5.000"
    page = (
        signed_in("admin@acme.test")
        .get(f"/invoicing/tolerances/{rule.pk}/", HTTP_ACCEPT_LANGUAGE=language)
        .content.decode()
    )
    assert [_value(page, name) for name in ("quantity_pct", "price_pct", "max_tax_rate_pct")] == [
        "5",
        "2.5",
        "0.125",
    ]
    empty = ToleranceRule.objects.create(unspsc_prefix="43", price_pct=None)
    page = signed_in("admin@acme.test").get(f"/invoicing/tolerances/{empty.pk}/").content.decode()
    assert [_value(page, name) for name in ("quantity_pct", "price_pct", "max_tax_rate_pct")] == [
        "0",
        None,
        None,
    ]


def test_the_person_editor_shows_the_limit_in_its_currency(acme) -> None:
    person = User.objects.get(email="requester@acme.test")
    SpendingLimit.objects.filter(user=person).delete()
    company = CostCenter.objects.get(code="CC-100").company
    SpendingLimit.objects.create(company=company, user=person, amount=Decimal("750"), currency="KWD")
    page = signed_in("admin@acme.test").get(f"/organization/people/{person.pk}/").content.decode()
    assert (_value(page, "limit_amount"), _value(page, "limit_currency")) == ("750.000", "KWD")


def test_the_budget_form_shows_the_amount_in_the_budget_currency(acme) -> None:
    budget = Budget.objects.create(
        cost_center=CostCenter.objects.get(code="CC-100"),
        period_start=datetime.date(2027, 1, 1),
        period_end=datetime.date(2027, 12, 31),
        amount=Decimal("750"),
        currency="EUR",
    )
    budget.refresh_from_db()
    assert str(budget.amount) == "750.0000"
    assert _value(str(BudgetForm(instance=budget)["amount"]), "amount") == "750.00"
    budget.currency = "JPY"
    assert _value(str(BudgetForm(instance=budget)["amount"]), "amount") == "750"


def test_a_refused_budget_shows_the_amount_as_it_was_typed(acme) -> None:
    response = signed_in("admin@acme.test").post(
        "/approvals/budgets/",
        {
            "cost_center": CostCenter.objects.get(code="CC-100").pk,
            "period_start": "2027-12-31",
            "period_end": "2027-01-01",
            "amount": "750.5000",
            "currency": "EUR",
            "enforcement": "warn",
        },
    )
    page = response.content.decode()
    assert (response.status_code, "The period ends before it starts." in page) == (400, True)
    assert _value(page, "amount") == "750.5000"
    assert Budget.objects.count() == 0


def test_a_budget_with_more_decimals_than_its_currency_has_is_refused_beside_the_amount(acme) -> None:
    """JPY has no minor unit: a budget of 1000.5 JPY is refused (the page would show 1,001 JPY), as
    a spending limit is; the currency is typed in any case, as everywhere else."""
    ada = signed_in("admin@acme.test")
    form = {
        "cost_center": CostCenter.objects.get(code="CC-100").pk,
        "period_start": "2027-01-01",
        "period_end": "2027-12-31",
        "amount": "1000.5",
        "currency": "jpy",
        "enforcement": "warn",
    }
    response = ada.post("/approvals/budgets/", form)
    page = response.content.decode()
    assert "1000.5 has too many decimals: JPY amounts have at most 0 decimal places." in page
    assert _value(page, "amount") == "1000.5"
    assert Budget.objects.count() == 0
    response = ada.post("/approvals/budgets/", {**form, "amount": "1000"})
    assert response.status_code == 302
    budget = Budget.objects.get()
    assert (budget.amount, budget.currency) == (Decimal("1000"), "JPY")
