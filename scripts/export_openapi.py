"""Write the OpenAPI description of both sites' REST APIs to ``docs/`` (or check that it is current).

    .venv/bin/python scripts/export_openapi.py          # rewrite docs/openapi-buyer.json and docs/openapi-supplier.json
    .venv/bin/python scripts/export_openapi.py --check  # exit 1 when a committed file differs from the code

The buyer suite and the storefront are two Django projects (two settings modules), so each schema is
generated in a process of its own, with a throw-away data folder (settings create key files there).
``tests/buyer/test_openapi_docs.py`` and ``tests/supplier/test_openapi_docs.py`` fail when the
committed files no longer match the code: run this script and commit the result.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

# site -> (settings module, module holding the NinjaAPI instance named ``api``)
SITES: dict[str, tuple[str, str]] = {
    "buyer": ("openprocure.buyer.settings", "openprocure.buyer.api"),
    "supplier": ("openprocure.supplier.settings", "openprocure.supplier.api"),
}


def target(site: str) -> Path:
    return DOCS / f"openapi-{site}.json"


def render(schema: Any) -> str:
    """The committed form of a schema: plain JSON types, two-space indent, one final newline."""
    return json.dumps(json.loads(json.dumps(schema, default=str)), indent=2, ensure_ascii=False) + "\n"


def _print_schema(site: str) -> None:
    """Run inside the child process: set Django up for ``site`` and print its schema."""
    import importlib

    import django

    django.setup()
    api = importlib.import_module(SITES[site][1]).api
    sys.stdout.write(render(api.get_openapi_schema()))


def generate(site: str) -> str:
    """The schema of ``site`` as the code describes it today."""
    settings_module, _module = SITES[site]
    with tempfile.TemporaryDirectory() as data_dir:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings_module,
            "OPENPROCURE_DATA_DIR": data_dir,
        }
        env.pop("OPENPROCURE_DEMO", None)
        result = subprocess.run(
            [sys.executable, __file__, "--print", site],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        raise SystemExit(f"could not generate the {site} schema:\n{result.stderr}")
    return result.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when a file is stale")
    parser.add_argument("--print", dest="print_site", choices=sorted(SITES), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.print_site:
        _print_schema(args.print_site)
        return 0
    stale = []
    for site in SITES:
        text = generate(site)
        path = target(site)
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if args.check:
            if current != text:
                stale.append(path)
            continue
        if current != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
        else:
            print(f"{path.relative_to(ROOT)} is up to date")
    for path in stale:
        print(f"{path.relative_to(ROOT)} is out of date: run scripts/export_openapi.py", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
