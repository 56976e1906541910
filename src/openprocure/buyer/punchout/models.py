"""PunchOut sessions: one visit of one user to one supplier's catalog, from setup to returned cart."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openprocure.buyer.punchout.choices import SessionOperation, SessionStatus
from openprocure.core.fields import optional_link
from openprocure.core.models import NewestFirst
from openprocure.core.status import status_field


def new_cookie() -> str:
    """An unguessable session id: our BuyerCookie and the last part of the return URL."""
    return secrets.token_urlsafe(24)


class PunchOutSession(NewestFirst):
    """One shopping visit at a supplier: the BuyerCookie we sent and the cart that came back with it.

    A returned cart is applied only for an open session of the signed-in user who launched it; one
    that arrives without a signed-in user is held on the session until that user takes it.
    """

    cookie = models.CharField(_("BuyerCookie"), max_length=64, unique=True, default=new_cookie)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="punchout_sessions"
    )
    connection = models.ForeignKey(
        "suppliers.PunchOutConnection", on_delete=models.CASCADE, related_name="sessions"
    )
    operation = models.CharField(
        _("operation"), max_length=16, choices=SessionOperation.choices, default=SessionOperation.CREATE
    )
    status = status_field(SessionStatus, SessionStatus.STARTING)
    requisition = optional_link(
        "requisitions.Requisition",
        related_name="punchout_sessions",
        help_text=_("For edit/inspect: the requisition whose lines were sent; after return: the result."),
    )
    edited_line_ids = models.JSONField(_("lines sent for edit"), default=list, blank=True)
    start_page_url = models.URLField(_("start page"), max_length=4000, blank=True)
    error_text = models.TextField(_("supplier's error"), blank=True)
    setup_document = optional_link("core.Document")
    return_document = optional_link("core.Document")
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    # A cart posted without the buyer's sign-in (a cross-site POST carries no SameSite=Lax cookie, or
    # the sign-in expired), kept as it came until its owner, signed in, takes it (see services).
    held_at = models.DateTimeField(_("cart held since"), null=True, blank=True)
    held_body = models.BinaryField(_("held cart (raw body)"), default=b"", blank=True)
    held_fields = models.JSONField(_("held cart (form fields)"), default=dict, blank=True)
    held_content_type = models.CharField(_("held cart (content type)"), max_length=200, blank=True)

    class Meta(NewestFirst.Meta):
        verbose_name = _("PunchOut session")
        verbose_name_plural = _("PunchOut sessions")

    def __str__(self) -> str:
        return f"{self.connection} {self.operation} {self.created_at:%Y-%m-%d %H:%M}"
