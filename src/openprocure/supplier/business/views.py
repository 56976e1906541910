"""Pages of business accounts: register, manage your business, invitations, the operators' review queue."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from openprocure.core.auth import AuthenticatedHttpRequest
from openprocure.core.forms import report_labelled_errors, report_refusal
from openprocure.core.lists import paginate
from openprocure.core.models import Document
from openprocure.supplier.business import forms, services
from openprocure.supplier.business.checklist import checklist_for, not_seen
from openprocure.supplier.business.choices import StaffRole, VerificationStatus
from openprocure.supplier.business.models import (
    SETTING_FIELDS,
    Business,
    Integration,
    Membership,
    SettingsChange,
    setting_field,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def business_member(view: Any) -> Any:
    """Views of "Manage your business": a signed-in member of a business; passes the membership."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        membership = services.membership_of(request.user)
        if membership is None:
            return redirect("business-register")
        return view(request, membership, *args, **kwargs)

    return wrapper


def _manage_action(
    form_class: type[Form],
    action: Callable[..., object],
    done: StrOrPromise | Callable[[dict[str, Any]], str],
    *,
    invalid: StrOrPromise | None = None,
    target: Callable[[Membership], dict[str, Any]] = lambda membership: {"business": membership.business},
) -> Callable[..., HttpResponse]:
    """The view of a form posted from Manage your business: ``action`` of the ``target`` (the
    member's business) by the person, with the form's values; then the ``done`` message (or what
    ``done`` says of the values), else the action's errors, or ``invalid`` when the form itself is
    not valid (without it, each field's errors after its label). Back to the page in every case."""

    @require_POST
    @business_member
    def view(request: AuthenticatedHttpRequest, membership: Membership) -> HttpResponse:
        form = form_class(request.POST)
        if form.is_valid():
            try:
                action(**target(membership), by=request.user, **form.cleaned_data)
            except ValidationError as error:
                report_refusal(request, error)
            else:
                messages.success(request, done(form.cleaned_data) if callable(done) else done)
        elif invalid is not None:
            messages.error(request, invalid)
        else:
            report_labelled_errors(request, form)
        return redirect("business-manage")

    return view


def register(request: HttpRequest) -> HttpResponse:
    """Register a business and its administrator."""
    form = forms.RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            business = services.register_business(**form.cleaned_data)
        except ValidationError as error:
            form.add_error("email", error)
        else:
            user = business.memberships.get().user
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return render(request, "business/registered.html", {"business": business})
    return render(request, "business/register.html", {"form": form})


def _integration_settings(integration: Integration | None) -> list[tuple[str, Any]]:
    if integration is None:
        return []
    rows = []
    for name in SETTING_FIELDS:
        field = setting_field(name)
        display = getattr(integration, f"get_{name}_display", None)
        value = display() if display else getattr(integration, name)
        rows.append((str(field.verbose_name), value))
    return rows


@business_member
def manage(request: AuthenticatedHttpRequest, membership: Membership) -> HttpResponse:
    """Manage your business: users, roles, PunchOut, settings, payment methods, shipping addresses."""
    return _manage_page(request, membership)


