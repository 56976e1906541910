"""The organisation page: cost centers, departments, GL accounts and addresses people charge to, and
the people of the company with their roles and spending limits. Procurement administrators add and
change all of these here."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from openprocure.buyer.organization.choices import Role
from openprocure.buyer.organization.filters import PeopleFilter
from openprocure.buyer.organization.forms import (
    AddressForm,
    CostCenterForm,
    DepartmentForm,
    GLAccountForm,
    LegalEntityForm,
    PersonForm,
    RestrictedCategoryForm,
    RoleLimitForm,
)
from openprocure.buyer.organization.models import (
    Address,
    Company,
    CostCenter,
    Department,
    GLAccount,
    LegalEntity,
    RestrictedCategory,
    SpendingLimit,
    UserProfile,
)
from openprocure.buyer.organization.services import (
    can_administer_procurement,
    lift_restriction,
    profile_for,
    save_person,
    save_reference,
    send_sign_in_link,
    set_role_limit,
)
from openprocure.core.auth import AuthenticatedHttpRequest
from openprocure.core.formatting import format_money
from openprocure.core.forms import report_errors
from openprocure.core.lists import paginate
from openprocure.core.models import User


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
            "restricted_categories": RestrictedCategory.objects.filter(company=company),
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
    model: type[CostCenter]
    | type[GLAccount]
    | type[Department]
    | type[Address]
    | type[RestrictedCategory]
    | type[LegalEntity],
    form_class: Any,
    pk: int | None,
    texts: dict[str, str],
) -> HttpResponse:
    """Add a row of the company's reference data, or change one (``texts``: saved, change, add)."""
    company = _admin_company(request)
    instance: Any = get_object_or_404(model, pk=pk, company=company) if pk else None
    form = form_class(request.POST or None, instance=instance, company=company)
    if request.method == "POST" and form.is_valid():
        saved = save_reference(form=form, actor=request.user)
        messages.success(request, texts["saved"] % {"code": getattr(saved, "code", saved)})
        anchor = {Address: "#addresses", RestrictedCategory: "#restricted"}.get(model, "")
        return redirect(reverse("organization:overview") + anchor)
    title = texts["change"] % {"code": getattr(instance, "code", instance)} if instance else texts["add"]
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


@login_required
def department_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Add a department, or change one (its name, the department it belongs to)."""
    texts = {
        "saved": _("Department %(code)s saved."),
        "change": _("Change department %(code)s"),
        "add": _("Add a department"),
    }
    return _edit_reference(request, Department, DepartmentForm, pk, texts)


@login_required
def address_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Add a ship-to or bill-to address, or change one (its code is the cXML addressID)."""
    texts = {
        "saved": _("Address %(code)s saved."),
        "change": _("Change address %(code)s"),
        "add": _("Add an address"),
    }
    return _edit_reference(request, Address, AddressForm, pk, texts)


@login_required
def legal_entity_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Add a legal entity of the company, or change one (name, registration and VAT numbers, currency)."""
    texts = {
        "saved": _("Legal entity %(code)s saved."),
        "change": _("Change legal entity %(code)s"),
        "add": _("Add a legal entity"),
    }
    return _edit_reference(request, LegalEntity, LegalEntityForm, pk, texts)


@login_required
def restricted_category_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Restrict a UNSPSC category to a role, or change a restriction."""
    texts = {
        "saved": _("Restricted category saved."),
        "change": _("Change a restricted category"),
        "add": _("Restrict a category"),
    }
    return _edit_reference(request, RestrictedCategory, RestrictedCategoryForm, pk, texts)


