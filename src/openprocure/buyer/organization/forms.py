"""Forms of the organisation's reference data that procurement administrators edit in the suite."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from openprocure.buyer.organization.models import Company, CostCenter, Department, GLAccount


class _CompanyCodeForm(forms.ModelForm):
    """A row with a code unique within the company: the company is the editor's, never posted."""

    duplicate_message: Any = ""

    def __init__(self, *args: Any, company: Company, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.company = company
        self.instance.company = company

    def clean_code(self) -> str:
        code = " ".join(str(self.cleaned_data["code"]).split())
        others = type(self.instance).objects.filter(company=self.company, code__iexact=code)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(self.duplicate_message, code="duplicate", params={"code": code})
        return code


class CostCenterForm(_CompanyCodeForm):
    duplicate_message = _("Another cost center already has the code %(code)s.")

    class Meta:
        model = CostCenter
        fields = ["code", "name", "owner", "department", "is_active"]
        help_texts = {
            "owner": _(
                "Accountable for the budget; approves when a policy step asks for the cost-center owner."
            ),
            "is_active": _(
                "Inactive cost centers are no longer offered on requisition lines; past spend keeps them."
            ),
        }

    def __init__(self, *args: Any, company: Company, **kwargs: Any) -> None:
        super().__init__(*args, company=company, **kwargs)
        users = (
            get_user_model().objects.filter(buyer_profile__company=company, is_active=True).order_by("email")
        )
        self.fields["owner"].queryset = users  # type: ignore[attr-defined]
        self.fields["owner"].label_from_instance = lambda user: user.email  # type: ignore[attr-defined]
        self.fields["department"].queryset = Department.objects.filter(company=company)  # type: ignore[attr-defined]


class GLAccountForm(_CompanyCodeForm):
    duplicate_message = _("Another GL account already has the code %(code)s.")

    class Meta:
        model = GLAccount
        fields = ["code", "name", "is_active"]
        help_texts = {
            "is_active": _(
                "Inactive accounts are no longer offered on requisition lines; past spend keeps them."
            ),
        }
