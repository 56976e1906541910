"""Background tasks of the catalog: writing a business's exported catalog."""

from __future__ import annotations

from django_tasks import task

from openprocure.supplier.catalog import services


@task()
def run_catalog_export(export_id: int) -> str:
    """Write the file of an export a person asked for (``services.start_export``); its status."""
    return str(services.run_export(export_id=export_id).status)
