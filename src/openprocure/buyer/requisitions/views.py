"""Requisition pages: my requisitions, detail with lines and timeline, free-text lines, accounting, submit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from openprocure.buyer.organization.services import is_procurement_admin, profile_for
from openprocure.buyer.requisitions import services
from openprocure.buyer.requisitions.choices import EDITABLE_STATUSES, RequisitionStatus
from openprocure.buyer.requisitions.forms import (
    AccountingModeForm,
    CancelForm,
    CopyForm,
    FreeTextLineForm,
    HeaderForm,
    NewRequisitionForm,
    ReasonForm,
    SplitFormSet,
)
from openprocure.buyer.requisitions.models import Requisition, RequisitionLine
from openprocure.buyer.requisitions.selectors import unchecked_price_lines, visible_requisitions
from openprocure.core.auth import AuthenticatedHttpRequest
from openprocure.core.batch import report_batch, selected_ids
from openprocure.core.forms import report_errors, report_labelled_errors
from openprocure.core.lists import paginate
from openprocure.core.status import IllegalTransition


def _visible(request: AuthenticatedHttpRequest, pk: int) -> Requisition:
    """The requisition if the person may see it (the one rule the API uses too), otherwise 404."""
    return get_object_or_404(visible_requisitions(request.user).select_related("requester", "ship_to"), pk=pk)


def _own(request: AuthenticatedHttpRequest, pk: int) -> Requisition:
    return get_object_or_404(Requisition, pk=pk, requester=request.user)


@login_required
def requisition_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """My requisitions, newest first."""
    page, query = paginate(
        request, Requisition.objects.filter(requester=request.user).order_by("-created_at", "-id")
    )
    requisitions = list(page.object_list)
    return render(
        request,
        "requisitions/requisition_list.html",
        {
            "requisitions": requisitions,
            "page": page,
            "query": query,
            "editable_statuses": EDITABLE_STATUSES,
            "has_drafts": any(r.status in EDITABLE_STATUSES for r in requisitions),
        },
    )


@login_required
@require_POST
def submit_selected(request: AuthenticatedHttpRequest) -> HttpResponse:
    """“Submit selected” on my requisitions: every ticked draft goes for approval at once."""
    ids = selected_ids(request, "requisition")
    if not ids:
        messages.error(request, _("Tick at least one requisition, then choose “Submit selected”."))
        return redirect("requisitions:list")
    outcome = services.submit_many(requisition_ids=ids, actor=request.user)
    done, refused = len(outcome.done), len(outcome.refused)
    report_batch(
        request,
        ngettext("%(count)d submitted.", "%(count)d submitted.", done) % {"count": done},
        ngettext("%(count)d could not be submitted:", "%(count)d could not be submitted:", refused)
        % {"count": refused},
        outcome.refused,
    )
    return redirect("requisitions:list")


def _decision_event(requisition: Requisition) -> Any:
    """What ended the requisition's last round (rejected, returned, cancelled), shown above its lines."""
    if requisition.status not in (
        RequisitionStatus.REJECTED,
        RequisitionStatus.RETURNED,
        RequisitionStatus.CANCELLED,
    ):
        return None
    return (
        requisition.events.filter(to_status=requisition.status)
        .select_related("actor")
        .order_by("-id")
        .first()
    )


@login_required
def requisition_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, _visible(request, pk))


def _company_id(requisition: Requisition) -> int | None:
    profile = profile_for(requisition.requester)
    return profile.company_id if profile else None


