"""The organisation page: cost centers, departments, GL accounts and addresses people charge to."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from openprocure.buyer.organization.models import Address, CostCenter, Department, GLAccount
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
