"""Access to the REST API: a business's API keys, created by its administrators (shown once, kept
as a hash), revoked, and looked up when a request presents one."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openprocure.core.models import User
from openprocure.supplier.business.credentials import token_hash
from openprocure.supplier.business.models import Business
from openprocure.supplier.business.services import require_any_administrator
from openprocure.supplier.orders.models import ApiKey


def create_api_key(*, business: Business, by: User, name: str) -> tuple[ApiKey, str]:
    """A new API key for the business (administrator or technical administrator); shown once."""
    require_any_administrator(
        by, business.pk, _("Only the administrators of this business may create API keys.")
    )
    if not name.strip():
        raise ValidationError(_("Name the key after the system that uses it."))
    key = "opk_" + secrets.token_urlsafe(32)
    api_key = ApiKey.objects.create(
        business=business, name=name.strip()[:100], prefix=key[:10], key_hash=token_hash(key), created_by=by
    )
    return api_key, key


def _require_key_administrator(by: User, business_id: int) -> None:
    require_any_administrator(
        by, business_id, _("Only the administrators of this business may manage API keys.")
    )


def revoke_api_key(*, key_id: int, by: User) -> ApiKey:
    """An administrator revokes a key of their business: it stops working at once; kept for the record."""
    with transaction.atomic():
        api_key = ApiKey.objects.select_for_update().get(pk=key_id)
        _require_key_administrator(by, api_key.business_id)
        if api_key.revoked_at is None:
            api_key.revoked_at = timezone.now()
            api_key.save(update_fields=["revoked_at"])
    return api_key


def business_for_api_key(key: str) -> Business | None:
    """The business an API key belongs to (None when unknown or revoked); notes when it was used."""
    api_key = (
        ApiKey.objects.select_related("business")
        .filter(key_hash=token_hash(key), revoked_at__isnull=True)
        .first()
    )
    if api_key is None:
        return None
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=timezone.now())
    return api_key.business
