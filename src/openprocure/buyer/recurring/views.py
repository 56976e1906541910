"""Recurring requisition pages: make a schedule from a requisition, see it, skip the next occurrence
(and undo it), the list of schedules, pause, resume and cancel."""

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
from openprocure.buyer.recurring.filters import ScheduleFilter
from openprocure.buyer.recurring.forms import ScheduleActionForm, ScheduleForm, SkipForm
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
            "undoable": services.undoable_skip(schedule),
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


@login_required
def schedule_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """My schedules (every schedule for a procurement administrator), soonest first, by status."""
    everyone = is_procurement_admin(request.user)
    search = ScheduleFilter(request.GET, queryset=services.schedules_for(request.user, everyone=everyone))
    page, query = paginate(request, search.qs)
    return render(
        request,
        "recurring/schedule_list.html",
        {"schedules": page.object_list, "page": page, "query": query, "filter": search, "everyone": everyone},
    )


def _act(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    schedule = get_object_or_404(RecurringSchedule.objects.select_related("source"), pk=pk)
    _may_manage(request, schedule.source.requester_id)
    form = ScheduleActionForm(request.POST)
    back = form.cleaned_data.get("back") if form.is_valid() else ""
    number = {"number": schedule.source.number}
    try:
        if action == "pause":
            services.pause_schedule(schedule=schedule, actor=request.user)
            done = _("The schedule from %(number)s is paused.") % number
        elif action == "resume":
            services.resume_schedule(schedule=schedule, actor=request.user)
            done = _("The schedule from %(number)s is resumed.") % number
        elif action == "cancel":
            services.cancel_schedule(schedule=schedule, actor=request.user)
            done = _("The schedule from %(number)s is cancelled.") % number
        else:
            day = services.undo_skip(schedule=schedule, actor=request.user)
            done = _("The occurrence of %(day)s is back.") % {"day": date_format(day, "DATE_FORMAT")}
    except services.ScheduleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    if back == "list":
        return redirect("recurring:list")
    return redirect("recurring:detail", pk=pk)


@login_required
@require_POST
def pause(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Pause the schedule."""
    return _act(request, pk, "pause")


@login_required
@require_POST
def resume(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Resume the schedule from today."""
    return _act(request, pk, "resume")


@login_required
@require_POST
def cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Cancel the schedule for good."""
    return _act(request, pk, "cancel")


@login_required
@require_POST
def unskip(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Bring back the occurrence skipped last."""
    return _act(request, pk, "unskip")
