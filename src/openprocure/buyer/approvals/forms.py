"""Forms of the approval workflow: decisions, delegation, reassignment, the policy editor, budgets."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from openprocure.buyer.approvals.choices import ApproverSource, Decision, QuorumKind, StepMode
from openprocure.buyer.approvals.models import ApprovalRule, Budget
from openprocure.buyer.organization.choices import Role
from openprocure.buyer.requisitions.limits import MAX_AMOUNT
from openprocure.core.forms import AmountField
from openprocure.core.models import User
from openprocure.core.reference import CurrencyField, validate_minor_units


def _people() -> Any:
    return User.objects.filter(is_active=True).order_by("email")


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ApproveSelectedForm(forms.Form):
    """The one optional comment of “Approve selected” in the inbox (the ticked rows are read apart)."""

    comment = forms.CharField(
        label=_("Comment for every selected approval (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
    )


class RejectSelectedForm(forms.Form):
    """The reason of “Reject selected” in the inbox, required: each requester is told why.

    It shares the inbox form with “Approve selected”, so the browser must not require it there.
    """

    reason = forms.CharField(
        label=_("Reason for rejecting the selected approvals"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        error_messages={
            "required": _("Say why you reject them, so each requester knows; nothing was rejected.")
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("use_required_attribute", False)
        super().__init__(*args, **kwargs)


class EmailDecisionForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ReassignForm(forms.Form):
    to_user = forms.ModelChoiceField(label=_("Hand over to"), queryset=User.objects.none())
    comment = forms.CharField(label=_("Comment"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[User]", self.fields["to_user"]).queryset = _people()


class DelegationForm(forms.Form):
    delegate = forms.ModelChoiceField(label=_("Delegate"), queryset=User.objects.none())
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[User]", self.fields["delegate"]).queryset = _people()


class RuleForm(forms.ModelForm):
    class Meta:
        model = ApprovalRule
        fields = [
            "name",
            "description",
            "is_active",
            "priority",
            "min_amount",
            "max_amount",
            "currency",
            "category_prefixes",
            "cost_centers",
            "departments",
            "suppliers",
            "free_text",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        field_classes = {"min_amount": AmountField, "max_amount": AmountField}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        low, high = data.get("min_amount"), data.get("max_amount")
        if low is not None and high is not None and high <= low:
            raise forms.ValidationError(_("“Up to amount” must be greater than “above amount”."))
        return data


#: The fields each kind of approver uses; the others must stay empty (the editor shows only these).
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    ApproverSource.USER: ("users",),
    ApproverSource.MANAGER: ("levels",),
    ApproverSource.ROLE: ("role",),
    ApproverSource.COST_CENTER_OWNER: (),
}


class StepForm(forms.Form):
    """One step of a rule, with one source of approvers (several named people are allowed).

    Which of ``users``, ``levels`` and ``role`` apply depends on ``kind`` (:data:`KIND_FIELDS`): the
    page groups them in one fieldset per kind and shows only the chosen kind's, and a value in a field
    that does not apply is refused beside that field, with or without the page's script.
    """

    order = forms.IntegerField(label=_("Order"), min_value=1, initial=1)
    name = forms.CharField(label=_("Step name"), max_length=200, required=False)
    mode = forms.ChoiceField(label=_("How approvers are asked"), choices=StepMode.choices, initial="parallel")
    quorum = forms.ChoiceField(label=_("Approvals needed"), choices=QuorumKind.choices, initial="any")
    quorum_count = forms.IntegerField(label=_("Number of approvals"), min_value=1, initial=1)
    # A blank first choice: the spare row the editor shows is left blank, so saving a rule without
    # changes adds no step (a browser posts a select's first option when none is chosen).
    kind = forms.ChoiceField(
        label=_("Approvers"), choices=[("", "—"), *ApproverSource.choices], required=False
    )
    levels = forms.IntegerField(label=_("Manager levels"), min_value=1, max_value=10, required=False)
    role = forms.CharField(label=_("Role"), max_length=32, required=False)
    users = forms.ModelMultipleChoiceField(label=_("People"), queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

        cast("forms.ModelMultipleChoiceField[User]", self.fields["users"]).queryset = _people()
        self.fields["role"].widget = forms.Select(choices=[("", "—"), *Role.choices])
        self.fields["kind"].widget.attrs["data-reveal"] = "approver-kind"

    def kind_fields(self) -> list[tuple[str, Any, list[Any]]]:
        """Per kind of approver: its value, its label and the bound fields it uses (for the template)."""
        return [
            (kind, label, [self[name] for name in KIND_FIELDS[kind]])
            for kind, label in ApproverSource.choices
            if KIND_FIELDS[kind]
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        kind = data.get("kind")
        if not kind and not data.get("DELETE"):
            raise forms.ValidationError(_("Choose who approves this step."))
        if not kind:
            return data
        used = KIND_FIELDS[kind]
        for name in ("users", "levels", "role"):
            if name not in used and data.get(name):
                self.add_error(
                    name,
                    _("%(field)s does not apply to approvers “%(kind)s”: leave it empty.")
                    % {"field": self.fields[name].label, "kind": ApproverSource(kind).label},
                )
        if kind == ApproverSource.USER and not data.get("users"):
            self.add_error("users", _("Choose at least one person for a step of named approvers."))
        if kind == ApproverSource.ROLE and not data.get("role"):
            self.add_error("role", _("Choose the role whose holders approve this step."))
        if kind == ApproverSource.MANAGER and not data.get("levels") and "levels" not in self.errors:
            self.add_error("levels", _("Say how many levels of managers approve this step (1 to 10)."))
        return data


StepFormSet = formset_factory(StepForm, extra=1, can_delete=True, min_num=1, validate_min=True)


class BudgetForm(forms.ModelForm):
    class Meta:
        model = Budget
        fields = ["cost_center", "period_start", "period_end", "amount", "currency", "enforcement"]
        widgets = {
            "period_start": forms.DateInput(attrs={"type": "date"}),
            "period_end": forms.DateInput(attrs={"type": "date"}),
        }
        field_classes = {"amount": AmountField, "currency": CurrencyField}

    def clean(self) -> dict[str, Any]:
        """Refuse a negative or oversized amount, one with more decimals than its currency has, a
        period ending before it starts, and a period that overlaps another budget of the same cost
        center, each with a message saying so."""

        data = super().clean() or {}
        amount, currency = data.get("amount"), data.get("currency")
        if amount is not None and amount < 0:
            self.add_error("amount", _("A budget cannot be negative."))
        elif amount is not None and amount > MAX_AMOUNT:
            self.add_error("amount", _("A budget can be at most %(max)s.") % {"max": MAX_AMOUNT})
        elif amount is not None and currency:
            try:
                validate_minor_units(amount, currency)
            except forms.ValidationError as error:
                self.add_error("amount", error)
        start, end, cost_center = data.get("period_start"), data.get("period_end"), data.get("cost_center")
        if start and end and end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        elif start and end and cost_center is not None:
            overlapping = (
                Budget.objects.filter(cost_center=cost_center, period_start__lte=end, period_end__gte=start)
                .exclude(pk=self.instance.pk)
                .order_by("period_start")
                .first()
            )
            if overlapping is not None:
                self.add_error(
                    "period_start",
                    _(
                        "%(cost_center)s already has a budget from %(start)s to %(end)s; "
                        "budgets of one cost center cannot overlap."
                    )
                    % {
                        "cost_center": cost_center,
                        "start": overlapping.period_start,
                        "end": overlapping.period_end,
                    },
                )
        return data


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100)


class RevokeTokenForm(forms.Form):
    """A “Revoke” button of the token list: the token's id (absent when the POST creates a token)."""

    revoke = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        error_messages={"invalid": _("Choose “Revoke” beside one of your tokens.")},
    )
