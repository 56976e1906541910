"""Recurring requisition pages: make a schedule from a requisition, see it, skip the next occurrence."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openprocure.buyer.organization.services import is_procurement_admin
from openprocure.buyer.recurring import services
from openprocure.buyer.recurring.forms import ScheduleForm, SkipForm
from openprocure.buyer.recurring.models import RecurringSchedule
from openprocure.buyer.requisitions.models import Requisition
from openprocure.core.auth import AuthenticatedHttpRequest
from openprocure.core.lists import paginate


def _may_manage(request: AuthenticatedHttpRequest, requester_id: int) -> None:
    if request.user.pk != requester_id and not is_procurement_admin(request.user):
        raise PermissionDenied(
            _("Only the requester or a procurement administrator can manage this schedule.")
        )


@login_required
def schedule_create(request: AuthenticatedHttpRequest, requisition_pk: int) -> HttpResponse:
    """“Repeat on a schedule”: every N weeks or months, on a weekday, until a date."""
    requisition = get_object_or_404(Requisition.objects.select_related("requester"), pk=requisition_pk)
    _may_manage(request, requisition.requester_id)
    form = ScheduleForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            schedule = services.create_schedule(
                requisition=requisition, actor=request.user, **form.cleaned_data
            )
        except services.ScheduleError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("Requisition %(number)s now recurs.") % {"number": requisition.number}
            )
            return redirect("recurring:detail", pk=schedule.pk)
    return render(
        request,
        "recurring/schedule_form.html",
        {"requisition": requisition, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def schedule_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The schedule: its rule, next occurrence, the occurrences made or skipped, and its history."""
    schedule = get_object_or_404(
        RecurringSchedule.objects.select_related("source__requester", "created_by"), pk=pk
    )
    _may_manage(request, schedule.source.requester_id)
    page, query = paginate(
        request, schedule.occurrences.select_related("requisition").order_by("-index", "-pk")
    )
    return render(
        request,
        "recurring/schedule_detail.html",
        {
            "schedule": schedule,
            "occurrences": page.object_list,
            "page": page,
            "query": query,
            "events": schedule.events.select_related("actor").order_by("created_at", "id"),
        },
    )


@login_required
@require_POST
def skip(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Skip the next occurrence."""
    schedule = get_object_or_404(RecurringSchedule.objects.select_related("source"), pk=pk)
    _may_manage(request, schedule.source.requester_id)
    form = SkipForm(request.POST)
    if form.is_valid():
        skipped_on = date_format(schedule.next_on, "DATE_FORMAT") if schedule.next_on else ""
        try:
            services.skip_next(schedule=schedule, actor=request.user)
        except services.ScheduleError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The occurrence of %(day)s is skipped.") % {"day": skipped_on})
    return redirect("recurring:detail", pk=pk)
