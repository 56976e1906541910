"""The "E-invoicing platforms" administration page of each site: each legal entity's platform, the
last flows pulled from it, a form to add or change one and a "Test connection" button. Every change
and every test is recorded in the audit trail (an ``AdminEvent``: who, when, which platform, and for
a test its outcome and message).

Who may open it is the site's decision: the ``PLATFORM_ADMINISTRATION_REFUSAL`` setting names a
function of the user answering ``""`` when they may, else the sentence saying who may (the buyer
suite: procurement and technical administrators; the storefront: operators). The site's menu asks
the same function.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openprocure.core import platform
from openprocure.core.audit import record_event, save_administered
from openprocure.core.auth import AuthenticatedHttpRequest
from openprocure.core.choices import AdminEventKind, PlatformAdapter, PlatformFlowOutcome
from openprocure.core.lists import paginate
from openprocure.core.models import AdminEvent, PlatformConnection, PlatformFlow
from openprocure.core.platform.forms import PlatformConnectionForm, TestConnectionForm


@cache
def _refusal_function(path: str) -> Any:
    return import_string(path)


def refusal(user: Any) -> str:
    """Why ``user`` may not administer this site's platforms (``""`` when they may)."""
    path = getattr(settings, "PLATFORM_ADMINISTRATION_REFUSAL", "")
    if not path:
        return str(_("Only the staff may configure e-invoicing platforms.")) if not user.is_staff else ""
    return str(_refusal_function(path)(user))


def _require(request: HttpRequest) -> None:
    reason = refusal(request.user)
    if reason:
        raise PermissionDenied(reason)


@dataclass(frozen=True)
class Entity:
    """One row of the page: a configured legal entity and the last flows pulled from its platform."""

    siren: str
    name: str
    adapter: str
    enabled: bool
    from_environment: bool
    connection: PlatformConnection | None
    last_flow_at: datetime | None = None
    flows: int = 0
    refused: int = 0


def _entities() -> list[Entity]:
    environment = platform.environment_entities()
    adapters = dict(PlatformAdapter.choices)
    rows = [
        Entity(
            siren=siren,
            name=_("Set by the environment"),
            adapter=str(adapters.get(config.get("adapter", "folder"), config.get("adapter", ""))),
            enabled=True,
            from_environment=True,
            connection=None,
        )
        for siren, config in environment.items()
    ]
    for connection in PlatformConnection.objects.order_by("siren", "pk"):
        if connection.siren not in environment:
            rows.append(
                Entity(
                    siren=connection.siren,
                    name=connection.name,
                    adapter=connection.get_adapter_display(),
                    enabled=connection.enabled,
                    from_environment=False,
                    connection=connection,
                )
            )
    return rows


def _with_flows(entities: list[Entity]) -> list[Entity]:
    """The entities with when the last flow of each was handled, how many and how many refused
    (one query for the page)."""
    stats = {
        row["entity"]: row
        for row in PlatformFlow.objects.filter(entity__in=[e.siren for e in entities])
        .values("entity")
        .annotate(
            last=Max("handled_at"),
            total=Count("pk"),
            refused=Count("pk", filter=Q(outcome=PlatformFlowOutcome.REFUSED)),
        )
        .order_by()
    }
    result = []
    for entity in entities:
        row = stats.get(entity.siren)
        if row is None:
            result.append(entity)
        else:
            result.append(
                replace(entity, last_flow_at=row["last"], flows=row["total"], refused=row["refused"])
            )
    return result


@login_required
def platforms(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Each legal entity's platform: the environment's (read-only), then the page's."""
    _require(request)
    page, query = paginate(request, _entities())
    page.object_list = _with_flows(list(page.object_list))
    return render(request, "core/platforms.html", {"page": page, "query": query})


def _form_page(request: AuthenticatedHttpRequest, form: PlatformConnectionForm, title: str) -> HttpResponse:
    return render(
        request, "core/platform_form.html", {"form": form, "title": title, "test_form": TestConnectionForm()}
    )


@login_required
def platform_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request)
    form = PlatformConnectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        connection: PlatformConnection = save_administered(form, actor=request.user)
        messages.success(request, _("Platform of SIREN %(siren)s added.") % {"siren": connection.siren})
        return redirect("platforms")
    return _form_page(request, form, _("Add an e-invoicing platform"))


@login_required
def platform_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require(request)
    connection = get_object_or_404(PlatformConnection, pk=pk)
    if connection.siren in platform.environment_entities():
        raise PermissionDenied(
            _("The platform of SIREN %(siren)s is set by the environment: change it there.")
            % {"siren": connection.siren}
        )
    form = PlatformConnectionForm(request.POST or None, instance=connection)
    if request.method == "POST" and form.is_valid():
        save_administered(form, actor=request.user)
        messages.success(request, _("Platform of SIREN %(siren)s saved.") % {"siren": connection.siren})
        return redirect("platforms")
    return _form_page(
        request,
        form,
        _("E-invoicing platform of %(name)s (SIREN %(siren)s)")
        % {"name": connection.name, "siren": connection.siren},
    )


@login_required
@require_POST
def platform_test(request: AuthenticatedHttpRequest, siren: str) -> HttpResponse:
    """The "Test connection" button: the environment's configuration for its SIRENs, else the
    page's (enabled or not: an entity is tested before it is enabled). The test and its outcome
    are recorded as an ``AdminEvent`` of kind ``tested`` (an environment's platform, which has no
    row, is named by its SIREN)."""
    _require(request)
    TestConnectionForm(request.POST).is_valid()  # nothing to read but the CSRF token
    environment = platform.environment_entities()
    if siren in environment:
        config, name = environment[siren], _("Set by the environment")
        connection = PlatformConnection(siren=siren, name=name)  # not saved: the event's subject only
    else:
        connection = get_object_or_404(PlatformConnection, siren=siren)
        config, name = platform.connection_config(connection), connection.name
    adapter = config.get("adapter", "folder")
    try:
        platform.check_connection(siren, config)
    except (platform.PlatformError, platform.PlatformNotConfigured) as error:
        ok, detail = False, str(error)
        summary = _("The connection failed.")
    else:
        ok, detail = True, ""
        summary = (
            _("The connection works: a probe file was written, read back and deleted in both directories.")
            if adapter == PlatformAdapter.FOLDER
            else _("The connection works: the platform's token service granted a token to our client ID.")
        )
    record_event(
        AdminEvent,
        connection,
        AdminEventKind.TESTED,
        actor=request.user,
        detail={
            "siren": siren,
            "adapter": adapter,
            "from_environment": connection.pk is None,
            "outcome": "works" if ok else "failed",
            "message": detail or str(summary),
        },
    )
    return render(
        request,
        "core/platform_test.html",
        {"siren": siren, "name": name, "ok": ok, "summary": summary, "detail": detail},
    )
