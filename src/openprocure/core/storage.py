"""Where a site keeps the files it stores: named folders of its data directory (``DATA_DIR``)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def data_folder(name: str) -> Path:
    """The folder ``name`` of the site's data directory, made when it is missing."""
    folder = Path(settings.DATA_DIR) / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder
