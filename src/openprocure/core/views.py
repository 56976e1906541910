"""Views both sites share: sign-in, sign-out, the language switch, the demo mailbox, a health check."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import i18n

from openprocure.core import languages
from openprocure.core.forms import LanguageForm
from openprocure.core.mailbox import read_spool


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True


def set_language(request: HttpRequest) -> HttpResponse:
    """The language switch: Django's ``set_language`` (cookie and redirect), and for a signed-in
    person their choice is stored, so the e-mail they receive is written in it."""
    response = i18n.set_language(request)
    form = LanguageForm(request.POST)
    if request.method == "POST" and request.user.is_authenticated and form.is_valid():
        languages.record_choice(user_id=request.user.pk, language=form.cleaned_data["language"])
    return response


def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for monitoring."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "site": settings.SITE_NAME})


@login_required
def mailbox(request: HttpRequest) -> HttpResponse:
    """The e-mail this site wrote to its spool for the signed-in person (demo only; with SMTP there is
    no spool). A superuser sees every message; everyone else only the mail addressed to them."""
    if not (settings.DEMO_MODE or request.user.is_staff):
        raise Http404
    everything = bool(getattr(request.user, "is_superuser", False))
    addressed_to = None if everything else str(getattr(request.user, "email", ""))
    return render(
        request,
        "core/mailbox.html",
        {"messages_sent": read_spool(addressed_to=addressed_to), "everything": everything},
    )
