"""Recurring requisitions of hosted catalog items: each occurrence's catalog lines are priced from the
catalog version in force on its date (the tier for the line's quantity); an item gone from the
catalog sends the occurrence through approval with a note to the requester."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format

from openprocure.buyer.approvals.demo import seed_approvals
from openprocure.buyer.approvals.models import ApprovalAssignment
from openprocure.buyer.approvals.services import decide
from openprocure.buyer.catalogs import services as catalogs
from openprocure.buyer.catalogs.models import CatalogItem, CatalogVersion
from openprocure.buyer.recurring import services
from openprocure.buyer.recurring.models import Occurrence, RecurringSchedule
from openprocure.buyer.requisitions.models import Requisition
from openprocure.buyer.requisitions.services import submit_requisition
from openprocure.buyer.suppliers.models import Supplier
from openprocure.core.models import User
from tests.buyer.catalog_world import bmecat, cif_file, days, item, publish, upload
from tests.buyer.recurring_world import weekly

pytestmark = pytest.mark.django_db

TONER = "Toner cartridge, black"


def catalog(admin: Client, office: Supplier, rows: list[dict[str, str]]) -> CatalogVersion:
    version = publish(admin, upload(admin, office, cif_file(rows)))
    assert version.status == "published"
    return version


@pytest.fixture
def approved(admin: Client, office: Supplier, rita: User) -> Requisition:
    """Rita's requisition of 12 toners (60.00 EUR each, 720.00 EUR: above the demo's 500 EUR rule)
    from the hosted catalog, approved (and ordered)."""
    catalog(admin, office, [item("TONER-9", TONER, "60.00"), item("PAPER-A4", "Paper", "5.00", unit="PK")])
    toner = CatalogItem.objects.get(version=catalogs.current_version(office), supplier_part_id="TONER-9")
    requisition = catalogs.add_to_requisition(
        item_id=toner.pk, quantity=Decimal("12"), actor=rita
    ).requisition
    seed_approvals()
    submit_requisition(requisition, rita)
    assignment = ApprovalAssignment.objects.get(step__request__requisition=requisition)
    decide(assignment_id=assignment.pk, actor=assignment.approver, decision="approve")
    requisition.refresh_from_db()
    assert (requisition.status, requisition.total_amount) == ("ordered", Decimal("720.00"))
    return requisition


def occurrence(schedule_pk: int, index: int) -> Occurrence:
    return Occurrence.objects.select_related("requisition").get(schedule_id=schedule_pk, index=index)


def notes(requisition: Requisition) -> list[str]:
    return list(
        requisition.events.filter(kind__in=("note", "lines_changed")).values_list("reason", flat=True)
    )


def test_each_occurrence_is_priced_from_the_catalog_in_force_on_its_date(
    admin: Client,
    office: Supplier,
    approved: Requisition,
    rita: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    schedule = weekly(approved, rita, starts_on=date(2027, 2, 1), ends_on=date(2027, 3, 1))
    assert services.create_due_occurrences(today=date(2027, 2, 1)) == 1
    first = occurrence(schedule.pk, 0)
    made = first.requisition
    assert made is not None
    assert (made.lines.get().unit_price, made.status, first.within_envelope) == (
        Decimal("60.0000"),
        "ordered",
        True,
    )
    assert notes(made) == [
        "Line 1 keeps its price, 60.00\u00a0EUR, from the catalog of Office Supplies Ltd in force (version 1)."
    ]
    # A new catalog between two occurrences: 61.00 EUR (+1.7 %, within the 2 % tolerance) and from
    # 10 toners on 58.80 EUR; the next occurrence (12 toners) takes the tier.
    update = cif_file([item("TONER-9", TONER, "61.00"), item("PAPER-A4", "Paper", "5.00", unit="PK")])
    second_version = publish(admin, upload(admin, office, update))
    CatalogItem.objects.filter(version=second_version, supplier_part_id="TONER-9").update(
        price_tiers=[["10", "58.8000"]]
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.create_due_occurrences(today=date(2027, 2, 8)) == 1
    second = occurrence(schedule.pk, 1)
    made = second.requisition
    assert made is not None
    assert (made.lines.get().unit_price, made.total_amount, made.status, second.within_envelope) == (
        Decimal("58.8000"),
        Decimal("705.60"),
        "ordered",
        True,
    )
    assert notes(made)[0] == (
        "Line 1 is priced at 58.80\u00a0EUR, from the catalog of Office Supplies Ltd in force (version 2); "
        "it was 60.00\u00a0EUR."
    )
    told = mail.outbox[-1]
    assert (
        "- Line 1 is priced at 58.80\u00a0EUR, from the catalog of Office Supplies Ltd in force (version 2); "
        "it was 60.00\u00a0EUR."
    ) in told.body


def test_a_catalog_price_beyond_the_tolerance_goes_through_approval(
    admin: Client, office: Supplier, approved: Requisition, rita: User
) -> None:
    schedule = weekly(approved, rita, starts_on=date(2027, 2, 1), ends_on=date(2027, 3, 1))
    catalog(admin, office, [item("TONER-9", TONER, "66.00")])
    assert services.create_due_occurrences(today=date(2027, 2, 1)) == 1
    first = occurrence(schedule.pk, 0)
    made = first.requisition
    assert made is not None
    assert (made.lines.get().unit_price, made.status, first.within_envelope) == (
        Decimal("66.0000"),
        "submitted",
        False,
    )
    assert made.events.get(kind="note", detail__envelope="left").reason == (
        "The price of line 1 moved from 60.00\u00a0EUR to 66.00\u00a0EUR, beyond 2 %."
    )


def test_an_item_gone_from_the_catalog_sends_the_occurrence_through_approval(
    admin: Client,
    office: Supplier,
    approved: Requisition,
    rita: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    schedule = weekly(approved, rita, starts_on=date(2027, 2, 1), ends_on=date(2027, 3, 1))
    catalog(admin, office, [item("PAPER-A4", "Paper", "5.00", unit="PK")])
    with django_capture_on_commit_callbacks(execute=True):
        assert services.create_due_occurrences(today=date(2027, 2, 1)) == 1
    first = occurrence(schedule.pk, 0)
    made = first.requisition
    assert made is not None
    assert (made.lines.get().unit_price, made.status, first.within_envelope) == (
        Decimal("60.0000"),
        "submitted",
        False,
    )
    reason = (
        "Line 1 keeps its last price, 60.00\u00a0EUR, but its item is no longer in the catalog of Office "
        "Supplies Ltd: the occurrence goes through approval."
    )
    assert notes(made) == [reason, reason]
    assert made.events.get(kind="note", detail__envelope="left").reason == reason
    assert f"- {reason}" in mail.outbox[-1].body


def test_an_occurrence_made_late_is_priced_from_the_catalog_in_force_on_its_day(
    admin: Client, office: Supplier, approved: Requisition, rita: User
) -> None:
    # The first catalog has been in force for a week; a new one comes into force now. The worker
    # makes today the occurrence that was due yesterday: yesterday's catalog prices it.
    CatalogVersion.objects.filter(supplier=office).update(effective_from=timezone.now() - timedelta(days=7))
    catalog(admin, office, [item("TONER-9", TONER, "61.00")])
    today = timezone.localdate()
    schedule = weekly(approved, rita, starts_on=today, ends_on=today + timedelta(days=30))
    RecurringSchedule.objects.filter(pk=schedule.pk).update(next_on=today - timedelta(days=1))
    assert services.create_due_occurrences(today=today) == 1
    made = occurrence(schedule.pk, 0).requisition
    assert made is not None
    assert made.lines.get().unit_price == Decimal("60.0000")
    assert notes(made) == [
        "Line 1 keeps its price, 60.00\u00a0EUR, from the catalog of Office Supplies Ltd in force (version 1)."
    ]


def due_today(approved: Requisition, rita: User) -> Requisition:
    """The occurrence of a weekly schedule of ``approved`` due today, made now."""
    today = timezone.localdate()
    schedule = weekly(approved, rita, starts_on=today, ends_on=today + timedelta(days=30))
    RecurringSchedule.objects.filter(pk=schedule.pk).update(next_on=today)
    assert services.create_due_occurrences(today=today) == 1
    made = occurrence(schedule.pk, 0).requisition
    assert made is not None
    return made


def test_an_occurrence_is_priced_from_the_dated_price_of_its_day(
    admin: Client, office: Supplier, approved: Requisition, rita: User
) -> None:
    dated = {"TONER-9": ("", [(days(-30), days(-1), [(1, "59.00")]), (days(0), None, [(1, "60.60")])])}
    publish(admin, upload(admin, office, bmecat("T_NEW_CATALOG", dated), "catalog.xml"))
    made = due_today(approved, rita)
    assert made.lines.get().unit_price == Decimal("60.6000")
    assert notes(made)[0] == (
        "Line 1 is priced at 60.60\u00a0EUR, from the catalog of Office Supplies Ltd in force (version 2); "
        "it was 60.00\u00a0EUR."
    )


def test_an_item_without_a_price_valid_on_the_day_sends_the_occurrence_through_approval(
    admin: Client, office: Supplier, approved: Requisition, rita: User
) -> None:
    expired = {"TONER-9": ("", [(days(-30), days(-1), [(1, "59.00")])])}
    publish(admin, upload(admin, office, bmecat("T_NEW_CATALOG", expired), "catalog.xml"))
    made = due_today(approved, rita)
    assert (made.lines.get().unit_price, made.status) == (Decimal("60.0000"), "submitted")
    assert notes(made)[0] == (
        "Line 1 keeps its last price, 60.00\u00a0EUR, but the catalog of Office Supplies Ltd in force (version 2) "
        f"has no price for its item valid on {date_format(timezone.localdate(), 'DATE_FORMAT')}: the occurrence "
        "goes through approval."
    )