@login_required
@require_POST
def restricted_category_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Lift a restriction: anyone may requisition the category again."""
    company = _admin_company(request)
    restriction = get_object_or_404(RestrictedCategory, pk=pk, company=company)
    lift_restriction(restriction=restriction, actor=request.user)
    messages.success(
        request,
        _("UNSPSC %(prefix)s is no longer restricted to %(role)s.")
        % {"prefix": restriction.unspsc_prefix, "role": restriction.get_role_display()},
    )
    return redirect(reverse("organization:overview") + "#restricted")


#: People listed per page on the People page.
PEOPLE_PAGE_SIZE = 50


@login_required
def people(request: HttpRequest) -> HttpResponse:
    """The company's people with their roles, manager, department and spending limit (search by
    e-mail, name or employee ID; pages of ``PEOPLE_PAGE_SIZE``), and the spending limits of roles."""
    company = _admin_company(request)
    search = PeopleFilter(
        request.GET,
        queryset=UserProfile.objects.filter(company=company)
        .select_related("user", "manager", "department")
        .prefetch_related("roles")
        .order_by("-user__is_active", "user__email", "pk"),
    )
    query = search.words()
    page, _query = paginate(request, search.qs, PEOPLE_PAGE_SIZE)
    shown = [profile.user_id for profile in page.object_list]
    own = {limit.user_id: limit for limit in SpendingLimit.objects.filter(user_id__in=shown)}
    role_limits = {limit.role: limit for limit in SpendingLimit.objects.filter(company=company, user=None)}
    rows = []
    for profile in page.object_list:
        codes = profile.role_codes()
        # As spending_limit_for: the person's own limit, else the highest of their roles' limits.
        limit = own.get(profile.user_id) or max(
            (role_limits[code] for code in codes if code in role_limits),
            key=lambda row: row.money,
            default=None,
        )
        rows.append(
            {
                "profile": profile,
                "roles": [Role(code).label for code in sorted(codes)],
                "own_limit": profile.user_id in own,
                "limit": limit.money if limit else None,
            }
        )
    return render(
        request,
        "organization/people.html",
        {
            "company": company,
            "rows": rows,
            "page": page,
            "q": query,
            "query": urlencode({"q": query}) if query else "",
            "role_limits": [(role, role_limits.get(role.value)) for role in Role],
            "role_form": RoleLimitForm(company=company),
        },
    )


@login_required
def person_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    """Add a person (they receive a link to choose their password), or change one."""
    company = _admin_company(request)
    person = get_object_or_404(User, pk=pk, buyer_profile__company=company) if pk else None
    initial: dict[str, object] = {}
    if person is not None:
        profile = UserProfile.objects.prefetch_related("roles").get(user=person)
        own = SpendingLimit.objects.filter(user=person).first()
        initial = {
            "email": person.email,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "roles": sorted(profile.role_codes()),
            "manager": profile.manager_id,
            "department": profile.department_id,
            "default_cost_center": profile.default_cost_center_id,
            "default_ship_to": profile.default_ship_to_id,
            "business_unit": profile.business_unit,
            "employee_id": profile.employee_id,
            "limit_amount": own.amount if own else None,
            "limit_currency": own.currency if own else company.default_currency,
            "is_active": person.is_active,
        }
    form = PersonForm(
        request.POST or None, initial=initial, company=company, editor=request.user, person=person
    )
    if request.method == "POST" and form.is_valid():
        saved = save_person(company=company, data=form.cleaned_data, actor=request.user, person=person)
        email = saved.person.email
        if saved.added:
            messages.success(
                request,
                _("%(email)s was added and will receive an e-mail with a link to choose a password.")
                % {"email": email},
            )
        else:
            messages.success(request, _("%(email)s saved.") % {"email": email})
        if saved.handed_over:
            messages.info(
                request,
                ngettext(
                    "%(count)d approval waiting for %(email)s was handed to their manager or to you.",
                    "%(count)d approvals waiting for %(email)s were handed to their manager or to you.",
                    saved.handed_over,
                )
                % {"count": saved.handed_over, "email": email},
            )
        return redirect("organization:people")
    title = _("Change %(email)s") % {"email": person.email} if person else _("Add a person")
    return render(request, "organization/person_form.html", {"form": form, "title": title, "person": person})


@login_required
@require_POST
def person_send_link(request: HttpRequest, pk: int) -> HttpResponse:
    """E-mail a person a new link to choose their password (someone who lost theirs, or the link)."""
    company = _admin_company(request)
    person = get_object_or_404(User, pk=pk, buyer_profile__company=company, is_active=True)
    send_sign_in_link(person)
    messages.success(
        request, _("A link to choose a password was sent to %(email)s.") % {"email": person.email}
    )
    return redirect("organization:person-edit", pk=person.pk)


@login_required
@require_POST
def role_limit_edit(request: HttpRequest) -> HttpResponse:
    """Set or remove the spending limit of everyone holding a role."""
    company = _admin_company(request)
    form = RoleLimitForm(request.POST, company=company)
    if not form.is_valid():
        report_errors(request, form)
        return redirect("organization:people")
    role, amount = form.cleaned_data["role"], form.cleaned_data["amount"]
    set_role_limit(company=company, role=role, amount=amount, currency=form.cleaned_data["currency"])
    label = Role(role).label
    if amount is None:
        messages.success(request, _("The %(role)s role no longer has a spending limit.") % {"role": label})
    else:
        messages.success(
            request,
            _("The %(role)s role's spending limit is %(amount)s.")
            % {"role": label, "amount": format_money(amount, form.cleaned_data["currency"])},
        )
    return redirect("organization:people")


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The link e-mailed to a new person (or one an administrator re-sent): choose a password."""

    template_name = "organization/set_password.html"
    post_reset_login = True
    # Several authentication backends are configured (the sign-in lockout comes first): name the one
    # that signs the person in.
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("home")
    title = gettext_lazy("Choose your password")

    def get_user(self, uidb64: str) -> Any:
        user = super().get_user(uidb64)
        # Someone who may no longer sign in cannot use a link sent before.
        return user if user is not None and user.is_active else None
