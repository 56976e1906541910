"""The folders of a site's data directory where it keeps files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openprocure.core.storage import data_folder


def test_a_missing_folder_is_made_in_the_data_directory(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "site"
    folder = data_folder("catalog-uploads")
    assert folder == tmp_path / "site" / "catalog-uploads"
    assert folder.is_dir()


def test_a_folder_that_exists_keeps_its_files(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path
    (tmp_path / "catalog-exports").mkdir()
    (tmp_path / "catalog-exports" / "kept.csv").write_text("a,b\n")
    assert data_folder("catalog-exports") == tmp_path / "catalog-exports"
    assert (tmp_path / "catalog-exports" / "kept.csv").read_text() == "a,b\n"
