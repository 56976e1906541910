"""Hosted catalog test world: CIF files written with the protocol core's writer, uploaded through
the page by the procurement administrator (the worker runs at once)."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from openprocure.buyer.catalogs.models import CatalogVersion
from openprocure.buyer.suppliers.models import Supplier
from punchout import cif

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
#: The twelve positional fields up to the manufacturer's name, then currency, short name and flag.
FIELDS = (*cif.POSITIONAL_FIELDS[:9], "Currency", "Short Name", "PunchOut Enabled")


def item(
    part: str, description: str, price: str, *, unspsc: str = "44121615", unit: str = "EA", **more: str
) -> dict[str, str]:
    return {
        "Supplier Part ID": part,
        "Item Description": description,
        "SPSC Code": unspsc,
        "Unit Price": price,
        "Unit of Measure": unit,
        "Currency": "EUR",
        **more,
    }


def cif_file(items: Sequence[Mapping[str, str]], *, header: Mapping[str, str] | None = None) -> bytes:
    out = io.StringIO()
    writer = cif.Writer(
        out, fieldnames=FIELDS, header={"LOADMODE": "F", "CODEFORMAT": "UNSPSC", **(header or {})}
    )
    for row in items:
        writer.row(row)
    writer.close()
    return out.getvalue().encode()


def upload(client: Client, supplier: Supplier, content: bytes, name: str = "catalog.cif") -> CatalogVersion:
    """Upload through the page; returns the version (checked already: the tests' worker is immediate)."""
    answer = client.post("/catalogs/", {"supplier": supplier.pk, "file": SimpleUploadedFile(name, content)})
    assert answer.status_code == 302, answer.content.decode()[:2000]
    return CatalogVersion.objects.filter(supplier=supplier).order_by("-number").first()  # type: ignore[return-value]


def publish(client: Client, version: CatalogVersion, **data: str) -> CatalogVersion:
    answer = client.post(f"/catalogs/{version.pk}/publish/", data)
    assert answer.status_code == 302
    version.refresh_from_db()
    return version
