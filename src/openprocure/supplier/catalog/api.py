"""The catalog-export router of the storefront's REST API (mounted by ``openprocure.supplier.api``,
which authenticates every call with an API key of one business: ``request.auth`` is the business).

A business's system asks for an export of its catalog, follows its progress and downloads the file,
as its administrators do on the export page.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from openprocure.supplier.catalog import services, tasks
from openprocure.supplier.catalog.choices import ExportStatus
from openprocure.supplier.catalog.forms import ExportForm
from openprocure.supplier.catalog.models import CatalogExport

router = Router(tags=["catalog exports"])


class ExportIn(Schema):
    format: str
    since: date | None = None


class ExportOut(Schema):
    id: int
    format: str
    since: datetime | None
    status: str
    total: int
    done: int
    error: str
    created_at: datetime
    finished_at: datetime | None
    file_deleted_at: datetime | None
    file_url: str


def export_out(export: CatalogExport) -> dict[str, Any]:
    url = reverse("supplier-api:catalog_export_file", kwargs={"export_id": export.pk})
    return {
        **{field: getattr(export, field) for field in ExportOut.model_fields if field != "file_url"},
        "file_url": url if export.status == ExportStatus.DONE and export.file_name else "",
    }


@router.post("/", response={202: ExportOut}, summary="Ask for an export of the business's catalog")
def start_export(request: HttpRequest, payload: ExportIn) -> Any:
    business = request.auth  # type: ignore[attr-defined]  # ninja puts the API key's business on request.auth
    form = ExportForm({"format": payload.format, "since": payload.since.isoformat() if payload.since else ""})
    if not form.is_valid():
        raise HttpError(
            422,
            " ".join(
                f"{field}: {' '.join(str(error) for error in errors)}"
                for field, errors in form.errors.items()
            ),
        )
    try:
        export = services.start_export(
            business=business,
            format=form.cleaned_data["format"],
            since=form.cleaned_data["since"],
            actor=None,
        )
    except ValidationError as error:
        raise HttpError(409, " ".join(error.messages)) from None
    tasks.run_catalog_export.enqueue(export.pk)
    export.refresh_from_db()
    return Status(202, export_out(export))


@router.get(
    "/{export_id}", response=ExportOut, summary="One export of the business's catalog, with its progress"
)
def get_export(request: HttpRequest, export_id: int) -> Any:
    export = get_object_or_404(CatalogExport, pk=export_id, business=request.auth)  # type: ignore[attr-defined]  # ninja puts the API key's business on request.auth
    return export_out(export)


@router.get("/{export_id}/file", url_name="catalog_export_file", summary="The file of a written export")
def catalog_export_file(request: HttpRequest, export_id: int) -> FileResponse:
    export = get_object_or_404(
        CatalogExport,
        pk=export_id,
        business=request.auth,  # type: ignore[attr-defined]  # ninja puts the API key's business on request.auth
        status=ExportStatus.DONE,
    )
    if export.file_deleted_at is not None:
        raise HttpError(404, "The file of this export was deleted after its retention: ask for a new export.")
    path = services.export_path(export)
    if not path.is_file():
        raise HttpError(404, "The file of this export is gone.")
    content_type = "application/xml" if path.suffix == ".xml" else "text/plain; charset=utf-8"
    return FileResponse(open(path, "rb"), as_attachment=True, filename=path.name, content_type=content_type)
