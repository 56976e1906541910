"""Supplier directory and PunchOut connections: secrets, and the "Test connection" button."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from openprocure.buyer.suppliers import wire
from openprocure.buyer.suppliers.choices import ConnectionProtocol
from openprocure.buyer.suppliers.crypto import InvalidToken, decrypt_secret, encrypt_secret
from openprocure.buyer.suppliers.models import DocumentIdentity, PunchOutConnection
from openprocure.core.audit import record_event, save_administered
from openprocure.core.choices import AdminEventKind, Direction, Protocol
from openprocure.core.crypto import validate_shared_secret
from openprocure.core.exceptions import ServiceError
from openprocure.core.journal import MASK, mask_secret_bytes, mask_secrets, record_document
from openprocure.core.models import AdminEvent, Document, User
from openprocure.core.outbox import SecretUnavailable
from punchout import oci
from punchout.cxml import CXML, Credential, CXMLError, DeploymentMode, build, parse
from punchout.cxml.helpers import make_header, new_payload_id
from punchout.cxml.profile import ProfileRequest, ProfileResponse, free_text_declared

logger = logging.getLogger(__name__)


class ConnectionError_(ServiceError):
    """A connection that cannot be used as configured; ``message`` says what to fix."""


def check_new_secret(connection: PunchOutConnection, secret: str) -> None:
    """Refuse a cXML shared secret shorter than the minimum (an OCI password is the supplier's own)."""
    if secret and connection.protocol != ConnectionProtocol.OCI:
        validate_shared_secret(secret)


def set_shared_secret(*, connection: PunchOutConnection, secret: str) -> None:
    """Encrypt and store a new shared secret (the plain value is not kept anywhere)."""
    check_new_secret(connection, secret)
    connection.shared_secret_encrypted = encrypt_secret(secret) if secret else ""
    connection.save(update_fields=["shared_secret_encrypted", "updated_at"])


def shared_secret(connection: PunchOutConnection) -> str:
    """The plain shared secret, for building a request; never log or render it."""
    if not connection.shared_secret_encrypted:
        return ""
    try:
        return decrypt_secret(connection.shared_secret_encrypted)
    except InvalidToken:
        raise ConnectionError_(
            _(
                "The shared secret of %(connection)s cannot be read (the encryption key changed?). "
                "Enter it again on the connection page."
            )
            % {"connection": connection}
        ) from None


def add_supplier(*, form: Any, actor: Any) -> Any:
    """An administrator adds a supplier; the addition is recorded (an ``AdminEvent``)."""
    return save_administered(form, actor=actor)


def save_connection(
    *,
    connection: PunchOutConnection,
    new_secret: str = "",
    free_text_chosen: bool = False,
    actor: Any = None,
) -> PunchOutConnection:
    """Save a connection's settings; a non-empty ``new_secret`` replaces the stored one.

    Saved by an administrator (``actor``), the change is recorded as an ``AdminEvent`` naming the
    columns whose stored value changed (the names only: never a secret's value).

    ``free_text_chosen``: an administrator changed whether the supplier accepts free-text lines;
    from then on the supplier's profile no longer changes it.

    Documents waiting in the outbox carry the new secret from their next attempt: they are stored
    with it masked and the outbox reads it at delivery (:func:`outbox_secret`).
    """
    check_new_secret(connection, new_secret)
    if free_text_chosen:
        connection.free_text_set_by_admin = True
    with transaction.atomic():
        created = connection._state.adding
        before = None if created else PunchOutConnection.objects.filter(pk=connection.pk).first()
        if new_secret:
            connection.shared_secret_encrypted = encrypt_secret(new_secret)
        connection.save()
        if actor is not None:
            columns = [
                field.attname
                for field in PunchOutConnection._meta.concrete_fields
                if not getattr(field, "auto_now", False)  # a time stamp, not a setting
            ]
            changed = [
                name
                for name in columns
                if before is None or getattr(before, name) != getattr(connection, name)
            ]
            record_event(
                AdminEvent,
                connection,
                AdminEventKind.CREATED if created else AdminEventKind.CHANGED,
                actor=actor,
                detail={"fields": changed},
            )
    return connection


def payload_domain() -> str:
    """The host name used in our payloadIDs."""
    return urlsplit(settings.PUBLIC_URL).hostname or "openprocure.local"


def outbox_secret(source: str) -> str:
    """The shared secret of the connection an outbox document belongs to, read at delivery
    (``OUTBOX_SECRET_LOOKUP``; ``source`` is the connection's ID)."""

    connection = PunchOutConnection.objects.select_related("supplier").filter(pk=int(source)).first()
    if connection is None:
        raise SecretUnavailable(
            _(
                "The supplier connection this document was built for no longer exists: send the document again."
            )
        )
    try:
        return shared_secret(connection)
    except ConnectionError_ as error:
        raise SecretUnavailable(error.message) from None


def cxml_envelope(connection: PunchOutConnection, message: object, *, masked_secret: bool = False) -> CXML:
    """A request document with the connection's From/To/Sender credentials and SharedSecret.

    With ``masked_secret`` (a document for the outbox) the SharedSecret holds the mask, which the
    outbox replaces with the connection's secret at delivery; the secret is not decrypted here.
    """
    if masked_secret:
        secret = MASK if connection.has_shared_secret else ""
    else:
        secret = shared_secret(connection)
    header = make_header(
        from_=[Credential(connection.from_domain, connection.from_identity)],
        to=[Credential(connection.to_domain, connection.to_identity)],
        sender=[Credential(connection.sender_domain, connection.sender_identity, secret)],
        user_agent=wire.USER_AGENT,
    )
    return CXML(
        message=message,  # type: ignore[arg-type]  # each request kind is a valid cXML message; the union is wider than the field's type
        payload_id=new_payload_id(payload_domain()),
        timestamp=datetime.now(UTC).replace(microsecond=0),
        header=header,
        deployment_mode=DeploymentMode(connection.deployment_mode),
        lang="en-US",
    )


def journaled_request(
    connection: PunchOutConnection, message: object, *, kind: str, reference: str
) -> tuple[bytes, Document]:
    """A request to ``connection`` (see :func:`cxml_envelope`) written out and kept in the document
    journal as sent: its body, to post, and its journal entry, which the answer refers to."""
    document = cxml_envelope(connection, message)
    body = build(document)
    sent = record_document(
        direction=Direction.OUTBOUND,
        raw=body,
        kind=kind,
        payload_id=document.payload_id or "",
        partner=connection.supplier.name,
        reference=reference,
    )
    return body, sent


@dataclass
class ConnectionTestResult:
    """What the "Test connection" button found: what we sent, what came back, and our reading of it."""

    ok: bool
    summary: str
    url: str
    request_raw: str = ""
    http_status: int | None = None
    content_type: str = ""
    answer_raw: str = ""
    cxml_status_code: int | None = None
    cxml_status_text: str = ""
    cxml_status_message: str = ""
    details: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    profile: ProfileResponse | None = None


def test_connection(*, connection: PunchOutConnection, actor: User) -> ConnectionTestResult:
    """Send a ProfileRequest (cXML) or open the call-up page (OCI) and report exactly what came back."""
    if connection.protocol == ConnectionProtocol.OCI:
        result = _test_oci(connection)
    else:
        result = _test_cxml(connection)
    PunchOutConnection.objects.filter(pk=connection.pk).update(
        last_tested_at=timezone.now(), last_test_ok=result.ok
    )
    _remember_profile(connection, result)
    logger.info("connection %s tested by %s: %s", connection.pk, actor.pk, "ok" if result.ok else "failed")
    return result


def _test_cxml(connection: PunchOutConnection) -> ConnectionTestResult:
    url = connection.setup_url
    body, sent = journaled_request(
        connection, ProfileRequest(), kind="ProfileRequest", reference=f"connection-test:{connection.pk}"
    )
    answer = wire.post_xml(url, body)
    result = ConnectionTestResult(
        ok=False,
        summary="",
        url=url,
        request_raw=mask_secrets(body),
        http_status=answer.http_status,
        content_type=answer.content_type,
        answer_raw=mask_secrets(answer.body),
    )
    if answer.http_status is None:
        result.summary = _("No answer from %(url)s: %(error)s") % {"url": url, "error": answer.error}
        sent.status_text = answer.error
        sent.save(update_fields=["status_text"])
        return result
    try:
        # Read from the masked answer: a secret element the supplier echoes shows in no text we keep.
        parsed = parse(mask_secret_bytes(answer.body))
    except CXMLError as error:
        result.summary = _("HTTP %(status)s, but the answer is not usable cXML: %(error)s") % {
            "status": answer.http_status,
            "error": error.message,
        }
        record_document(
            direction=Direction.INBOUND,
            raw=answer.body,
            kind="",
            partner=connection.supplier.name,
            reference=sent.reference,
            status_text=error.message,
            in_reply_to=sent,
            content_type=answer.content_type,
        )
        return result
    doc = parsed.document
    status = doc.status
    result.warnings = [f"{w.code}: {w.message}" for w in parsed.warnings]
    if status is not None:
        result.cxml_status_code = status.code
        result.cxml_status_text = status.text
        result.cxml_status_message = status.message
    if isinstance(doc.message, ProfileResponse):
        result.profile = doc.message
        for transaction_ in doc.message.transactions:
            result.details.append(f"{transaction_.request_name} → {transaction_.url}")
    record_document(
        direction=Direction.INBOUND,
        raw=answer.body,
        kind=doc.kind,
        payload_id=doc.payload_id or "",
        partner=connection.supplier.name,
        reference=sent.reference,
        status_code=result.cxml_status_code,
        status_text=result.cxml_status_message or result.cxml_status_text,
        in_reply_to=sent,
        content_type=answer.content_type,
        warnings=[{"code": w.code, "path": w.path, "message": w.message} for w in parsed.warnings],
    )
    result.ok = status is not None and status.is_success
    if result.ok and status is not None:
        result.summary = _("The supplier answered %(code)s %(text)s.") % {
            "code": status.code,
            "text": status.text,
        }
    elif status is not None:
        result.summary = _("The supplier refused: %(code)s %(text)s %(message)s") % {
            "code": status.code,
            "text": result.cxml_status_text,
            "message": result.cxml_status_message,
        }
    else:
        result.summary = _("The answer has no cXML Status.")
    return result


def _remember_profile(connection: PunchOutConnection, result: ConnectionTestResult) -> None:
    """Keep the transactions a successful ProfileResponse lists (a failed one changes nothing)."""
    if not result.ok or result.profile is None:
        return
    transactions = {t.request_name: t.url for t in result.profile.transactions if t.request_name}
    changes: dict[str, object] = {
        "supported_transactions": transactions,
        "profile_refreshed_at": timezone.now(),
    }
    with transaction.atomic():
        locked = PunchOutConnection.objects.select_for_update().get(pk=connection.pk)
        if not locked.free_text_set_by_admin:
            # What the supplier declares; silent, the default (it accepts them).
            declared = free_text_declared(result.profile)
            changes["accepts_free_text"] = True if declared is None else declared
        PunchOutConnection.objects.filter(pk=connection.pk).update(**changes)
    for name, value in changes.items():
        setattr(connection, name, value)


#: A connection's profile is read again when older than this (``refresh_profiles``).
PROFILE_MAX_AGE = timedelta(days=1)
#: After a refresh that failed, the connection is asked again this much later; one never read
#: whose supplier did not answer at all (not started yet) is asked again at the next run.
PROFILE_RETRY_AFTER = timedelta(minutes=10)


def refresh_profiles(*, now: datetime | None = None) -> int:
    """Ask each active cXML connection whose profile is a day old (or was never read) for its
    ProfileResponse and keep the transactions it lists; returns how many answered.

    Run every minute by the worker: it asks only connections due, so a supplier is asked about once
    a day, and a failed attempt is retried after ``PROFILE_RETRY_AFTER``.
    """

    now = now or timezone.now()
    due = (
        PunchOutConnection.objects.filter(protocol=ConnectionProtocol.CXML, is_active=True)
        .filter(Q(profile_refreshed_at__isnull=True) | Q(profile_refreshed_at__lt=now - PROFILE_MAX_AGE))
        .exclude(last_test_ok=False, last_tested_at__gte=now - PROFILE_RETRY_AFTER)
    )
    answered = 0
    for connection in due.select_related("supplier"):
        try:
            result = _test_cxml(connection)
        except SecretUnavailable as error:
            logger.warning("profile of connection %s not read: %s", connection.pk, error.message)
            continue
        unreachable = result.http_status is None and connection.profile_refreshed_at is None
        if not unreachable:
            PunchOutConnection.objects.filter(pk=connection.pk).update(
                last_tested_at=now, last_test_ok=result.ok
            )
        _remember_profile(connection, result)
        answered += result.ok and result.profile is not None
    return answered


def oci_test_url(connection: PunchOutConnection) -> tuple[str, str]:
    """(call-up URL with the password, the same with the password masked) for the connection test."""
    hook = settings.PUBLIC_URL + reverse("punchout:return", args=["connection-test"])
    common: dict[str, Any] = {
        "hook_url": hook,
        "username": connection.oci_username,
        "login_fields": tuple(connection.oci_login_fields or oci.DEFAULT_LOGIN_FIELDS),
    }
    real = oci.build_callup_url(connection.setup_url, password=shared_secret(connection), **common)
    shown = oci.build_callup_url(connection.setup_url, password=MASK, **common)
    return real, shown


def _test_oci(connection: PunchOutConnection) -> ConnectionTestResult:
    url, shown = oci_test_url(connection)
    answer = wire.get_url(url)
    result = ConnectionTestResult(
        ok=answer.http_status is not None and 200 <= answer.http_status < 400,
        summary="",
        url=shown,
        http_status=answer.http_status,
        content_type=answer.content_type,
        answer_raw=mask_secrets(answer.body[:20000]),
    )
    if answer.http_status is None:
        result.summary = _("No answer from the catalog: %(error)s") % {"error": answer.error}
    else:
        result.summary = _(
            "The catalog page answered HTTP %(status)s (OCI has no status: check the page)."
        ) % {"status": answer.http_status}
    record_document(
        direction=Direction.OUTBOUND,
        raw=shown,
        protocol=Protocol.OCI,
        kind="OCI call-up (test)",
        partner=connection.supplier.name,
        reference=f"connection-test:{connection.pk}",
        status_code=answer.http_status,
        status_text=result.summary,
    )
    return result


# -- document identities --------------------------------------------------------------------------------
def add_document_identity(*, connection: PunchOutConnection, domain: str, identity: str) -> DocumentIdentity:
    """Recognise inbound documents signed with ``domain:identity`` as this connection's.

    Refused (ValidationError) when empty, when it is already the connection's own To identity, or
    when another connection already has it (a document must lead to one supplier only).
    """
    from django.core.exceptions import ValidationError

    domain, identity = domain.strip(), identity.strip()
    if not domain or not identity:
        raise ValidationError(_("Give both the credential domain and the identity."))
    shown = f"{domain}:{identity}"
    with transaction.atomic():
        own = PunchOutConnection.objects.filter(to_identity=identity, to_domain__iexact=domain)
        if own.filter(pk=connection.pk).exists():
            raise ValidationError(
                _("%(identity)s is already this connection's own identity (To).") % {"identity": shown}
            )
        other = own.exclude(pk=connection.pk).select_related("supplier").first()
        taken = (
            DocumentIdentity.objects.filter(identity=identity, domain__iexact=domain)
            .select_related("connection__supplier")
            .first()
        )
        holder = other or (taken.connection if taken else None)
        if holder is not None:
            raise ValidationError(
                _("%(identity)s already belongs to %(connection)s: an identity leads to one supplier only.")
                % {"identity": shown, "connection": holder}
            )
        return DocumentIdentity.objects.create(connection=connection, domain=domain, identity=identity)


def remove_document_identity(*, document_identity: DocumentIdentity) -> None:
    """Stop recognising documents signed with this identity."""
    with transaction.atomic():
        DocumentIdentity.objects.filter(pk=document_identity.pk).delete()
