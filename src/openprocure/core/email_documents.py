"""E-mails delivered by the outbox: a document for a partner that has no integration goes out as an
e-mail, stored and retried like any other outbox message.

The message is built as a real ``EmailMultiAlternatives`` (text, HTML, attachments) by the app that
sends it, kept in the outbox as JSON (:func:`email_document`), and rebuilt and handed to the site's
mail backend by the worker (:func:`send_email_document`). Its outbox URL is ``mailto:<address>``
(:func:`mailto`). What the mail server answers decides the outcome as a partner's status does: a
refused recipient or a 5xx reply is permanent (a bounce at send, shown to people), a 4xx reply or a
server that cannot be reached is retried with the outbox's backoff.
"""

from __future__ import annotations

import base64
import json
import smtplib
from typing import Any

from django.core.mail import EmailMultiAlternatives, get_connection

from punchout.cxml.transport import PermanentDeliveryError, TransientDeliveryError

#: The content type of an e-mail kept in the outbox.
EMAIL_CONTENT_TYPE = "application/vnd.openprocure.email+json"
#: The scheme of an e-mail's outbox URL.
MAILTO = "mailto:"
#: The ``destination`` of every e-mail: they all go through the one mail server.
MAIL_DESTINATION = "mail-server"


def mailto(address: str) -> str:
    """The outbox URL of an e-mail to ``address``."""
    return MAILTO + address


def is_email(url: str) -> bool:
    """Whether an outbox URL names an e-mail recipient."""
    return url.lower().startswith(MAILTO)


def email_document(message: EmailMultiAlternatives) -> str:
    """The e-mail as kept in the outbox: its headers, text, HTML parts and attachments (base64)."""
    attachments = []
    for attachment in message.attachments:
        name, content, mimetype = attachment  # only (name, content, type) triples are attached
        data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        attachments.append(
            {"filename": name, "content_type": mimetype, "content": base64.b64encode(data).decode("ascii")}
        )
    return json.dumps(
        {
            "subject": message.subject,
            "from": message.from_email,
            "to": list(message.to),
            "reply_to": list(message.reply_to),
            "headers": dict(message.extra_headers),
            "text": message.body,
            "alternatives": [[content, mimetype] for content, mimetype in message.alternatives],
            "attachments": attachments,
        },
        ensure_ascii=False,
        indent=1,
    )


def email_from_document(text: str) -> EmailMultiAlternatives:
    """The e-mail :func:`email_document` kept, ready to send."""
    data: dict[str, Any] = json.loads(text)
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["text"],
        from_email=data["from"] or None,
        to=data["to"],
        reply_to=data.get("reply_to") or None,
        headers=data.get("headers") or {},
    )
    for content, mimetype in data.get("alternatives", []):
        message.attach_alternative(content, mimetype)
    for attachment in data.get("attachments", []):
        message.attach(
            attachment["filename"], base64.b64decode(attachment["content"]), attachment["content_type"]
        )
    return message


def email_summary(text: str) -> dict[str, Any] | None:
    """What a person reads of a kept e-mail instead of its JSON: its recipients, subject and the
    name, type and size in bytes of each attachment (never their base64 content); ``None`` when the
    text is not a kept e-mail."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    attachments = []
    for attachment in data.get("attachments") or []:
        content = str(attachment.get("content") or "")
        try:
            size = len(base64.b64decode(content, validate=True))
        except ValueError:
            size = 0
        attachments.append(
            {
                "filename": str(attachment.get("filename") or ""),
                "content_type": str(attachment.get("content_type") or ""),
                "size": size,
            }
        )
    return {
        "to": [str(address) for address in data.get("to") or []],
        "subject": str(data.get("subject") or ""),
        "attachments": attachments,
    }


def send_email_document(text: str, *, deadline: float) -> str:
    """Send the kept e-mail through the site's mail backend within ``deadline`` seconds; what the
    server said. Raises :class:`PermanentDeliveryError` when the server refuses it for good (a bounce
    at send) and :class:`TransientDeliveryError` when trying again later may help."""
    message = email_from_document(text)
    try:
        message.connection = get_connection(fail_silently=False, timeout=deadline)
        sent = message.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as error:
        code, reason = next(iter(error.recipients.values()), (550, b"recipient refused"))
        refused = ", ".join(error.recipients)
        text_ = f"{refused}: {_decoded(reason)}"
        if 400 <= code < 500:
            raise TransientDeliveryError(code, text_) from error
        raise PermanentDeliveryError(code, text_) from error
    except smtplib.SMTPResponseException as error:
        if error.smtp_code >= 500:
            raise PermanentDeliveryError(error.smtp_code, _decoded(error.smtp_error)) from error
        raise TransientDeliveryError(error.smtp_code, _decoded(error.smtp_error)) from error
    except (smtplib.SMTPException, OSError) as error:
        raise TransientDeliveryError(0, f"the mail server could not be reached: {error}") from error
    if not sent:
        raise TransientDeliveryError(0, "the mail backend sent nothing")
    return "250 accepted by the mail server for " + ", ".join(message.to)


def _decoded(reason: bytes | str) -> str:
    return reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
