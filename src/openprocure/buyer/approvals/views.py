"""Pages of the approval workflow: inbox, decision, e-mail links, preview, delegation, policy, budgets."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from openprocure.buyer.approvals import budgets, selectors, services
from openprocure.buyer.approvals.choices import QuorumKind, StepMode
from openprocure.buyer.approvals.forms import (
    ApiTokenForm,
    ApproveSelectedForm,
    BudgetForm,
    DecisionForm,
    DelegationForm,
    EmailDecisionForm,
    ReassignForm,
    RejectSelectedForm,
    RevokeTokenForm,
    RuleForm,
    StepFormSet,
)
from openprocure.buyer.approvals.models import (
    ApiToken,
    ApprovalAssignment,
    ApprovalRule,
    Budget,
    Delegation,
    role_label,
)
from openprocure.buyer.organization.services import is_procurement_admin, spending_limit_for
from openprocure.buyer.requisitions.models import Requisition
from openprocure.core.auth import AuthenticatedHttpRequest
from openprocure.core.batch import report_batch, selected_ids
from openprocure.core.formatting import format_money
from openprocure.core.lists import paginate
from openprocure.core.models import User


def _requisition(pk: int) -> Any:

    return get_object_or_404(Requisition.objects.select_related("requester"), pk=pk)


def _require_admin(user: Any) -> None:
    if not is_procurement_admin(user):
        raise PermissionDenied(_("Only a procurement administrator can do this."))


@login_required
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What waits for my decision."""
    return _inbox(request)


def _inbox(
    request: AuthenticatedHttpRequest,
    form: ApproveSelectedForm | None = None,
    reject_form: RejectSelectedForm | None = None,
    selected: list[int] | None = None,
    status: int = 200,
) -> HttpResponse:
    page, query = paginate(request, selectors.inbox(request.user))
    return render(
        request,
        "approvals/inbox.html",
        {
            "assignments": page.object_list,
            "page": page,
            "query": query,
            "form": form or ApproveSelectedForm(auto_id="bulk-%s"),
            "reject_form": reject_form or RejectSelectedForm(auto_id="bulk-%s"),
            "selected": selected or [],
        },
        status=status,
    )


@login_required
@require_POST
def approve_selected(request: AuthenticatedHttpRequest) -> HttpResponse:
    """“Approve selected” in the inbox: every ticked approval at once, with one optional comment."""
    ids = selected_ids(request, "assignment")
    if not ids:
        messages.error(request, _("Tick at least one approval, then choose “Approve selected”."))
        return redirect("approvals:inbox")
    form = ApproveSelectedForm(request.POST, auto_id="bulk-%s")
    if not form.is_valid():
        return _inbox(request, form, selected=ids, status=400)
    result = services.decide_many(
        assignment_ids=ids,
        actor=request.user,
        decision="approve",
        comment=form.cleaned_data["comment"],
    )
    done, refused = len(result.decided), len(result.refused)
    summary = ngettext("%(count)d approved.", "%(count)d approved.", done) % {"count": done}
    if result.referred:
        summary += " " + ngettext(
            "%(count)d above your spending limit, referred to someone above you: %(numbers)s.",
            "%(count)d above your spending limit, referred to someone above you: %(numbers)s.",
            len(result.referred),
        ) % {"count": len(result.referred), "numbers": ", ".join(result.referred)}
    report_batch(
        request,
        summary,
        ngettext("%(count)d could not be approved:", "%(count)d could not be approved:", refused)
        % {"count": refused},
        result.refused,
    )
    return redirect("approvals:inbox")


@login_required
@require_POST
def reject_selected(request: AuthenticatedHttpRequest) -> HttpResponse:
    """“Reject selected” in the inbox: every ticked approval rejected at once, with one required reason."""
    ids = selected_ids(request, "assignment")
    if not ids:
        messages.error(request, _("Tick at least one approval, then choose “Reject selected”."))
        return redirect("approvals:inbox")
    form = RejectSelectedForm(request.POST, auto_id="bulk-%s")
    if not form.is_valid():
        return _inbox(request, reject_form=form, selected=ids, status=400)
    reason = form.cleaned_data["reason"]
    result = services.decide_many(assignment_ids=ids, actor=request.user, decision="reject", comment=reason)
    done, refused = len(result.decided), len(result.refused)
    report_batch(
        request,
        ngettext("%(count)d rejected: “%(reason)s”.", "%(count)d rejected: “%(reason)s”.", done)
        % {"count": done, "reason": reason},
        ngettext("%(count)d could not be rejected:", "%(count)d could not be rejected:", refused)
        % {"count": refused},
        result.refused,
    )
    return redirect("approvals:inbox")


