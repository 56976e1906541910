"""PunchOut sessions and the cart lines they return to the buyer's procurement system."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openprocure.core.fields import currency_field, payload_id_field
from openprocure.core.models import NewestFirst
from openprocure.core.status import status_field
from openprocure.supplier.punchout.choices import Operation, SessionProtocol, SessionStatus


class PunchOutSession(NewestFirst):
    """One shopping session opened by a buyer's procurement system, for one person of one business.

    The browser enters through a one-shot start URL (valid a few minutes, stored hashed) and then
    carries the session's key in every URL (``/po/<key>/…``), so the session works in an iframe and
    without third-party cookies. Only hashes of the start token and of the key are stored.
    """

    business = models.ForeignKey(
        "business.Business", on_delete=models.CASCADE, related_name="punchout_sessions"
    )
    integration = models.ForeignKey("business.Integration", on_delete=models.CASCADE, related_name="sessions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="punchout_sessions",
    )
    email = models.EmailField(_("shopper's e-mail"), blank=True)
    group = models.ForeignKey("business.BusinessGroup", null=True, blank=True, on_delete=models.SET_NULL)
    protocol = models.CharField(_("protocol"), max_length=8, choices=SessionProtocol.choices)
    operation = models.CharField(
        _("operation"), max_length=8, choices=Operation.choices, default=Operation.CREATE
    )
    status = status_field(SessionStatus, SessionStatus.PENDING)
    is_test = models.BooleanField(_("test"), default=False)
    buyer_cookie = models.CharField(_("BuyerCookie"), max_length=500, blank=True)
    return_url = models.CharField(_("return URL (BrowserFormPost / HOOK_URL)"), max_length=2000)
    # The buyer's From credentials, echoed in the To of the PunchOutOrderMessage.
    buyer_credentials = models.JSONField(default=list, blank=True)
    ship_to = models.JSONField(_("ship to"), default=dict, blank=True)
    # What the buyer's system told us about the shopper (FirstName, LastName…), to pre-fill forms.
    shopper = models.JSONField(_("shopper"), default=dict, blank=True)
    # OCI call-up options echoed on return (~TARGET, ~OkCode, ~CALLER, OCI_VERSION, charset).
    oci_options = models.JSONField(default=dict, blank=True)
    setup_payload_id = payload_id_field(_("setup payloadID"), blank=True)
    start_token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    start_expires_at = models.DateTimeField(_("start URL expires"), null=True, blank=True)
    key_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    changed = models.BooleanField(_("cart changed"), default=False)
    # Flash messages waiting to be shown in this session (see punchout.messages).
    pending_messages = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField(_("browser arrived"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta(NewestFirst.Meta):
        verbose_name = _("PunchOut session")
        verbose_name_plural = _("PunchOut sessions")

    def __str__(self) -> str:
        return f"{self.business} {self.email} ({self.get_status_display()})"

    @property
    def read_only(self) -> bool:
        return self.operation == Operation.INSPECT


class CartLine(models.Model):
    """A line of a PunchOut cart: product, quantity and the unit price at the time it was added.

    ``auxiliary_id`` is the line's opaque identity, sent as ``SupplierPartAuxiliaryID``: the buyer
    echoes it in the OrderRequest (and in an ``edit`` setup), which is how we find the line again.
    """

    business = models.ForeignKey("business.Business", on_delete=models.CASCADE, related_name="cart_lines")
    session = models.ForeignKey(PunchOutSession, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=4)
    currency = currency_field()
    auxiliary_id = models.CharField(_("SupplierPartAuxiliaryID"), max_length=64, unique=True)
    # The line of an earlier cart this one was copied from (edit / inspect sessions).
    source_line = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        ordering = ["session", "id"]
        verbose_name = _("cart line")
        verbose_name_plural = _("cart lines")

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}"

    @property
    def line_total(self):
        return self.unit_price * self.quantity