def _detail_page(
    request: AuthenticatedHttpRequest,
    requisition: Requisition,
    failed: HeaderForm | FreeTextLineForm | None = None,
) -> HttpResponse:
    """The requisition page; ``failed``, a form of the page that failed, is shown again with what was
    typed and its errors (answered 400)."""
    header_form = failed if isinstance(failed, HeaderForm) else None
    free_text_form = failed if isinstance(failed, FreeTextLineForm) else None
    lines = requisition.lines.select_related(
        "supplier", "connection", "cost_center", "gl_account", "punchout_session"
    ).prefetch_related("splits__cost_center", "splits__gl_account")
    unchecked = unchecked_price_lines(requisition, lines)
    to_check = sorted({line.connection for line in unchecked if line.connection}, key=lambda c: c.pk)
    connections = {line.connection for line in lines if line.connection is not None and not line.is_free_text}
    if header_form is None:
        header_form = HeaderForm(
            company_id=_company_id(requisition),
            initial={
                "title": requisition.title,
                "justification": requisition.justification,
                "need_by": requisition.need_by,
                "ship_to": requisition.ship_to_id,
                "cost_center": requisition.cost_center_id,
                "gl_account": requisition.gl_account_id,
            },
        )
    return render(
        request,
        "requisitions/requisition_detail.html",
        {
            "requisition": requisition,
            "lines": lines,
            "events": requisition.events.select_related("actor"),
            "decision_event": _decision_event(requisition),
            "is_owner": requisition.requester_id == request.user.pk,
            "can_copy": requisition.status in services.COPYABLE_STATUSES,
            # A past purchase bought again ("Reorder"): the same copy as "Copy into a new draft".
            "can_reorder": requisition.status in services.REORDER_STATUSES,
            "can_schedule": requisition.status in services.REORDER_STATUSES | {RequisitionStatus.APPROVED}
            and (requisition.requester_id == request.user.pk or is_procurement_admin(request.user)),
            "punchout_connections": sorted(connections, key=lambda c: c.pk),
            "unchecked_lines": [line.line_number for line in unchecked],
            "connections_to_check": to_check,
            "header_form": header_form,
            "free_text_form": free_text_form or FreeTextLineForm(initial={"currency": requisition.currency}),
        },
        status=200 if failed is None else 400,
    )


def _post_on_page(
    request: AuthenticatedHttpRequest,
    requisition: Requisition,
    form: HeaderForm | FreeTextLineForm,
    save: Callable[[], str],
) -> HttpResponse:
    """A form of the requisition's page posted: when it is valid, ``save`` runs and answers what to say,
    and the person goes back to the page. A form that fails, or a refusal of the service, shows the
    page again with what was typed and the error beside it; a refusal once the requisition is no
    longer editable (the page has no such form any more) is said above the lines."""
    if not form.is_valid():
        return _detail_page(request, requisition, form)
    try:
        done = save()
    except services.RequisitionError as error:
        if not requisition.is_editable:
            messages.error(request, error.message)
            return redirect("requisitions:detail", pk=requisition.pk)
        form.add_error(None, error.message)
        return _detail_page(request, requisition, form)
    messages.success(request, done)
    return redirect("requisitions:detail", pk=requisition.pk)