def _manage_page(request: HttpRequest, membership: Membership, **posted: Form) -> HttpResponse:
    """The page of Manage your business, with its forms unbound except those ``posted`` (by their
    name in the template: ``invite_form``, ``payment_form``, ``address_form``), shown with their
    errors beside their fields and what was typed."""
    if not (membership.is_administrator or membership.is_technical_administrator):
        raise PermissionDenied(_("Only the administrators of your business can manage it."))
    business = membership.business
    integration = Integration.objects.filter(business=business).first()
    changes, changes_query = paginate(
        request,
        integration.settings_changes.select_related("changed_by")
        if integration
        else SettingsChange.objects.none(),
        20,
        param="changes_page",
    )
    context = {
        "business": business,
        "membership": membership,
        "integration": integration,
        "settings_rows": _integration_settings(integration),
        "members": business.memberships.select_related("user", "group"),
        "invitations": business.invitations.filter(accepted_at__isnull=True),
        "payment_methods": business.payment_methods.all(),
        "addresses": [
            (
                address,
                forms.DeliveryDayForm(
                    initial={
                        "address_id": address.pk,
                        "preferred_delivery_day": address.preferred_delivery_day,
                    },
                    auto_id=f"id_day_{address.pk}_%s",
                ),
            )
            for address in business.shipping_addresses.all()
        ],
        "invite_form": forms.InviteForm(),
        "payment_form": forms.PaymentMethodForm(),
        "address_form": forms.ShippingAddressForm(),
        **posted,
        "urls_form": forms.ReturnUrlsForm(
            initial={"allowed_return_urls": "\n".join(integration.allowed_return_urls)}
            if integration
            else None
        ),
        "changes": changes.object_list,
        "changes_page": changes,
        "changes_query": changes_query,
        "endpoints": {
            "cxml": settings.PUBLIC_URL + reverse("cxml"),
            "oci": settings.PUBLIC_URL + reverse("punchout-oci"),
            "domain": settings.CXML_DOMAIN,
        },
    }
    return render(request, "business/manage.html", context)


