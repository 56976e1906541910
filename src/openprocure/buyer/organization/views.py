"""The organisation page: cost centers, departments, GL accounts and addresses people charge to;
procurement administrators add and edit cost centers and GL accounts here."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from openprocure.buyer.organization.forms import CostCenterForm, GLAccountForm
from openprocure.buyer.organization.models import Address, Company, CostCenter, Department, GLAccount
from openprocure.buyer.organization.services import can_administer_procurement, profile_for


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """Reference data of the signed-in person's company (edited in the administration)."""
    profile = profile_for(request.user)
    if profile is None:
        raise Http404
    company = profile.company
    return render(
        request,
        "organization/overview.html",
        {
            "company": company,
            "profile": profile,
            "legal_entities": company.legal_entities.all(),
            "departments": Department.objects.filter(company=company),
            "cost_centers": CostCenter.objects.filter(company=company).select_related("owner", "department"),
            "gl_accounts": GLAccount.objects.filter(company=company),
            "addresses": Address.objects.filter(company=company),
            "can_admin": can_administer_procurement(request.user),
        },
    )


def _admin_company(request: HttpRequest) -> Company:
    """The company whose reference data the signed-in procurement administrator edits."""
    profile = profile_for(request.user)
    if profile is None:
        raise Http404
    if not can_administer_procurement(request.user):
        raise PermissionDenied(_("Only procurement or technical administrators edit reference data."))
    return profile.company


def _edit_reference(
    request: HttpRequest,
    model: type[CostCenter] | type[GLAccount],
    form_class: Any,
    pk: int | None,
    texts: dict[str, str],
) -> HttpResponse:
    """Add a row of the company's reference data, or change one (``texts``: saved, change, add)."""
    company = _admin_company(request)
    instance: Any = get_object_or_404(model, pk=pk, company=company) if pk else None
    form = form_class(request.POST or None, instance=instance, company=company)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, texts["saved"] % {"code": saved.code})
        return redirect("organization:overview")
    title = texts["change"] % {"code": instance.code} if instance else texts["add"]
    return render(request, "organization/reference_form.html", {"form": form, "title": title})


@login_required
def cost_center_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Add a cost center, or change one (its owner, department, whether it is still in use)."""
    texts = {
        "saved": _("Cost center %(code)s saved."),
        "change": _("Change cost center %(code)s"),
        "add": _("Add a cost center"),
    }
    return _edit_reference(request, CostCenter, CostCenterForm, pk, texts)


@login_required
def gl_account_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Add a GL account, or change one."""
    texts = {
        "saved": _("GL account %(code)s saved."),
        "change": _("Change GL account %(code)s"),
        "add": _("Add a GL account"),
    }
    return _edit_reference(request, GLAccount, GLAccountForm, pk, texts)
