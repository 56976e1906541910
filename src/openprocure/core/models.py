"""Models shared by both sites. Each site keeps its own rows in its own database."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openprocure.core.choices import (
    AdminEventKind,
    Direction,
    LanguageSource,
    OutboxStatus,
    PlatformAdapter,
    PlatformFlowOutcome,
    Protocol,
)
from openprocure.core.fields import optional_link, payload_id_field
from openprocure.core.status import status_field


class EmailUserManager(UserManager["User"]):
    """Users sign in with their e-mail address; the username mirrors it."""

    def create_user(  # type: ignore[override]  # e-mail first: the username mirrors it
        self, email: str | None = None, password: str | None = None, **extra_fields: Any
    ) -> User:
        email = self.normalize_email(email or extra_fields.pop("username", "")).strip().lower()
        extra_fields.pop("username", None)
        return super().create_user(email, email, password, **extra_fields)

    def create_superuser(  # type: ignore[override]  # e-mail first: the username mirrors it
        self, email: str | None = None, password: str | None = None, **extra_fields: Any
    ) -> User:
        email = self.normalize_email(email or extra_fields.pop("username", "")).strip().lower()
        extra_fields.pop("username", None)
        return super().create_superuser(email, email, password, **extra_fields)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)


class User(AbstractUser):
    """A person who signs in to one site. Both sites use this model, each in its own database."""

    email = models.EmailField(_("e-mail address"), unique=True)
    preferred_language = models.CharField(_("language"), max_length=8, blank=True)
    # Who set preferred_language (core.languages): a PunchOut request never overrides a person's choice.
    language_source = models.CharField(
        _("language set by"), max_length=8, choices=LanguageSource.choices, blank=True
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[EmailUserManager] = EmailUserManager()

    # django-stubs does not declare the Meta inner class of AbstractUser (it exists at run time).
    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]  # AbstractUser.Meta exists at run time; the stubs do not declare it
        swappable = "AUTH_USER_MODEL"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = (self.email or "").strip().lower()
        self.username = self.email
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class NewestFirst(models.Model):
    """A record stamped when it came to be (``created_at``) and listed newest first.

    The primary key breaks ties between records of the same instant, so the pages of a list never
    overlap (``core.lists.paginate``). A record whose stamp means something else ("received",
    "raised"…) declares its own ``created_at``; its ``Meta`` extends ``NewestFirst.Meta``.
    """

    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]


class NumberedDocument(models.Model):
    """A business document known by its number (a requisition, an order, a receipt, an invoice…),
    which is how it reads everywhere. The ``number`` field is each document's own: its label,
    length and uniqueness differ."""

    number: models.CharField[Any, str]

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.number


class RequestedRun(NewestFirst):
    """Work a person asked for that a worker does later (a catalog export, a conformance run), newest
    first: who asked and when, when the worker started it and when it finished. Each record adds what
    it works on, its status and what came of it."""

    requested_by = optional_link(settings.AUTH_USER_MODEL)
    created_at = models.DateTimeField(_("asked for"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta(NewestFirst.Meta):
        abstract = True


class ConformanceRunRecord(RequestedRun):
    """One run of conformance checks against a partner's system, newest first: the buyer suite checks
    a supplier's PunchOut site (``suppliers.ConformanceRun``), the storefront a business's procurement
    system (``orders.ConformanceRun``): who asked and when, when a worker started and finished it, and
    why it could not finish. Each site adds what it runs against, its statuses and the report."""

    requested_by = optional_link(settings.AUTH_USER_MODEL, _("requested by"))
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    error = models.TextField(_("why the run could not finish"), blank=True)

    class Meta(RequestedRun.Meta):
        abstract = True


class RaisedIssue(NewestFirst):
    """Something raised for a person to look at and resolve (a supplier's rejected line, an invoice that
    failed a matching check), newest first: when it was raised, who resolved it and when. Each record
    adds what it is about, its status and the words given when it was resolved."""

    resolved_by = optional_link(settings.AUTH_USER_MODEL)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    created_at = models.DateTimeField(_("raised"), default=timezone.now)

    class Meta(NewestFirst.Meta):
        abstract = True


class ApiCredential(models.Model):
    """A secret that opens the REST API, shown once when made: only its first characters (to tell it
    apart in a list) and its hash are kept (the hash field is the site's own). A revoked one stays."""

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("starts with"), max_length=12)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Document(NewestFirst):
    """One document exchanged with a partner, kept raw (secrets masked) and as a parsed summary.

    This is the document journal: every inbound request and our answer, every outbound document
    and the partner's answer. Support staff read it; nothing else rewrites it.
    """

    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    protocol = models.CharField(_("protocol"), max_length=8, choices=Protocol.choices, default=Protocol.CXML)
    kind = models.CharField(_("message type"), max_length=64, blank=True)
    payload_id = payload_id_field(blank=True, db_index=True)
    in_reply_to = models.ForeignKey(
        "self",
        verbose_name=_("answer to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="answers",
    )
    partner = models.CharField(_("partner"), max_length=200, blank=True, db_index=True)
    reference = models.CharField(_("business reference"), max_length=200, blank=True, db_index=True)
    raw = models.TextField(_("raw document (secrets masked)"), blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    parsed = models.JSONField(_("parsed summary"), default=dict, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    status_code = models.PositiveIntegerField(_("status code"), null=True, blank=True)
    status_text = models.TextField(_("status text"), blank=True)
    remote_addr = models.GenericIPAddressField(_("remote address"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta(NewestFirst.Meta):
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.kind or '?'} {self.payload_id}"


class OutboxMessage(NewestFirst):
    """A document we must deliver to a partner: stored first, delivered by a worker, retried on failure.

    The retry policy lives here rather than in the task queue, so it is the same on every task
    backend and visible to people. A delivered message is never sent again; a message whose worker
    died mid-delivery goes back to the queue when its lease expires, and the partner recognises the
    repeat by its payloadID.
    """

    kind = models.CharField(_("message type"), max_length=64)
    url = models.URLField(_("destination"), max_length=1000)
    # The URL's host (and port): deliveries to one host are limited in number at a time, so a slow
    # partner cannot take every worker.
    destination = models.CharField(_("host"), max_length=300, blank=True, db_index=True)
    payload_id = payload_id_field(unique=True)
    # Secrets masked: the sender puts the shared secret in at delivery (see ``secret_source``).
    body = models.TextField(_("body (secrets masked)"))
    # Whose shared secret goes into Sender at delivery, read then from its encrypted store: a key the
    # site's OUTBOX_SECRET_LOOKUP understands (e.g. a connection's ID); empty when the document has none.
    secret_source = models.CharField(_("shared secret of"), max_length=100, blank=True)
    # The result callback of the app that stored it (``core.outbox.result_hook``), told in the
    # transaction that records its delivery, refusal or giving up; empty when nobody waits for it.
    on_result = models.CharField(_("result callback"), max_length=100, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, default="text/xml; charset=utf-8")
    reference = models.CharField(_("business reference"), max_length=200, blank=True, db_index=True)
    partner = models.CharField(_("partner"), max_length=200, blank=True)
    status = status_field(OutboxStatus, OutboxStatus.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveIntegerField(_("maximum attempts"), default=12)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now, db_index=True)
    lease_token = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(_("last status code"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    response_body = models.TextField(_("partner's answer"), blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    document = models.OneToOneField(
        Document, verbose_name=_("journal entry"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta(NewestFirst.Meta):
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")

    def __str__(self) -> str:
        return f"{self.kind} {self.payload_id} ({self.status})"


class DeliveryAttempt(models.Model):
    """One try at delivering an outbox message, with what the partner answered."""

    class Outcome(models.TextChoices):
        DELIVERED = "delivered", _("Delivered")  # cXML 2xx
        TRANSIENT = "transient", _("Transient failure")  # network error, HTTP or cXML 5xx: retried
        PERMANENT = "permanent", _("Refused")  # cXML or HTTP 4xx: never retried

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="delivery_attempts")
    number = models.PositiveIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    status_code = models.PositiveIntegerField(_("status code"), null=True, blank=True)
    detail = models.TextField(_("detail"), blank=True)
    response_body = models.TextField(_("partner's answer"), blank=True)

    class Meta:
        ordering = ["message", "number"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        constraints = [models.UniqueConstraint(fields=["message", "number"], name="unique_attempt_number")]

    def __str__(self) -> str:
        return f"#{self.number} {self.outcome}"


class SchedulerLease(models.Model):
    """The claim of one worker process to be the installation's scheduler, until it expires.

    One row per name ("scheduler"). The worker holding it renews it while alive; when it dies the
    lease runs out and another worker's scheduler takes it (``openprocure.core.scheduling``).
    """

    name = models.CharField(max_length=64, primary_key=True)
    holder = models.CharField(_("held by"), max_length=200, blank=True)
    expires_at = models.DateTimeField(_("expires"))

    class Meta:
        verbose_name = _("scheduler lease")
        verbose_name_plural = _("scheduler leases")

    def __str__(self) -> str:
        return f"{self.name}: {self.holder}"


class PeriodicTask(models.Model):
    """A task of ``PERIODIC_TASKS`` as the installation's scheduler runs it: when it is due next.

    The row makes the schedule installation-wide: a period is enqueued by whoever claims it first
    (one conditional UPDATE of ``next_run_at``), so it runs once however many workers there are.
    """

    path = models.CharField(_("task"), max_length=200, primary_key=True)
    next_run_at = models.DateTimeField(_("next run"))
    last_enqueued_at = models.DateTimeField(_("last enqueued"), null=True, blank=True)
    # The task result of the last run: a period is not enqueued while the previous run is unfinished.
    last_result_id = models.CharField(max_length=100, blank=True)
    runs = models.PositiveIntegerField(_("runs enqueued"), default=0)

    class Meta:
        ordering = ["path"]
        verbose_name = _("periodic task")
        verbose_name_plural = _("periodic tasks")

    def __str__(self) -> str:
        return self.path


class WorkerHeartbeat(models.Model):
    """A worker process of this site, as it last reported itself (every few seconds while alive)."""

    worker_id = models.CharField(_("worker"), max_length=200, primary_key=True)
    hostname = models.CharField(_("host"), max_length=200)
    pid = models.PositiveIntegerField(_("process"))
    backend = models.CharField(_("task backend"), max_length=200)
    slots = models.PositiveIntegerField(_("task slots"))
    started_at = models.DateTimeField(_("started"))
    last_seen_at = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        ordering = ["hostname", "pid"]
        verbose_name = _("worker")
        verbose_name_plural = _("workers")

    def __str__(self) -> str:
        return self.worker_id


class AuditEvent(models.Model):
    """Something that happened to a business document, for its timeline and audit."""

    #: The name of the foreign key to the document the event is about (``order``, ``invoice``…).
    SUBJECT: ClassVar[str]
    #: What people read for each kind (an enum's labels, or a dict for kinds stored as identifiers).
    KIND_LABELS: ClassVar[Mapping[str, Any]] = {}

    kind = models.CharField(_("event"), max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        """The document's primary key and what happened to it (``42 submitted``)."""
        return f"{getattr(self, f'{self.SUBJECT}_id')} {self.kind}"

    @property
    def label(self) -> str:
        """What happened, in the reader's language."""
        return str(self.KIND_LABELS.get(self.kind, self.kind))

    @classmethod
    def about(cls, subject: models.Model | int) -> dict[str, Any]:
        """The fields that name ``subject`` (the document, or its primary key) on an event row."""
        if isinstance(subject, int):
            return {f"{cls.SUBJECT}_id": subject}
        return {cls.SUBJECT: subject}


class AdminEvent(AuditEvent):
    """A change an administrator made to a setting or policy record (a tolerance rule, a preferred
    supplier…): who, when, what changed. The record may be gone since; the event names it. The
    housekeeping (``core.housekeeping``) records here too, with no actor, what it did to a record
    (failed a stuck run, deleted an expired file)."""

    KIND_LABELS = dict(AdminEventKind.choices)

    kind = models.CharField(_("event"), max_length=32, choices=AdminEventKind.choices)
    subject_type = models.CharField(_("record type"), max_length=100, db_index=True)
    subject_id = models.PositiveBigIntegerField(_("record"), null=True, blank=True)
    subject_text = models.CharField(_("what"), max_length=200, blank=True)

    class Meta(AuditEvent.Meta):
        verbose_name = _("administrative change")
        verbose_name_plural = _("administrative changes")
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="admin_event_subject")]

    def __str__(self) -> str:
        return f"{self.subject_type} {self.subject_id} {self.kind}"

    @classmethod
    def about(cls, subject: models.Model | int) -> dict[str, Any]:
        assert isinstance(subject, models.Model), "an administrative change names its record"
        return {
            "subject_type": subject._meta.label_lower,
            "subject_id": subject.pk,
            "subject_text": str(subject)[:200],
        }


class PlatformFlow(models.Model):
    """One inbound file handled from an e-invoicing platform (an invoice or a CDAR status), kept so a
    file pulled again (after a crash between its handling and its filing) is never handled twice."""

    entity = models.CharField(_("legal entity (SIREN)"), max_length=20)
    flow_id = models.CharField(_("flow ID"), max_length=250)
    kind = models.CharField(_("kind"), max_length=10)
    name = models.CharField(_("file name"), max_length=255, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=PlatformFlowOutcome.choices)
    reason = models.TextField(_("reason"), blank=True)
    # The platform's last update of the flow: the next pull asks only for flows updated after it.
    updated_at = models.DateTimeField(_("updated at the platform"), null=True, blank=True)
    handled_at = models.DateTimeField(_("handled"), default=timezone.now)
    document = models.ForeignKey(
        Document, verbose_name=_("journal entry"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["-handled_at", "-id"]
        verbose_name = _("platform flow")
        verbose_name_plural = _("platform flows")
        constraints = [models.UniqueConstraint(fields=["entity", "flow_id"], name="unique_platform_flow")]

    def __str__(self) -> str:
        return f"{self.entity} {self.flow_id} ({self.outcome})"


class PlatformConnection(models.Model):
    """A legal entity's connection to its e-invoicing platform (Plateforme Agréée), entered by an
    administrator on the site's "E-invoicing platforms" page. The ``EINVOICE_PLATFORMS`` setting may
    configure the same entity too: the setting wins (``openprocure.core.platform``).

    The folder adapter uses the two directories, the XP Z12-013 one the URLs and client
    credentials; the client secret is kept encrypted (``core.platform.credentials``), never shown."""

    siren = models.CharField(
        _("SIREN"),
        max_length=9,
        unique=True,
        validators=[RegexValidator(r"^[0-9]{9}$", _("A SIREN is 9 digits."))],
    )
    name = models.CharField(_("legal entity"), max_length=200)
    adapter = models.CharField(_("adapter"), max_length=20, choices=PlatformAdapter.choices)
    enabled = models.BooleanField(_("enabled"), default=True)
    outbound = models.CharField(_("outbound directory"), max_length=500, blank=True)
    inbound = models.CharField(_("inbound directory"), max_length=500, blank=True)
    base_url = models.URLField(_("API base URL"), max_length=500, blank=True)
    token_url = models.URLField(_("token URL"), max_length=500, blank=True)
    client_id = models.CharField(_("client ID"), max_length=200, blank=True)
    # A Fernet token (core.crypto.SecretBox); empty until a secret is entered.
    client_secret_encrypted = models.TextField(_("client secret (encrypted)"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["siren", "id"]
        verbose_name = _("e-invoicing platform connection")
        verbose_name_plural = _("e-invoicing platform connections")

    def __str__(self) -> str:
        return f"{self.siren} {self.name}"