def _manage_form(
    form_class: type[Form],
    action: Callable[..., object],
    done: StrOrPromise | Callable[[dict[str, Any]], str],
    *,
    shown_as: str,
    refusal_field: str | None = None,
) -> Callable[..., HttpResponse]:
    """The view of a form of Manage your business that people fill in (an invitation, a payment
    method, an address): ``action`` of the administrator's business with the form's values, then
    back to the page with the ``done`` message. A form that is not valid, or that the action refuses
    (the refusal shown on ``refusal_field``, else above the form), shows the page again with this form
    as ``shown_as``: the errors beside their fields, what was typed kept, the other forms empty."""

    @require_POST
    @business_member
    def view(request: AuthenticatedHttpRequest, membership: Membership) -> HttpResponse:
        services.require_administrator(request.user, membership.business)
        form = form_class(request.POST)
        if form.is_valid():
            try:
                action(business=membership.business, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(refusal_field, error)
            else:
                messages.success(request, done(form.cleaned_data) if callable(done) else done)
                return redirect("business-manage")
        return _manage_page(request, membership, **{shown_as: form})

    return view


invite = _manage_form(
    forms.InviteForm,
    services.invite_user,
    lambda values: _("Invitation sent to %(email)s.") % {"email": values["email"]},
    shown_as="invite_form",
    refusal_field="email",
)


change_roles = _manage_action(
    forms.RolesForm,
    services.set_roles,
    gettext_lazy("Roles updated."),
    invalid=gettext_lazy("Choose a member of your business whose roles change."),
)


@business_member
def add_punchout(request: AuthenticatedHttpRequest, membership: Membership) -> HttpResponse:
    """Add PunchOut: explains that it is irreversible, asks to confirm, then shows the secrets once."""
    services.require_administrator(request.user, membership.business)
    if Integration.objects.filter(business=membership.business).exists():
        return redirect("business-manage")
    form = forms.AddPunchOutForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("confirm")
        try:
            created = services.add_punchout(business=membership.business, by=request.user, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return render(request, "business/punchout_added.html", {"created": created})
    return render(request, "business/punchout_add.html", {"form": form, "business": membership.business})


@business_member
def activate(request: AuthenticatedHttpRequest, membership: Membership) -> HttpResponse:
    """Switch the integration from Test to Active after confirmation (irreversible)."""
    services.require_administrator(request.user, membership.business)
    integration = get_object_or_404(Integration, business=membership.business)
    form = forms.ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.activate_integration(integration_id=integration.pk, by=request.user)
        except ValidationError as error:
            report_refusal(request, error)
        else:
            messages.success(request, _("PunchOut is Active: orders are now real."))
        return redirect("business-manage")
    # The checklist first: switching is allowed with items not seen yet, but they are listed.
    items = checklist_for(integration) if integration.is_test else []
    return render(
        request,
        "business/activate.html",
        {"form": form, "integration": integration, "items": items, "missing": not_seen(items)},
    )


return_urls = _manage_action(
    forms.ReturnUrlsForm,
    services.update_return_urls,
    gettext_lazy("Allowed return URLs saved."),
    target=lambda membership: {"integration": get_object_or_404(Integration, business=membership.business)},
)


@business_member
def credentials(request: AuthenticatedHttpRequest, membership: Membership) -> HttpResponse:
    """Replace the cXML shared secret or the OCI password (administrators); the new one is shown once."""
    if not (membership.is_administrator or membership.is_technical_administrator):
        raise PermissionDenied(_("Only the administrators of this business may do this."))
    integration = get_object_or_404(Integration, business=membership.business)
    posted = forms.CredentialKindForm(request.POST).kind() if request.method == "POST" else None
    forms_by_kind = {
        which: forms.ReplaceCredentialForm(
            request.POST if which == posted else None, initial={"which": which}, auto_id=f"id_{which}_%s"
        )
        for which in services.REPLACEABLE_CREDENTIALS
    }
    form = forms_by_kind.get(posted or "")
    if form is not None and form.is_valid():
        which = form.cleaned_data["which"]
        try:
            new = services.replace_credential(
                integration_id=integration.pk,
                by=request.user,
                which=which,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return render(
                request,
                "business/credential_replaced.html",
                {"integration": integration, "which": which, "value": new},
            )
    return render(request, "business/credentials.html", {"integration": integration, "forms": forms_by_kind})


add_payment_method = _manage_form(
    forms.PaymentMethodForm,
    services.add_payment_method,
    gettext_lazy("Payment method added."),
    shown_as="payment_form",
)


add_address = _manage_form(
    forms.ShippingAddressForm,
    services.add_shipping_address,
    gettext_lazy("Shipping address added."),
    shown_as="address_form",
)


set_delivery_day = _manage_action(
    forms.DeliveryDayForm,
    services.set_delivery_day,
    gettext_lazy("Delivery day saved."),
    invalid=gettext_lazy("Choose a weekday or any day."),
)


@business_member
def documents(request: AuthenticatedHttpRequest, membership: Membership) -> HttpResponse:
    """The document log of the business's integration (administrators and technical administrators)."""
    if not (membership.is_administrator or membership.is_technical_administrator):
        raise PermissionDenied(_("Only the administrators of your business can see its documents."))
    integration = get_object_or_404(Integration, business=membership.business)
    partner = f"{integration.buyer_domain}:{integration.buyer_identity}"
    page, query = paginate(request, Document.objects.filter(partner=partner))
    context = {"documents": page.object_list, "page": page, "query": query, "integration": integration}
    return render(request, "business/documents.html", context)


def _checklist_page(request: HttpRequest, integration: Integration, *, operator: bool) -> HttpResponse:
    if not integration.is_test:
        raise Http404(_("The integration checklist is for a business whose PunchOut is in Test."))
    return render(
        request,
        "business/checklist.html",
        {"integration": integration, "items": checklist_for(integration), "operator": operator},
    )


@business_member
def checklist(request: AuthenticatedHttpRequest, membership: Membership) -> HttpResponse:
    """The integration checklist of your business in Test: what its procurement system has sent us."""
    if not (membership.is_administrator or membership.is_technical_administrator):
        raise PermissionDenied(
            _("Only the administrators of your business can see its integration checklist.")
        )
    integration = get_object_or_404(
        Integration.objects.select_related("business"), business=membership.business
    )
    return _checklist_page(request, integration, operator=False)


@business_member
def document(request: AuthenticatedHttpRequest, membership: Membership, pk: int) -> HttpResponse:
    """One document of the business's log (administrators and technical administrators)."""
    if not (membership.is_administrator or membership.is_technical_administrator):
        raise PermissionDenied(_("Only the administrators of your business can see its documents."))
    integration = get_object_or_404(Integration, business=membership.business)
    return _document_page(request, integration, pk)


def _document_page(request: HttpRequest, integration: Integration, pk: int) -> HttpResponse:
    partner = f"{integration.buyer_domain}:{integration.buyer_identity}"
    shown = get_object_or_404(Document.objects.select_related("in_reply_to"), pk=pk, partner=partner)
    answers = Document.objects.filter(in_reply_to=shown).order_by("created_at", "id")
    return render(
        request,
        "business/document.html",
        {"document": shown, "answers": answers, "integration": integration},
    )


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The one-time invitation link: create the linked account."""
    found = services.find_invitation(token)
    if found is None:
        return render(request, "business/invitation_invalid.html", status=410)
    form = forms.AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.accept_invitation(token=token, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return render(request, "business/invitation_accepted.html", {"business": found.business})
    return render(request, "business/invitation.html", {"form": form, "invitation": found})


# -- operators -------------------------------------------------------------------------------------
def operator_only(view: Any) -> Any:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if services.staff_role(request.user) != StaffRole.OPERATOR:
            raise PermissionDenied(_("Only operators can see this page."))
        return view(request, *args, **kwargs)

    return wrapper


@operator_only
def review_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Businesses waiting for verification, oldest first."""
    pending = Business.objects.filter(status=VerificationStatus.PENDING).order_by("created_at", "pk")
    page, query = paginate(request, pending)
    integrations, integrations_query = paginate(
        request,
        Integration.objects.select_related("business").order_by("business__name", "pk"),
        param="integrations_page",
    )
    context = {
        "pending": page.object_list,
        "page": page,
        "query": query,
        "refusal_form": forms.RefusalForm(),
        "integrations": integrations.object_list,
        "integrations_page": integrations,
        "integrations_query": integrations_query,
    }
    return render(request, "business/review.html", context)


@require_POST
@operator_only
def approve(request: AuthenticatedHttpRequest, business_id: int) -> HttpResponse:
    business_id = get_object_or_404(Business, pk=business_id).pk
    try:
        business = services.approve_business(business_id=business_id, operator=request.user)
        messages.success(request, _("%(name)s is verified.") % {"name": business.name})
    except ValidationError as error:
        report_refusal(request, error)
    return redirect("business-review")


@require_POST
@operator_only
def refuse(request: AuthenticatedHttpRequest, business_id: int) -> HttpResponse:
    business_id = get_object_or_404(Business, pk=business_id).pk
    form = forms.RefusalForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for the refusal: it is sent to the administrator."))
        return redirect("business-review")
    try:
        business = services.refuse_business(
            business_id=business_id,
            operator=request.user,
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, _("%(name)s was refused.") % {"name": business.name})
    except ValidationError as error:
        report_refusal(request, error)
    return redirect("business-review")


@operator_only
def integration_settings(request: AuthenticatedHttpRequest, integration_id: int) -> HttpResponse:
    """An operator changes an integration's settings, saying why."""
    integration = get_object_or_404(Integration.objects.select_related("business"), pk=integration_id)
    form = forms.SettingChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_setting(integration_id=integration.pk, operator=request.user, **form.cleaned_data)
        except ValidationError as error:
            # The model's checks name the setting's field: shown on the value typed.
            form.add_error("value", ValidationError(error.messages))
        else:
            messages.success(request, _("Setting changed."))
            return redirect("business-integration-settings", integration_id=integration.pk)
    changes, changes_query = paginate(
        request, integration.settings_changes.select_related("changed_by"), param="changes_page"
    )
    context = {
        "integration": integration,
        "form": form,
        "settings_rows": _integration_settings(integration),
        "changes": changes.object_list,
        "changes_page": changes,
        "changes_query": changes_query,
    }
    return render(request, "business/integration_settings.html", context)


@operator_only
def integration_checklist(request: AuthenticatedHttpRequest, integration_id: int) -> HttpResponse:
    """An operator reads the integration checklist of a business in Test."""
    integration = get_object_or_404(Integration.objects.select_related("business"), pk=integration_id)
    return _checklist_page(request, integration, operator=True)


@operator_only
def integration_document(request: AuthenticatedHttpRequest, integration_id: int, pk: int) -> HttpResponse:
    """An operator reads one document of a business's log (from its checklist)."""
    integration = get_object_or_404(Integration, pk=integration_id)
    return _document_page(request, integration, pk)


def punchout_only(request: HttpRequest) -> HttpResponse:
    """What a linked (PunchOut-only) account sees when it signs in directly."""
    return render(request, "business/punchout_only.html", status=403)
