"""Secrets handed to people: the single-use links of approval e-mails and personal API tokens.

Only a token's SHA-256 is stored; the token itself is shown once (in the e-mail, or to the owner
of a new API token).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.utils import timezone

from openprocure.buyer.approvals.models import ApiToken, ApprovalAssignment, EmailActionToken
from openprocure.core.tunables import tunable


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# -- links of approval e-mails ----------------------------------------------------------------------
def issue_email_tokens(assignment: ApprovalAssignment, actions: list[str]) -> list[str]:
    """Fresh single-use link tokens, one per action; only their SHA-256 is stored."""
    return issue_email_tokens_many([assignment.pk], actions)[assignment.pk]


def issue_email_tokens_many(assignment_ids: list[int], actions: list[str]) -> dict[int, list[str]]:
    """:func:`issue_email_tokens` for many assignments at once (one INSERT)."""
    tokens = {pk: [secrets.token_urlsafe(32) for _ in actions] for pk in assignment_ids}
    expires = timezone.now() + timedelta(days=int(tunable("APPROVAL_LINK_DAYS")))
    EmailActionToken.objects.bulk_create(
        [
            EmailActionToken(assignment_id=pk, action=action, token_hash=_hash(token), expires_at=expires)
            for pk, issued in tokens.items()
            for action, token in zip(actions, issued, strict=True)
        ]
    )
    return tokens


def email_token(token: str) -> EmailActionToken | None:
    """The link's token row when it exists, is unused and unexpired."""
    row = (
        EmailActionToken.objects.select_related("assignment__step__request")
        .filter(token_hash=_hash(token))
        .first()
    )
    if row is None or row.used_at is not None or row.expires_at <= timezone.now():
        return None
    return row


# -- API tokens -----------------------------------------------------------------------------------------
def create_api_token(*, user: Any, name: str) -> tuple[Any, str]:
    """A new personal API token: the row (hash only) and the token, shown to its owner once."""
    token = "op_" + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(user=user, name=name, prefix=token[:10], token_hash=_hash(token))
    return row, token


def user_for_api_token(token: str) -> Any:
    """The active user owning ``token``, or None (the last use is recorded)."""
    row = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=_hash(token), revoked_at__isnull=True)
        .first()
    )
    if row is None or not row.user.is_active:
        return None
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    return row.user


def revoke_api_token(*, token_id: int, user: Any) -> bool:
    return bool(
        ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )
