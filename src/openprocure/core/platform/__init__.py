"""The e-invoicing platform connector (Plateforme Agréée): one interface, two adapters, used by both
sites.

- **Configuration** per legal entity (its SIREN), from two places: the ``EINVOICE_PLATFORMS``
  setting (from ``OPENPROCURE_EINVOICE_PLATFORMS``, see ``docs/operators.md``): ``{"<SIREN>":
  {"adapter": "folder", "outbound": …, "inbound": …}}`` or ``{"adapter": "xp_z12_013", "base_url":
  …, "token_url": …, "client_id": …, "client_secret": …}``; and the enabled
  :class:`~openprocure.core.models.PlatformConnection` rows entered on the site's "E-invoicing
  platforms" page. When both configure one SIREN **the setting wins** (the operator's deployment
  is the authority; the page shows that entity as set by the environment, read-only).
- **Out**: :func:`push_invoice` and :func:`push_status` (or :func:`send_status`, which builds the
  CDAR) store the file in the ONE outbox, addressed ``platform://<SIREN>/<kind>``; the outbox worker
  hands it to the entity's adapter (:func:`deliver`), retrying with backoff when the platform is
  unreachable or answers 5xx, and telling the sender's ``on_result`` callback the outcome.
- **In**: :func:`pull` (the periodic task ``pull_platforms``) reads each entity's inbound flows,
  records each in the journal and as a :class:`~openprocure.core.models.PlatformFlow`, hands it to
  the site's hooks (``hooks.invoice_received`` / ``hooks.status_received``) and tells the adapter
  how it went. A flow already recorded is only filed again, never handled twice.
"""

from __future__ import annotations

import base64
import logging
import secrets
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from openprocure.core import outbox
from openprocure.core.choices import Direction, PlatformAdapter, PlatformFlowOutcome, Protocol
from openprocure.core.exceptions import ServiceError
from openprocure.core.journal import record_document
from openprocure.core.models import Document, OutboxMessage, PlatformConnection, PlatformFlow
from openprocure.core.platform import hooks
from openprocure.core.platform.base import FlowKind, InboundFlow, Platform, PlatformError, kind_of
from openprocure.core.platform.credentials import InvalidToken, decrypt_client_secret
from openprocure.core.platform.folder import FolderPlatform
from openprocure.core.platform.xp_z12_013 import XPZ12013Platform
from punchout import cdar
from punchout.cxml.transport import PermanentDeliveryError, TransientDeliveryError

__all__ = [
    "FlowKind",
    "InboundFlow",
    "Platform",
    "PlatformError",
    "PlatformNotConfigured",
    "check_connection",
    "configured_entities",
    "connection_config",
    "deliver",
    "environment_entities",
    "is_configured",
    "platform_for",
    "pull",
    "push_invoice",
    "push_status",
    "send_status",
]

logger = logging.getLogger(__name__)

#: The URL scheme of outbox messages for a platform: ``platform://<SIREN>/invoice``.
SCHEME = "platform"
PDF = "application/pdf"


class PlatformNotConfigured(ServiceError):
    """No platform is configured for this legal entity; the message says which and where to set it."""


def environment_entities() -> dict[str, dict[str, Any]]:
    """The platforms the ``EINVOICE_PLATFORMS`` setting configures, by SIREN, in its order."""
    value = getattr(settings, "EINVOICE_PLATFORMS", {}) or {}
    return {str(key): dict(config) for key, config in value.items()}


def connection_config(connection: PlatformConnection) -> dict[str, Any]:
    """The configuration of a platform entered on the administration page, in the setting's shape
    (the client secret still encrypted: :func:`platform_for` decrypts it when it is needed)."""
    if connection.adapter == PlatformAdapter.FOLDER:
        return {"adapter": "folder", "outbound": connection.outbound, "inbound": connection.inbound}
    return {
        "adapter": connection.adapter,
        "base_url": connection.base_url,
        "token_url": connection.token_url,
        "client_id": connection.client_id,
        "client_secret_encrypted": connection.client_secret_encrypted,
    }


def _configuration() -> dict[str, dict[str, Any]]:
    """Every configured entity: the setting's first, then the enabled rows of the administration
    page for the other SIRENs (the setting wins for a SIREN both configure)."""
    configuration = environment_entities()
    for connection in PlatformConnection.objects.filter(enabled=True).order_by("siren", "pk"):
        configuration.setdefault(connection.siren, connection_config(connection))
    return configuration


def configured_entities() -> list[str]:
    """The SIRENs of the legal entities that have a platform: the setting's in its order, then the
    administration page's by SIREN."""
    return list(_configuration())


def is_configured(entity: str) -> bool:
    return entity in _configuration()


def platform_for(entity: str, *, updated_after: str = "") -> Platform:
    """The adapter of ``entity``'s platform. Raises :class:`PlatformNotConfigured`."""
    config = _configuration().get(entity)
    if config is None:
        raise PlatformNotConfigured(
            f"No e-invoicing platform is configured for SIREN {entity}: add it on the E-invoicing "
            "platforms page or to OPENPROCURE_EINVOICE_PLATFORMS (see docs/operators.md)."
        )
    return adapter_of(entity, config, updated_after=updated_after)


def adapter_of(entity: str, config: dict[str, Any], *, updated_after: str = "") -> Platform:
    """The adapter a configuration describes (``entity`` names it in errors). Raises
    :class:`PlatformNotConfigured`."""
    adapter = config.get("adapter", "folder")
    if adapter == "folder":
        return FolderPlatform(outbound=config["outbound"], inbound=config["inbound"])
    if adapter == "xp_z12_013":
        secret = config.get("client_secret", "")
        if "client_secret_encrypted" in config:
            try:
                secret = decrypt_client_secret(config["client_secret_encrypted"])
            except InvalidToken as error:
                raise PlatformNotConfigured(
                    f"The client secret of SIREN {entity}'s platform cannot be read (the encryption key "
                    "changed): enter it again on the E-invoicing platforms page."
                ) from error
        return XPZ12013Platform(
            base_url=config["base_url"],
            token_url=config["token_url"],
            client_id=config["client_id"],
            client_secret=secret,
            organization_id=config.get("organization_id", ""),
            scope=config.get("scope", ""),
            deadline=float(config.get("deadline", outbox.delivery_deadline())),
            updated_after=updated_after,
        )
    raise PlatformNotConfigured(
        f"The platform of SIREN {entity} names an unknown adapter {adapter!r}: use folder or xp_z12_013."
    )


def check_connection(entity: str, config: dict[str, Any]) -> None:
    """The "Test connection" button: what is cheap and real for the adapter (folder: write, read
    back and delete a probe file in each directory; XP Z12-013: obtain a new token). Raises
    :class:`PlatformError` or :class:`PlatformNotConfigured` saying what failed."""
    adapter_of(entity, config).check()


# -- out ---------------------------------------------------------------------------------------------
def _store(
    entity: str, *, kind: str, payload_id: str, content: bytes, content_type: str, reference: str, partner: str,
    on_result: str,
) -> OutboxMessage:  # fmt: skip
    platform_for(entity)  # refuse at once, in the sender's transaction, when there is none
    body = base64.b64encode(content).decode("ascii") if content_type == PDF else content.decode("utf-8")
    return outbox.enqueue_document(
        kind=kind,
        url=f"{SCHEME}://{entity}/{'status' if kind == 'CDAR' else 'invoice'}",
        payload_id=payload_id,
        body=body,
        reference=reference,
        partner=partner,
        content_type=content_type,
        on_result=on_result,
    )


def push_invoice(
    entity: str,
    *,
    number: str,
    content: bytes,
    content_type: str,
    reference: str = "",
    partner: str = "",
    on_result: str = "",
) -> OutboxMessage:
    """Send an issued e-invoice (CII/UBL XML, or a Factur-X PDF) through ``entity``'s platform, via
    the outbox. Storing the same invoice twice keeps one message."""
    return _store(
        entity,
        kind="Invoice",
        payload_id=f"platform-invoice-{entity}-{number}",
        content=content,
        content_type=content_type,
        reference=reference or number,
        partner=partner,
        on_result=on_result,
    )


def push_status(
    entity: str, message: cdar.StatusMessage, *, reference: str = "", partner: str = "", on_result: str = ""
) -> OutboxMessage:
    """Send a CDAR status through ``entity``'s platform, via the outbox (raises ``cdar.CDARError``
    when the message breaks the French rules: it is never stored)."""
    return _store(
        entity,
        kind="CDAR",
        payload_id=f"platform-status-{entity}-{message.id}",
        content=cdar.build(message),
        content_type="application/xml",
        reference=reference or message.invoice_id,
        partner=partner,
        on_result=on_result,
    )


def send_status(
    entity: str,
    invoice_ref: str,
    code: str,
    reason_code: str = "",
    reason_text: str = "",
    *,
    invoice_date: date,
    recipient: cdar.Party,
    invoice_issuer_id: str,
    role: str,
    name: str = "",
    invoice_type: str = "380",
    amount: Decimal | None = None,
    currency: str = "",
    vat_rate: Decimal | None = None,
    on_result: str = "",
) -> OutboxMessage:
    """Build the CDAR status ``code`` of invoice ``invoice_ref`` from ``entity`` (SIREN, in ``role``:
    BY buyer, SE seller) to ``recipient`` and push it through ``entity``'s platform (the outbox).

    A transmission status (213 Rejetée…) is issued in the name of the entity's platform (role WK),
    as the French rules want."""
    now = timezone.now()
    issuer = cdar.Party(id=entity, role="WK" if code in cdar.TRANSMISSION else role, name=name)
    message = cdar.StatusMessage(
        id=f"{invoice_ref}_{code}_{now:%Y%m%d%H%M%S}_{secrets.token_hex(3)}",
        issued_at=now,
        issuer=issuer,
        recipients=(recipient,),
        invoice_id=invoice_ref,
        invoice_date=invoice_date,
        invoice_type=invoice_type,
        status_code=code,
        invoice_issuer_id=invoice_issuer_id,
        reason_code=reason_code,
        reason=reason_text,
        amount=amount,
        currency=currency,
        vat_rate=vat_rate,
    )
    return push_status(entity, message, partner=recipient.name or recipient.id, on_result=on_result)


