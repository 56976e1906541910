"""Spend visibility through its pages: every KPI checked against the hand-computed data set of
``spend_world`` (see its table), filters, drill-down links, CSV export, SVG charts, permissions."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.test import Client, override_settings
from lxml import etree

from openprocure.buyer.spend.models import MonthlySpend, SummaryRefresh
from openprocure.buyer.spend.services import refresh_monthly_spend
from tests.buyer.spend_world import Acme, build_acme

pytestmark = pytest.mark.django_db
PERIOD = "from=2026-09&to=2026-11"
OTHERS = ("GR1", "GR2", "INV1", "INV2", "INV3")
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def acme() -> Acme:
    return build_acme()


def dashboard(acme: Acme, query: str = PERIOD, person: str = "ada"):
    page = acme.client(person).get(f"/spend/dashboard/?{query}")
    assert page.status_code == 200
    return page


def listed(client: Client, url: str) -> list[str]:
    page = client.get(url)
    assert page.status_code == 200
    return [row["doc_number"] for row in page.context["rows"]]


def numbers(acme: Acme, *names: str) -> set[str]:
    return {acme.number(name) for name in names}


# -- spend KPIs ---------------------------------------------------------------------------------------
def test_spend_kpis_match_the_hand_computed_figures(acme: Acme) -> None:
    page = dashboard(acme)
    data = page.context["data"]
    assert data.currency == "EUR"
    assert data.total == Decimal("2076.00")  # 250 + 1500 + 50 + 300 USD × 0.92; PO5 cancelled
    assert (data.orders, data.electronic_orders, data.electronic_pct) == (4, 2, Decimal("50.0"))
    assert (data.structured, data.structured_pct) == (Decimal("576.00"), Decimal("27.7"))
    assert [(b.label, b.amount, b.share) for b in data.by_supplier] == [
        ("Lab Supplies", Decimal("1500.00"), Decimal("72.3")),
        ("Office Depot", Decimal("526.00"), Decimal("25.3")),
        ("Tiny Tools", Decimal("50.00"), Decimal("2.4")),
    ]
    assert [(b.key, b.label, b.amount) for b in data.by_segment] == [
        ("81", "81 Engineering and research services", Decimal("1500.00")),
        ("44", "44 Office equipment and supplies", Decimal("526.00")),
        ("43", "43 IT and telecommunications", Decimal("50.00")),
    ]
    assert [(b.label, b.amount) for b in data.by_family] == [
        ("8111 Computer services", Decimal("1500.00")),
        ("4412 Office supplies", Decimal("526.00")),
        ("4321 Computer equipment and accessories", Decimal("50.00")),
    ]
    assert [(b.label, b.amount) for b in data.by_cost_center] == [
        ("CC200 IT", Decimal("1600.00")),  # 50 % of the chairs + the calibration
        ("CC100 Operations", Decimal("476.00")),
    ]
    assert [(p.month.isoformat(), p.amount, p.structured) for p in data.by_month] == [
        ("2026-09-01", Decimal("250.00"), Decimal("250.00")),
        ("2026-10-01", Decimal("1550.00"), Decimal("50.00")),
        ("2026-11-01", Decimal("276.00"), Decimal("276.00")),
    ]
    assert (data.active_suppliers, data.core_suppliers, data.tail_suppliers) == (3, 2, 1)
    assert (data.tail_spend, data.tail_pct) == (Decimal("50.00"), Decimal("2.4"))
    # (2 × 120 − 200) + (320 − 300) USD × 0.92 = 40 + 18.40; list value 240 + 294.40
    assert (data.savings, data.list_value, data.savings_pct) == (
        Decimal("58.40"),
        Decimal("534.40"),
        Decimal("10.9"),
    )
    assert data.unconverted == []
    html = page.content.decode()
    assert "2,076.00\xa0EUR" in html
    assert "1 USD = 0.92\xa0EUR" in html
    assert "Formula: spend on PunchOut and catalog lines ÷ purchase-order spend × 100." in html
    assert (
        "Formula: purchase orders sent as cXML OrderRequest ÷ all purchase orders of the period × 100."
        in html
    )
    # TT-9 names no order: 30.00 of 250.00 + 1,600.00 + 30.00 invoiced
    maverick = data.maverick
    assert (maverick.amount, maverick.invoiced, maverick.count, maverick.pct) == (
        Decimal("30.00"),
        Decimal("1880.00"),
        1,
        Decimal("1.6"),
    )
    assert listed(acme.client("ada"), maverick.url) == ["TT-9"]


@pytest.mark.parametrize(
    ("query", "total", "orders", "electronic_pct", "structured_pct", "suppliers"),
    [
        ("entity={gmbh}", "1500.00", 1, "0.0", "0.0", [("Lab Supplies", "1500.00")]),
        (
            "cost_center={it}",
            "1600.00",
            2,
            "50.0",
            "6.3",  # 100 of 1600 (6.25, half up)
            [("Lab Supplies", "1500.00"), ("Office Depot", "100.00")],
        ),
        (
            "entity={france}&cost_center={ops}",
            "476.00",
            3,
            "66.7",
            "100.0",
            [("Office Depot", "426.00"), ("Tiny Tools", "50.00")],
        ),
        ("month=oct", "1550.00", 2, "0.0", "3.2", [("Lab Supplies", "1500.00"), ("Tiny Tools", "50.00")]),
    ],
    ids=["entity GmbH", "cost center IT", "France and Operations", "October only"],
)
def test_filters_change_the_figures(
    acme: Acme, query, total, orders, electronic_pct, structured_pct, suppliers
) -> None:
    ids = {"gmbh": acme.gmbh.pk, "france": acme.france.pk, "it": acme.cc_it.pk, "ops": acme.cc_ops.pk}
    query = query.format(**ids)
    query = "from=2026-10&to=2026-10" if query == "month=oct" else f"{PERIOD}&{query}"
    data = dashboard(acme, query).context["data"]
    assert data.total == Decimal(total)
    assert data.orders == orders
    assert data.electronic_pct == Decimal(electronic_pct)
    assert data.structured_pct == Decimal(structured_pct)
    assert [(b.label, str(b.amount)) for b in data.by_supplier] == suppliers


def test_cost_center_filter_counts_only_its_share_of_a_split_line(acme: Acme) -> None:
    data = dashboard(acme, f"{PERIOD}&cost_center={acme.cc_it.pk}").context["data"]
    # Half of the chairs: 100 of a list value of 120.
    assert (data.listed, data.list_value, data.savings) == (
        Decimal("100.00"),
        Decimal("120.00"),
        Decimal("20.00"),
    )
    assert [(b.label, b.amount) for b in data.by_cost_center] == [("CC200 IT", Decimal("1600.00"))]


def test_a_period_without_orders_says_no_data_yet(acme: Acme) -> None:
    page = dashboard(acme, "from=2025-01&to=2025-02")
    data = page.context["data"]
    assert (data.total, data.orders, data.structured_pct, data.electronic_pct) == (
        Decimal("0.00"),
        0,
        None,
        None,
    )
    structured = page.content.decode().split('id="kpi-structured"')[1].split("</div>")[0]
    assert "No data yet" in structured


def test_an_invalid_period_is_explained_and_the_default_period_shown(acme: Acme) -> None:
    page = dashboard(acme, "from=2026-13&to=2026-11")
    assert "Write the month as YYYY-MM, for example 2026-03." in page.content.decode()
    reversed_period = dashboard(acme, "from=2026-11&to=2026-09")
    assert "The first month comes after the last one: swap them." in reversed_period.content.decode()


def test_a_currency_without_a_rate_is_left_out_and_named(acme: Acme) -> None:
    with override_settings(EXCHANGE_RATES={"EUR": "1"}):
        page = dashboard(acme)
    data = page.context["data"]
    assert data.total == Decimal("1800.00")
    assert data.orders == 3
    assert data.unconverted == ["USD"]
    assert "Left out (no rate): USD." in page.content.decode()


def test_summary_not_built_yet_is_said(acme: Acme) -> None:
    MonthlySpend.objects.all().delete()
    SummaryRefresh.objects.all().delete()
    page = dashboard(acme)
    assert page.context["data"].total == Decimal("0.00")
    assert "The spend summary has not been built yet" in page.content.decode()


def test_refresh_rebuilds_the_same_summary(acme: Acme) -> None:
    before = sorted(
        MonthlySpend.objects.values_list(
            "month",
            "legal_entity_id",
            "cost_center_id",
            "dimension",
            "key",
            "currency",
            "amount",
            "lines",
            "orders",
        )
    )
    run = refresh_monthly_spend(full=True)
    after = sorted(
        MonthlySpend.objects.values_list(
            "month",
            "legal_entity_id",
            "cost_center_id",
            "dimension",
            "key",
            "currency",
            "amount",
            "lines",
            "orders",
        )
    )
    assert after == before
    assert run.lines_read == 5  # PO5's line is cancelled
    assert run.rows_written == len(after)


def test_periodic_refresh_rebuilds_only_the_months_whose_orders_changed(acme: Acme) -> None:
    from openprocure.buyer.purchasing.models import PurchaseOrder
    from openprocure.buyer.requisitions.services import (
        CartLine,
        create_requisition_from_cart,
        submit_requisition,
    )

    september = dict(MonthlySpend.objects.filter(month="2026-09-01").values_list("pk", "amount"))
    assert refresh_monthly_spend().lines_read == 0  # nothing changed since the last refresh
    rita = acme.people["rita"]
    pens = create_requisition_from_cart(
        requester=rita,
        supplier=acme.tiny,
        lines=[CartLine("PEN-20", Decimal(4), Decimal("2.50"), "EUR", unspsc="44122000")],
        title="More pens",
    )
    submit_requisition(pens, rita)
    order = PurchaseOrder.objects.get(requisition=pens)
    run = refresh_monthly_spend()
    month = order.created_at.astimezone().date().replace(day=1)
    assert (run.full, run.months) == (False, [month.isoformat()])
    assert dict(MonthlySpend.objects.filter(month="2026-09-01").values_list("pk", "amount")) == september
    data = dashboard(acme, f"from={month:%Y-%m}&to={month:%Y-%m}").context["data"]
    expected = Decimal("10.00") + (Decimal("276.00") if month.isoformat() == "2026-11-01" else 0)
    assert data.total == expected


def test_a_full_refresh_is_due_once_a_day(acme: Acme) -> None:
    from datetime import timedelta

    SummaryRefresh.objects.update(started_at=SummaryRefresh.objects.get().started_at - timedelta(hours=25))
    run = refresh_monthly_spend()
    assert (run.full, run.lines_read) == (True, 5)


def test_dashboard_query_count_is_bounded(acme: Acme, django_assert_max_num_queries) -> None:
    client = acme.client("ada")
    client.get("/")  # the session learns once that ada is no supplier account, as on a running site
    with django_assert_max_num_queries(20):  # 18 for the dashboard, 2 for the menu (roles, inbox)
        page = client.get(f"/spend/dashboard/?{PERIOD}&entity={acme.france.pk}&cost_center={acme.cc_ops.pk}")
    assert page.status_code == 200


# -- drill-down -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("pick", "expected"),
    [
        (lambda d: d.urls["total"], ("PO1", "PO2", "PO3", "PO4")),
        (lambda d: d.by_supplier[1].url, ("PO1", "PO4")),  # Office Depot
        (lambda d: d.by_cost_center[0].url, ("PO1", "PO2")),  # CC200
        (lambda d: d.by_segment[1].url, ("PO1", "PO3", "PO4")),  # segment 44
        (lambda d: d.by_family[2].url, ("PO1",)),  # family 4321
        (lambda d: d.by_month[1].url, ("PO2", "PO3")),  # October
        (lambda d: d.urls["structured"], ("PO1", "PO3", "PO4")),
        (lambda d: d.urls["electronic"], ("PO1", "PO4")),
        (lambda d: d.urls["listed"], ("PO1", "PO4")),
    ],
    ids=[
        "total",
        "supplier",
        "cost center",
        "segment",
        "family",
        "month",
        "structured",
        "electronic",
        "list price",
    ],
)
def test_drill_down_lists_exactly_the_documents_behind_the_number(acme: Acme, pick, expected) -> None:
    url = pick(dashboard(acme).context["data"])
    assert set(listed(acme.client("ada"), url)) == numbers(acme, *expected)


def test_drill_down_keeps_the_dashboard_filters(acme: Acme) -> None:
    data = dashboard(acme, f"{PERIOD}&entity={acme.gmbh.pk}").context["data"]
    assert set(listed(acme.client("ada"), data.urls["total"])) == numbers(acme, "PO2")


# -- process KPIs ---------------------------------------------------------------------------------------
def test_cycle_and_approval_times(acme: Acme) -> None:
    page = acme.client("ada").get(f"/spend/process/?{PERIOD}")
    assert page.status_code == 200
    data = page.context["data"]
    # 0.5, 1, 2.5, 4 and 48 hours from submission to order
    cycle = data.cycle_time
    assert (cycle.count, cycle.median, cycle.p90) == (5, Decimal("2.5"), Decimal("48.0"))
    assert set(listed(acme.client("ada"), cycle.url)) == numbers(acme, "R1", "R2", "R3", "R4", "R5")
    [step] = data.approval_steps
    assert (step.label, step.count, step.median, step.p90) == (
        "Manager approval",
        1,
        Decimal("47.0"),
        Decimal("47.0"),
    )
    assert listed(acme.client("ada"), step.url) == [acme.number("R2")]


def test_invoice_kpis(acme: Acme) -> None:
    client = acme.client("ada")
    invoices = client.get(f"/spend/process/?{PERIOD}").context["data"].invoices
    assert (invoices.count, invoices.electronic, invoices.electronic_pct) == (3, 2, Decimal("66.7"))
    assert (invoices.matched, invoices.first_time, invoices.first_time_pct) == (3, 1, Decimal("33.3"))
    assert (invoices.with_exception, invoices.exception_pct) == (2, Decimal("66.7"))
    assert [(r.code, r.invoices, r.pct) for r in invoices.exceptions] == [
        ("no_order_line", 1, Decimal("33.3")),
        ("price_over", 1, Decimal("33.3")),
        ("quantity_over_received", 1, Decimal("33.3")),
    ]
    assert set(listed(client, invoices.urls["electronic"])) == {"OD-1", "TT-9"}
    assert listed(client, invoices.urls["first_time"]) == ["OD-1"]
    assert listed(client, invoices.exceptions[1].url) == ["LAB-7"]
    assert set(listed(client, invoices.urls["all"])) == {"OD-1", "LAB-7", "TT-9"}


def test_invoice_exception_types_are_shown_in_words(acme: Acme) -> None:
    import re

    page = acme.client("ada").get(f"/spend/process/?{PERIOD}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    table = page[page.index('id="kpi-exceptions"') :]
    names = re.findall(r'<td><a href="[^"]*">([^<]*)</a></td>', table[: table.index("</table>")])
    assert names == ["No matching order line", "Price above the order", "More invoiced than received"]
    assert "quantity_over_received</" not in page


def test_invoice_kpis_follow_the_entity_filter(acme: Acme) -> None:
    invoices = (
        acme.client("ada").get(f"/spend/process/?{PERIOD}&entity={acme.gmbh.pk}").context["data"].invoices
    )
    assert (invoices.count, invoices.electronic_pct, invoices.first_time_pct) == (
        1,
        Decimal("0.0"),
        Decimal("0.0"),
    )


def test_on_time_delivery(acme: Acme) -> None:
    client = acme.client("ada")
    delivery = client.get(f"/spend/process/?{PERIOD}").context["data"].delivery
    # Five lines due (PO5 cancelled); only PO1's chairs arrived (09-20) by their date (09-25).
    assert (delivery.due, delivery.on_time, delivery.pct) == (5, 1, Decimal("20.0"))
    assert set(listed(client, delivery.url)) == numbers(acme, "PO1", "PO2", "PO3", "PO4")
    september = client.get("/spend/process/?from=2026-09&to=2026-09").context["data"].delivery
    assert (september.due, september.on_time, september.pct) == (2, 1, Decimal("50.0"))
    assert listed(client, september.url) == [acme.number("PO1")]


def test_cycle_time_follows_the_entity_filter(acme: Acme) -> None:
    page = acme.client("ada").get(f"/spend/process/?{PERIOD}&entity={acme.gmbh.pk}")
    cycle = page.context["data"].cycle_time
    assert (cycle.count, cycle.median, cycle.p90) == (2, Decimal("24.3"), Decimal("48.0"))


# -- charts ---------------------------------------------------------------------------------------------
def parse(svg: str) -> etree._Element:
    return etree.fromstring(str(svg).encode())


def test_bar_chart_is_accessible_well_formed_svg(acme: Acme) -> None:
    page = dashboard(acme)
    data = page.context["data"]
    root = parse(page.context["bar_charts"][0]["svg"])
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "group"  # its bars are drill-down links, which an image may not hold
    assert root.find(f"{SVG}title").text == "Spend by supplier"
    assert root.find(f"{SVG}desc").text == "3 bars, amounts in EUR; the same figures are in the table below."
    assert len(root.findall(f".//{SVG}rect[@class='bar']")) == 3
    assert [t.text for t in root.findall(f".//{SVG}text[@class='label']")] == [
        "Lab Supplies",
        "Office Depot",
        "Tiny Tools",
    ]
    assert [a.get("href") for a in root.findall(f"{SVG}a")] == [bar.url for bar in data.by_supplier]
    assert [a.get("aria-label").split(": ")[0] for a in root.findall(f"{SVG}a")] == [
        "Lab Supplies",
        "Office Depot",
        "Tiny Tools",
    ]
    assert 'aria-labelledby="' in str(page.context["bar_charts"][0]["svg"])


def test_stacked_and_line_charts(acme: Acme) -> None:
    page = dashboard(acme)
    stacked = parse(page.context["structured_chart"])
    assert len(stacked.findall(f".//{SVG}g[@class='column']")) == 3
    assert len(stacked.findall(f".//{SVG}rect[@class='segment']")) == 6
    assert [t.text for t in stacked.findall(f".//{SVG}text[@class='category']")] == [
        "Sep 26",
        "Oct 26",
        "Nov 26",
    ]
    line = parse(page.context["month_chart"])
    assert len(line.findall(f".//{SVG}circle[@class='point']")) == 3
    assert [t.text for t in line.findall(f".//{SVG}text[@class='category']")] == [
        "Sep 26",
        "Oct 26",
        "Nov 26",
    ]
    assert line.find(f"{SVG}title").text == "Spend by month"


def _months(first_year: int, count: int) -> list[date]:
    return [date(first_year + index // 12, index % 12 + 1, 1) for index in range(count)]


def test_month_ticks_name_every_other_month_of_a_year() -> None:
    from openprocure.buyer.spend.charts import month_ticks

    months = _months(2026, 12)
    assert month_ticks(months, language="en") == [
        "", "Feb 26", "", "Apr 26", "", "Jun 26", "", "Aug 26", "", "Oct 26", "", "Dec 26",
    ]  # fmt: skip
    assert month_ticks(months, language="fr") == [
        "", "févr. 26", "", "avr. 26", "", "juin 26", "", "août 26", "", "oct. 26", "", "déc. 26",
    ]  # fmt: skip


def test_month_ticks_name_every_fourth_month_of_two_years() -> None:
    from openprocure.buyer.spend.charts import month_ticks

    months = _months(2025, 24)
    named = {3: "Apr 25", 7: "Aug 25", 11: "Dec 25", 15: "Apr 26", 19: "Aug 26", 23: "Dec 26"}
    assert month_ticks(months, language="en") == [named.get(index, "") for index in range(24)]
    named_fr = {3: "avr. 25", 7: "août 25", 11: "déc. 25", 15: "avr. 26", 19: "août 26", 23: "déc. 26"}
    assert month_ticks(months, language="fr") == [named_fr.get(index, "") for index in range(24)]


def test_month_ticks_name_every_month_up_to_six_and_follow_the_active_language() -> None:
    from django.utils import translation

    from openprocure.buyer.spend.charts import month_ticks

    assert month_ticks(_months(2026, 6), language="en") == [
        "Jan 26",
        "Feb 26",
        "Mar 26",
        "Apr 26",
        "May 26",
        "Jun 26",
    ]
    assert month_ticks([]) == []
    with translation.override("fr"):
        assert month_ticks(_months(2026, 2)) == ["janv. 26", "févr. 26"]


def test_line_chart_writes_only_the_given_ticks() -> None:
    from openprocure.buyer.spend.charts import Item, line_chart

    items = [Item(f"M{index}", Decimal(index)) for index in range(3)]
    root = parse(line_chart(items, title="T", desc="D", ticks=["", "Feb 26", ""]))
    assert [t.text for t in root.findall(f".//{SVG}text[@class='category']")] == ["Feb 26"]
    assert [t.text for t in root.findall(f".//{SVG}circle/{SVG}title")] == ["M0: 0", "M1: 1", "M2: 2"]


def test_chart_text_is_escaped() -> None:
    from openprocure.buyer.spend.charts import Item, bar_chart

    svg = bar_chart([Item('<b>"A&B"</b>', Decimal("5"), "/x?a=1&b=2")], title="T<", desc="D&")
    root = parse(svg)
    assert root.find(f".//{SVG}text[@class='label']").text == '<b>"A&B"</b>'
    assert root.find(f"{SVG}a").get("href") == "/x?a=1&b=2"


def test_page_carries_data_tables_and_print_css(acme: Acme) -> None:
    html = dashboard(acme).content.decode()
    assert html.count('<table class="chart-data">') == 5
    assert "/static/spend/spend.css" in html


# -- purchase history -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ("R1", "R2", "R3", "R4", "R5", "R6", "PO1", "PO2", "PO3", "PO4", "PO5", *OTHERS)),
        ("q=Calibration", ("R2", "PO2", "INV2")),
        ("q=lab+supplies", ("R2", "R5", "PO2", "PO5", "INV2")),
        ("q=sam%40acme", ("R2", "R5", "PO2", "PO5", "INV2")),
        ("q=Whiteboard", ("R6",)),
        ("status=cancelled", ("PO5",)),
        ("kind=requisition&status=draft", ("R6",)),
        ("supplier={tiny}", ("R3", "PO3", "INV3")),
        ("entity={gmbh}", ("R2", "R5", "PO2", "PO5", "INV2")),
        ("cost_center={it}", ("R1", "R2", "R5", "PO1", "PO2", "PO5", "GR1", "INV1", "INV2")),
        ("from=2026-11&to=2026-11", ("R4", "R5", "R6", "PO4", "PO5", "GR2", "INV1", "INV2", "INV3")),
        ("kind=receipt", ("GR1", "GR2")),
        ("kind=invoice&status=exception", ("INV2", "INV3")),
        ("kind=invoice&electronic=no", ("INV2",)),
        ("kind=purchase_order&electronic=no", ("PO2", "PO3", "PO5")),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_history_search_and_filters(acme: Acme, query: str, expected) -> None:
    query = query.format(tiny=acme.tiny.pk, gmbh=acme.gmbh.pk, it=acme.cc_it.pk)
    assert set(listed(acme.client("ada"), f"/spend/history/?{query}")) == numbers(acme, *expected)


def test_history_is_newest_first_and_paginated(acme: Acme) -> None:
    client = acme.client("pam")
    with override_settings(SPEND_HISTORY_PAGE_SIZE=4):
        first = client.get("/spend/history/?kind=purchase_order")
        second = client.get("/spend/history/?kind=purchase_order&page=2")
    assert [r["doc_number"] for r in first.context["rows"]] == [
        acme.number(n) for n in ("PO5", "PO4", "PO3", "PO2")
    ]
    assert [r["doc_number"] for r in second.context["rows"]] == [acme.number("PO1")]
    assert "Page 1 of 2" in first.content.decode()
    assert 'href="?kind=purchase_order&amp;page=2"' in first.content.decode()


def test_history_links_to_document_pages(acme: Acme) -> None:
    html = acme.client("ada").get("/spend/history/?q=Calibration").content.decode()
    assert f'href="/requisitions/{acme.requisitions["R2"].pk}/"' in html
    assert f'href="/purchasing/{acme.number("PO2")}/"' in html


def test_csv_export_streams_exactly_the_filtered_rows(acme: Acme) -> None:
    answer = acme.client("ada").get(f"/spend/history.csv?kind=purchase_order&supplier={acme.office_depot.pk}")
    assert answer.status_code == 200
    assert answer.streaming
    assert answer["Content-Type"] == "text/csv; charset=utf-8"
    assert answer["Content-Disposition"] == 'attachment; filename="purchase-history.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(answer.streaming_content).decode())))
    assert rows == [
        [
            "Document",
            "Number",
            "Date",
            "Supplier",
            "Requester",
            "Description",
            "Status",
            "Currency",
            "Amount",
        ],
        [
            "Purchase order",
            acme.number("PO4"),
            "2026-11-02T13:00:00+01:00",
            "Office Depot",
            "rita@acme.test",
            "US chair",
            "Sent",
            "USD",
            "300.00",
        ],
        [
            "Purchase order",
            acme.number("PO1"),
            "2026-09-10T10:00:00+02:00",
            "Office Depot",
            "rita@acme.test",
            "Chairs and cables",
            "Sent",
            "EUR",
            "250.00",
        ],
    ]


def test_csv_with_invalid_filters_is_refused(acme: Acme) -> None:
    answer = acme.client("ada").get("/spend/history.csv?from=2026-99")
    assert answer.status_code == 400
    assert "Write the month as YYYY-MM" in answer.content.decode()


# -- permissions ----------------------------------------------------------------------------------------
def test_a_requester_sees_only_their_own_documents(acme: Acme) -> None:
    client = acme.client("rita")
    page = client.get("/spend/history/")
    assert {r["doc_number"] for r in page.context["rows"]} == numbers(
        acme, "R1", "R3", "R4", "R6", "PO1", "PO3", "PO4", "GR1", "GR2", "INV1"
    )
    html = page.content.decode()
    for other in ("R2", "R5", "PO2", "PO5", "INV2", "INV3"):
        assert acme.number(other) not in html
    assert "Calibration" not in html
    assert listed(client, "/spend/history/?q=sam%40acme") == []
    assert listed(client, f"/spend/history/?supplier={acme.lab.pk}") == []
    exported = b"".join(client.get("/spend/history.csv").streaming_content).decode()
    assert len(exported.strip().splitlines()) == 1 + 10
    assert acme.number("PO2") not in exported
    assert "sam@acme.test" not in exported


@pytest.mark.parametrize("person", ["rita", "sam", "alan", "tess"])
def test_dashboards_are_refused_to_people_without_the_roles(acme: Acme, person: str) -> None:
    client = acme.client(person)
    for url in (f"/spend/dashboard/?{PERIOD}", f"/spend/process/?{PERIOD}"):
        answer = client.get(url)
        assert answer.status_code == 403
        assert b"1500.00" not in answer.content
        assert b"2076.00" not in answer.content
    assert urlsplit(client.get("/spend/").url).path == "/spend/history/"


def test_ap_clerks_and_administrators_see_everything(acme: Acme) -> None:
    for person in ("ada", "pam"):
        assert len(listed(acme.client(person), "/spend/history/")) == 16
        assert acme.client(person).get("/spend/").url == "/spend/dashboard/"
    assert dashboard(acme, person="pam").context["data"].total == Decimal("2076.00")


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    for url in ("/spend/", "/spend/dashboard/", "/spend/process/", "/spend/history/", "/spend/history.csv"):
        answer = client.get(url)
        assert answer.status_code == 302
        assert answer.url.startswith("/accounts/login/")


def test_nav_link(acme: Acme) -> None:
    assert 'href="/spend/">Purchase history</a>' in acme.client("rita").get("/").content.decode()
    assert 'href="/spend/">Spend</a>' in acme.client("ada").get("/").content.decode()


def test_history_of_a_requester_offers_no_dashboard_link(acme: Acme) -> None:
    html = acme.client("rita").get("/spend/history/").content.decode()
    assert "/spend/dashboard/" not in html
    assert "/spend/dashboard/" in acme.client("pam").get("/spend/history/").content.decode()


@pytest.mark.parametrize(
    ("configured", "expected"), [(None, "600.0"), ("15", "15.0")], ids=["default", "env"]
)
def test_the_worker_rebuilds_the_summary_at_the_configured_interval(
    tmp_path, configured: str | None, expected: str
) -> None:
    import os
    import subprocess
    import sys

    env = dict(
        os.environ, DJANGO_SETTINGS_MODULE="openprocure.buyer.settings", OPENPROCURE_DATA_DIR=str(tmp_path)
    )
    env.pop("OPENPROCURE_SPEND_REFRESH_SECONDS", None)
    if configured is not None:
        env["OPENPROCURE_SPEND_REFRESH_SECONDS"] = configured
    code = (
        "import django; django.setup()\n"
        "from openprocure.core.scheduling import periodic_tasks\n"
        "print(dict(periodic_tasks())['openprocure.buyer.spend.tasks.refresh_monthly_spend'])"
    )
    answer = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.strip() == expected
