"""Background task of hosted catalogs: reading and checking an uploaded file."""

from __future__ import annotations

from django_tasks import task

from openprocure.buyer.catalogs import services


@task()
def check_catalog(version_id: int) -> str:
    """Check the file of an uploaded version (``services.check_version``); its status afterwards."""
    return str(services.check_version(version_id=version_id).status)
