"""Choices of the catalog's business exports, with the transition table of an export's status."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportFormat(models.TextChoices):
    CIF = "cif", _("CIF 3.0 (SAP Ariba)")
    BMECAT = "bmecat", _("BMEcat 2005")


class SelectionScope(models.TextChoices):
    """Which products a business's catalog contains (``CatalogSelection``)."""

    ALL = "all", _("Every product")
    CATEGORY = "category", _("One UNSPSC category")
    PARTS = "parts", _("A list of part numbers")


class ExportStatus(models.TextChoices):
    """A catalog export (``CatalogExport``)."""

    QUEUED = "queued", _("Waiting to start")  # asked for; the worker has not taken it yet
    RUNNING = "running", _("Writing")  # the worker is writing the file
    DONE = "done", _("Ready to download")  # the file is written
    FAILED = "failed", _("Failed")  # stopped; ``error`` says why


EXPORT_TRANSITIONS: dict[str, set[str]] = {
    ExportStatus.QUEUED: {ExportStatus.RUNNING, ExportStatus.FAILED},
    ExportStatus.RUNNING: {ExportStatus.DONE, ExportStatus.FAILED},
    ExportStatus.DONE: set(),
    ExportStatus.FAILED: set(),
}