@login_required
@require_POST
def edit_header(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The requisition's details: title, justification, need-by date, ship-to and coding for all lines."""
    requisition = get_object_or_404(
        Requisition.objects.select_related("requester", "ship_to", "cost_center", "gl_account"),
        pk=pk,
        requester=request.user,
    )
    form = HeaderForm(request.POST, company_id=_company_id(requisition))

    def save() -> str:
        services.update_header(requisition=requisition, actor=request.user, **form.cleaned_data)
        return _("Details saved for requisition %(number)s.") % {"number": requisition.number}

    return _post_on_page(request, requisition, form, save)


@login_required
@require_POST
def requisition_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = NewRequisitionForm(request.POST)
    if not form.is_valid():
        report_labelled_errors(request, form)
        return redirect("requisitions:list")
    requisition = services.create_requisition(requester=request.user, title=form.cleaned_data["title"])
    return redirect("requisitions:detail", pk=requisition.pk)


@login_required
@require_POST
def add_free_text_line(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A free-text line; a line that cannot be added shows the form again, as typed, with its errors."""
    requisition = _own(request, pk)
    form = FreeTextLineForm(request.POST)

    def save() -> str:
        line = services.add_free_text_line(requisition=requisition, actor=request.user, **form.cleaned_data)
        return _("Line %(n)s added.") % {"n": line.line_number}

    return _post_on_page(request, requisition, form, save)


@login_required
@require_POST
def remove_line(request: AuthenticatedHttpRequest, pk: int, line_pk: int) -> HttpResponse:
    requisition = _own(request, pk)
    line = get_object_or_404(RequisitionLine, pk=line_pk, requisition=requisition)
    try:
        services.remove_line(line=line, actor=request.user)
    except services.RequisitionError as error:
        messages.error(request, error.message)
    return redirect("requisitions:detail", pk=pk)


@login_required
def line_accounting(request: AuthenticatedHttpRequest, pk: int, line_pk: int) -> HttpResponse:
    """Charge a line to one or several cost centers and GL accounts (percentages or amounts)."""
    requisition = _own(request, pk)
    line = get_object_or_404(RequisitionLine, pk=line_pk, requisition=requisition)
    mode_form = AccountingModeForm(request.POST or None, initial={"mode": line.split_mode})
    initial: list[dict[str, Any]] = [
        {
            "cost_center": s.cost_center,
            "gl_account": s.gl_account,
            "share": s.percentage if s.percentage is not None else s.amount,
        }
        for s in line.splits.all()
    ] or [{"cost_center": line.cost_center, "gl_account": line.gl_account, "share": 100}]
    formset = SplitFormSet(request.POST or None, initial=None if request.POST else initial, prefix="split")
    if request.method == "POST" and mode_form.is_valid() and formset.is_valid():
        mode = mode_form.cleaned_data["mode"]
        splits = [
            services.SplitInput(
                cost_center=form.cleaned_data["cost_center"],
                gl_account=form.cleaned_data.get("gl_account"),
                percentage=form.cleaned_data["share"] if mode == "percentage" else None,
                amount=form.cleaned_data["share"] if mode == "amount" else None,
            )
            for form in formset.forms
            if form.cleaned_data and form.cleaned_data.get("cost_center")
        ]
        try:
            services.set_accounting(line=line, actor=request.user, mode=mode, splits=splits)
        except services.RequisitionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Accounting saved for line %(n)s.") % {"n": line.line_number})
            return redirect("requisitions:detail", pk=pk)
    return render(
        request,
        "requisitions/line_accounting.html",
        {"requisition": requisition, "line": line, "mode_form": mode_form, "formset": formset},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    requisition = _own(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        report_labelled_errors(request, form)
        return redirect("requisitions:detail", pk=pk)
    unchecked = [line.line_number for line in unchecked_price_lines(requisition)]
    try:
        services.submit_requisition(requisition, request.user, reason=form.cleaned_data["reason"])
    except (services.RequisitionError, IllegalTransition) as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Requisition %(number)s submitted for approval.") % {"number": requisition.number}
        )
        if unchecked:
            messages.warning(
                request,
                ngettext(
                    "The price of line %(lines)s may be outdated: it comes from an earlier cart and the "
                    "supplier has not confirmed it.",
                    "The prices of lines %(lines)s may be outdated: they come from an earlier cart and the "
                    "supplier has not confirmed them.",
                    len(unchecked),
                )
                % {"lines": ", ".join(str(number) for number in unchecked)},
            )
    return redirect("requisitions:detail", pk=pk)


@login_required
@require_POST
def cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    requisition = _own(request, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        report_errors(request, form)
        return redirect("requisitions:detail", pk=pk)
    try:
        services.cancel_requisition(
            requisition=requisition, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except (services.RequisitionError, IllegalTransition) as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Requisition %(number)s cancelled.") % {"number": requisition.number})
    return redirect("requisitions:detail", pk=pk)


@login_required
@require_POST
def copy(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """“Copy into a new draft” on a rejected, cancelled or returned requisition, “Reorder” on an ordered
    or closed one: its requester starts again from the same lines, title and delivery, without the
    approval history."""
    requisition = _own(request, pk)
    form = CopyForm(request.POST)
    if not form.is_valid():
        report_labelled_errors(request, form)
        return redirect("requisitions:detail", pk=pk)
    try:
        draft = services.copy_requisition(requisition=requisition, actor=request.user)
    except services.RequisitionError as error:
        messages.error(request, error.message)
        return redirect("requisitions:detail", pk=pk)
    messages.success(
        request,
        _("Requisition %(number)s is a new draft copied from %(source)s: change it and submit it.")
        % {"number": draft.number, "source": requisition.number},
    )
    reordered = requisition.status in services.REORDER_STATUSES
    if reordered and draft.lines.filter(is_free_text=False, connection__isnull=False).exists():
        messages.info(
            request,
            _(
                "Its PunchOut lines carry the prices of %(source)s: open each supplier's cart with "
                "“Edit cart at …” so the supplier confirms today's prices; the history shows what changed."
            )
            % {"source": requisition.number},
        )
    return redirect("requisitions:detail", pk=draft.pk)