@login_required
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One approval: the requisition, its chain, and the decision form when it is mine to decide."""
    assignment = get_object_or_404(
        ApprovalAssignment.objects.select_related("step__request__requisition__requester", "approver"), pk=pk
    )
    requisition = assignment.step.request.requisition
    if not selectors.can_view_requisition(request.user, requisition):
        raise PermissionDenied(_("This approval is not yours to see."))
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.decide(
                assignment_id=assignment.pk,
                actor=request.user,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
            )
        except services.ApprovalError as error:
            messages.error(request, str(error))
            return render(
                request, "approvals/detail.html", _detail_context(request, assignment, form), status=409
            )
        if outcome.referred_to:
            messages.info(request, referred_message(requisition.number, outcome))
        else:
            messages.success(
                request, _("Your decision on %(number)s was recorded.") % {"number": requisition.number}
            )
        return redirect("approvals:inbox")
    return render(request, "approvals/detail.html", _detail_context(request, assignment, form))


def referred_message(number: str, outcome: services.DecisionResult) -> str:
    """What an approver is told when their approval was above their own spending limit."""
    assert outcome.above_limit is not None
    amount, currency = outcome.above_limit
    return _(
        "%(number)s is above your spending limit of %(amount)s: your approval is recorded, "
        "and %(people)s now decide in your place."
    ) % {"number": number, "amount": format_money(amount, currency), "people": ", ".join(outcome.referred_to)}


def _detail_context(
    request: HttpRequest,
    assignment: ApprovalAssignment,
    form: DecisionForm,
    reassign_form: ReassignForm | None = None,
) -> dict[str, Any]:
    requisition = assignment.step.request.requisition
    mine = request.user.pk in (assignment.approver_id, assignment.on_behalf_of_id)
    return {
        "assignment": assignment,
        "requisition": requisition,
        "lines": requisition.lines.select_related("supplier", "cost_center"),
        "rounds": selectors.rounds(requisition),
        "form": form,
        "can_decide": mine and assignment.status == "pending" and request.user.pk != requisition.requester_id,
        "reassign_form": reassign_form or ReassignForm(),
        "budget_checks": budgets.check_requisition(requisition),
    }


@login_required
@require_POST
def reassign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(
        ApprovalAssignment.objects.select_related("step__request__requisition__requester", "approver"), pk=pk
    )
    form = ReassignForm(request.POST)
    if not form.is_valid():
        # The approval page again, the hand-over form as typed with its errors (to those who may see it).
        if not selectors.can_view_requisition(request.user, assignment.step.request.requisition):
            raise PermissionDenied(_("This approval is not yours to see."))
        context = _detail_context(request, assignment, DecisionForm(), reassign_form=form)
        return render(request, "approvals/detail.html", context, status=400)
    try:
        services.reassign(
            assignment=assignment,
            to_user=form.cleaned_data["to_user"],
            actor=request.user,
            comment=form.cleaned_data["comment"],
        )
    except services.ApprovalError as error:
        messages.error(request, str(error))
        return redirect("approvals:detail", pk=pk)
    messages.success(request, _("Handed over to %(person)s.") % {"person": form.cleaned_data["to_user"]})
    return redirect("approvals:inbox")


def email_action(request: HttpRequest, token: str) -> HttpResponse:
    """A link from an approval e-mail: GET shows what will happen, POST does it (once).

    The link acts only for the approver it was sent to, signed in as that person: without a sign-in
    the person signs in first and comes back here; anyone else signed in (the requester who found
    or was forwarded the mail, a colleague) is refused and nothing changes.
    """
    row = services.email_token(token)
    if row is None:
        return render(request, "approvals/email_action.html", {"invalid": True}, status=410)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.user.pk != row.assignment.approver_id:
        is_requester = request.user.pk == row.assignment.step.request.requester_id
        return render(
            request,
            "approvals/email_action.html",
            {"row": row, "wrong_person": True, "is_requester": is_requester},
            status=403,
        )
    form = EmailDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.decide_by_email(
                token=token, actor=request.user, comment=form.cleaned_data["comment"]
            )
        except services.ApprovalError as error:
            return render(
                request,
                "approvals/email_action.html",
                {"row": row, "form": form, "error": str(error)},
                status=409,
            )
        referred = (
            referred_message(row.assignment.step.request.requisition.number, outcome)
            if outcome.referred_to
            else ""
        )
        return render(
            request, "approvals/email_action.html", {"row": row, "done": True, "referred": referred}
        )
    return render(request, "approvals/email_action.html", {"row": row, "form": form})


@login_required
def preview(request: AuthenticatedHttpRequest, requisition_id: int) -> HttpResponse:
    """“Who will approve?” under today's policy, and the budget numbers, before submitting."""
    requisition = _requisition(requisition_id)
    if not selectors.can_view_requisition(request.user, requisition):
        raise PermissionDenied(_("This requisition is not yours to see."))
    steps = services.preview_chain(requisition=requisition)
    people = User.objects.in_bulk([a.user_id for s in steps for a in s.approvers])
    total = requisition.compute_total()
    # Approvers whose own spending limit is below the total: their approval will be referred up.
    limits = {
        pk: limit
        for pk in people
        if services.exceeds(total, requisition.currency, limit := spending_limit_for(user=people[pk]))
    }
    rows = [
        {
            "step": s,
            "mode": StepMode(s.mode.value).label,
            "quorum": QuorumKind(s.quorum.value).label,
            "approvers": [
                (people.get(a.user_id), _source_label(a.source), limits.get(a.user_id)) for a in s.approvers
            ],
        }
        for s in steps
    ]
    return render(
        request,
        "approvals/preview.html",
        {"requisition": requisition, "steps": rows, "budget_checks": budgets.check_requisition(requisition)},
    )


