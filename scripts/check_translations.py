"""Fail when a user-facing string has no French translation, or the compiled catalog is stale.

Extracts every translatable string of both sites into a scratch copy of the catalog (Django's
makemessages), then asks gettext's msgattrib for untranslated or fuzzy entries.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "openprocure"
CATALOG = Path("locale/fr/LC_MESSAGES/django.po")


def main() -> int:
    if shutil.which("msgattrib") is None:
        print("gettext tools are missing: apt-get install gettext", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "openprocure"
        shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "static"))
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="openprocure.buyer.settings")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "django",
                "makemessages",
                "-l",
                "fr",
                "--no-obsolete",
                "--no-location",
                "-v",
                "0",
            ],
            cwd=copy,
            env=env,
            check=True,
        )
        extracted = copy / CATALOG
        problems = []
        for flag, label in (("--untranslated", "untranslated"), ("--only-fuzzy", "fuzzy")):
            out = subprocess.run(
                ["msgattrib", flag, "--no-wrap", str(extracted)], capture_output=True, text=True, check=True
            ).stdout
            ids = [
                line[7:-1] for line in out.splitlines() if line.startswith('msgid "') and line != 'msgid ""'
            ]
            problems += [f"{label}: {msgid}" for msgid in ids]
        committed_po = PACKAGE / CATALOG
        compiled = subprocess.run(
            ["msgfmt", "-o", "-", str(committed_po)], capture_output=True, check=True
        ).stdout
        committed_mo = committed_po.with_suffix(".mo")
        if not committed_mo.exists() or committed_mo.read_bytes() != compiled:
            problems.append(f"{committed_mo.relative_to(ROOT)} is stale: run scripts/translations.sh")
    if problems:
        print(f"{len(problems)} translation problem(s):")
        print("\n".join(f"  {p}" for p in problems[:200]))
        return 1
    print("translations complete (en, fr)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
