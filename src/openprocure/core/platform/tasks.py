"""The periodic pull of every configured platform (``PERIODIC_TASKS`` of both sites)."""

from __future__ import annotations

import logging

from django_tasks import task

from openprocure.core import platform

logger = logging.getLogger(__name__)


@task()
def pull_platforms() -> int:
    """Pull and handle the inbound flows of each configured legal entity; the number handled. A
    platform that cannot be read is logged and tried again at the next period (nothing is lost:
    its flows stay with it)."""
    count = 0
    for entity in platform.configured_entities():
        try:
            count += len(platform.pull(entity))
        except platform.PlatformError as error:
            logger.warning("platform of SIREN %s could not be read: %s", entity, error.text)
    return count
