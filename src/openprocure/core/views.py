"""Views both sites share: sign-in, sign-out, the demo mailbox, a health check."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from openprocure.core.mailbox import read_spool


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True


def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for monitoring."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "site": settings.SITE_NAME})


@login_required
def mailbox(request: HttpRequest) -> HttpResponse:
    """Every e-mail this site wrote to its spool (demo only; with SMTP there is no spool)."""
    if not (settings.DEMO_MODE or request.user.is_staff):
        raise Http404
    return render(request, "core/mailbox.html", {"messages_sent": read_spool()})
