"""Background tasks of hosted catalogs: reading and checking an uploaded file; dated prices day by day."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django_tasks import task

from openprocure.buyer.catalogs import dated_prices, services
from openprocure.core.tunables import tunable


@task()
def check_catalog(version_id: int) -> str:
    """Check the file of an uploaded version (``services.check_version``); its status afterwards."""
    return str(services.check_version(version_id=version_id).status)


@task()
def follow_dated_prices(day: str = "") -> int:
    """Set the price columns of the dated items of the versions in force for ``day`` (ISO 8601, today
    when empty), once a day per version (``dated_prices.follow``); how many items changed."""
    on = date.fromisoformat(day) if day else timezone.localdate()
    changed = dated_prices.follow(
        services.current_versions().values(), on, batch_size=int(tunable("HOSTED_CATALOG_BATCH_SIZE"))
    )
    return sum(changed.values())