def _source_label(source: str) -> str:
    kind, _sep, detail = source.partition(":")
    if kind == "manager":
        return _("manager, level %(n)s") % {"n": detail}
    if kind == "cost_center_owner":
        return _("cost-center owner")
    if kind == "role":
        return _("role %(role)s") % {"role": role_label(detail)}
    return _("named in the policy")


@login_required
def history(request: AuthenticatedHttpRequest, requisition_id: int) -> HttpResponse:
    """The frozen chain of every approval round of a requisition."""
    requisition = _requisition(requisition_id)
    if not selectors.can_view_requisition(request.user, requisition):
        raise PermissionDenied(_("This requisition is not yours to see."))
    return render(
        request,
        "approvals/history.html",
        {"requisition": requisition, "rounds": selectors.rounds(requisition)},
    )


@login_required
def delegations(request: AuthenticatedHttpRequest) -> HttpResponse:
    """My out-of-office delegations: create one, see and cancel them."""
    form = DelegationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_delegation(delegator=request.user, **form.cleaned_data)
        except services.ApprovalError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Your approvals go to %(person)s during that period.")
                % {"person": form.cleaned_data["delegate"]},
            )
            return redirect("approvals:delegations")
    rows = Delegation.objects.filter(delegator=request.user).select_related("delegate")
    received = Delegation.objects.filter(delegate=request.user, cancelled_at__isnull=True).select_related(
        "delegator"
    )
    return render(
        request, "approvals/delegations.html", {"form": form, "delegations": rows, "received": received}
    )


@login_required
@require_POST
def cancel_delegation(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    delegation = get_object_or_404(Delegation, pk=pk)
    try:
        services.cancel_delegation(delegation=delegation, actor=request.user)
    except services.ApprovalError as error:
        messages.error(request, str(error))
    return redirect("approvals:delegations")


@login_required
def policy(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The approval policy: every rule with its conditions and steps."""
    _require_admin(request.user)
    page, query = paginate(
        request,
        ApprovalRule.objects.prefetch_related(
            "steps__approvers__user", "cost_centers", "departments", "suppliers"
        ),
    )
    return render(request, "approvals/policy.html", {"rules": page.object_list, "page": page, "query": query})


@login_required
def rule_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    """Create or change a rule and its steps."""
    _require_admin(request.user)
    rule = get_object_or_404(ApprovalRule, pk=pk) if pk else None
    form = RuleForm(request.POST or None, instance=rule)
    steps = StepFormSet(
        request.POST or None,
        prefix="steps",
        initial=services.step_initial(rule) if rule and not request.POST else None,
    )
    if request.method == "POST" and form.is_valid() and steps.is_valid():
        rows = [f.cleaned_data for f in steps.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if not rows:
            messages.error(request, _("A rule needs at least one step."))
        else:
            saved = services.save_rule(form=form, steps=rows, actor=request.user)
            messages.success(request, _("Rule “%(name)s” saved.") % {"name": saved.name})
            return redirect("approvals:policy")
    return render(request, "approvals/rule_form.html", {"form": form, "steps": steps, "rule": rule})


@login_required
def budget_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Budgets per cost center and period, with what is committed against each."""
    _require_admin(request.user)
    form = BudgetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.save_budget(form=form, actor=request.user)
        messages.success(request, _("Budget saved."))
        return redirect("approvals:budgets")
    page, query = paginate(request, Budget.objects.select_related("cost_center"))
    shown = list(page.object_list)
    committed = budgets.committed_by_budget(shown)
    rows = [{"budget": b, "committed": committed[b.pk]} for b in shown]
    return render(
        request,
        "approvals/budgets.html",
        {"form": form, "rows": rows, "page": page, "query": query},
        status=400 if form.errors else 200,
    )


@login_required
def api_tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    """My personal API tokens: create (shown once) and revoke."""
    form = ApiTokenForm(request.POST or None)
    revoke_form = RevokeTokenForm(request.POST or None)
    created = None
    status = 200
    if request.method == "POST" and not revoke_form.is_valid():
        form, status = ApiTokenForm(), 400
    elif request.method == "POST" and revoke_form.cleaned_data["revoke"] is not None:
        services.revoke_api_token(token_id=revoke_form.cleaned_data["revoke"], user=request.user)
        return redirect("approvals:api_tokens")
    elif request.method == "POST" and form.is_valid():
        _, created = services.create_api_token(user=request.user, name=form.cleaned_data["name"])
        form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=request.user)
    return render(
        request,
        "approvals/api_tokens.html",
        {"form": form, "revoke_form": revoke_form, "tokens": tokens, "created": created},
        status=status,
    )