def deliver(message: OutboxMessage, deadline: float) -> tuple[int, str, bytes]:
    """The outbox's transport for ``platform://`` messages: hand the file to the entity's adapter.
    ``(status, detail, answer)``; raises the outbox's transient or permanent delivery error."""
    entity = outbox.destination_of(message.url)
    try:
        adapter = platform_for(entity)
    except PlatformNotConfigured as error:
        raise PermanentDeliveryError(0, str(error)) from error
    content = base64.b64decode(message.body) if message.content_type == PDF else message.body.encode("utf-8")
    kind = FlowKind.STATUS if message.kind == "CDAR" else FlowKind.INVOICE
    extension = ".pdf" if message.content_type == PDF else ".xml"
    try:
        flow_id = adapter.push(
            kind=kind,
            name=f"{message.payload_id}{extension}",
            content=content,
            content_type=message.content_type,
        )
    except PlatformError as error:
        failure = TransientDeliveryError if error.retryable else PermanentDeliveryError
        raise failure(error.status_code, error.text, body=error.body) from error
    return 202, f"taken by the platform as {flow_id}", flow_id.encode()


# -- in ----------------------------------------------------------------------------------------------
def _last_update(entity: str) -> str:
    latest = PlatformFlow.objects.filter(entity=entity).aggregate(latest=Max("updated_at"))["latest"]
    return latest.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if isinstance(latest, datetime) else ""


def _journal(entity: str, flow: InboundFlow) -> Document:
    raw = base64.b64encode(flow.content).decode("ascii") if flow.content_type == PDF else flow.content
    return record_document(
        direction=Direction.INBOUND,
        protocol=Protocol.PLATFORM,
        raw=raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw,
        kind="CDAR" if flow.kind == FlowKind.STATUS else "Invoice",
        payload_id=f"platform-{entity}-{flow.id}",
        partner=entity,
        reference=flow.name,
        content_type=flow.content_type,
    )


def _handle(entity: str, flow: InboundFlow) -> tuple[str, str]:
    """Hand one flow to the site's hooks and record it; ``(outcome, reason)``."""
    journal = _journal(entity, flow)
    reason = ""
    if flow.kind == FlowKind.STATUS:
        try:
            status = cdar.parse(flow.content)
        except cdar.CDARError as error:
            reason = f"not a readable CDAR status: {error}"
        else:
            answers = hooks.status_received(entity=entity, status=status, flow=flow, journal=journal)
            reason = next(
                (a for a in answers if a), "" if answers else "this site takes no lifecycle statuses"
            )
    else:
        answers = hooks.invoice_received(entity=entity, flow=flow, journal=journal)
        reason = next((a for a in answers if a), "" if answers else "this site takes no invoices")
    outcome = PlatformFlowOutcome.REFUSED if reason else PlatformFlowOutcome.ACCEPTED
    _record(entity, flow, outcome, reason, journal)
    return outcome, reason


def _record(entity: str, flow: InboundFlow, outcome: str, reason: str, journal: Document) -> None:
    """Keep that ``flow`` was handled, so it is never handled again."""
    PlatformFlow.objects.create(
        entity=entity,
        flow_id=flow.id[:250],
        kind=kind_of(flow.content).value,
        name=flow.name[:255],
        outcome=outcome,
        reason=reason,
        updated_at=flow.updated_at,
        document=journal,
    )


def pull(entity: str) -> list[tuple[str, str, str]]:
    """Read and handle every inbound flow of ``entity``'s platform; ``[(flow id, outcome, reason)]``
    of the flows handled now. Raises :class:`PlatformError` when the platform cannot be read."""
    adapter = platform_for(entity, updated_after=_last_update(entity))
    handled = []
    for flow in adapter.pull():
        known = PlatformFlow.objects.filter(entity=entity, flow_id=flow.id[:250]).first()
        if known is not None:
            adapter.acknowledge(
                flow, accepted=known.outcome == PlatformFlowOutcome.ACCEPTED, reason=known.reason
            )
            continue
        try:
            with transaction.atomic():
                outcome, reason = _handle(entity, flow)
        except Exception as error:
            logger.exception("platform %s: flow %s could not be handled", entity, flow.id)
            with transaction.atomic():
                outcome, reason = PlatformFlowOutcome.REFUSED, f"could not be handled: {error}"
                _record(entity, flow, outcome, reason, _journal(entity, flow))
        adapter.acknowledge(flow, accepted=outcome == PlatformFlowOutcome.ACCEPTED, reason=reason)
        handled.append((flow.id, str(outcome), reason))
    return handled


outbox.register_transport(SCHEME, deliver)
