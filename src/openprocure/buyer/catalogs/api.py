"""REST API (django-ninja) of hosted catalogs: a supplier's integration (or an administrator's script)
sends a catalog file, then reads its check: status, progress, changes and each bad row.

Mounted on the buyer's API as ``/api/catalogs/``; calls authenticate with a personal API token of a
procurement administrator (the token of a user the company created for that supplier's integration).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from openprocure.buyer.catalogs import services, tasks
from openprocure.buyer.catalogs.models import CatalogVersion
from openprocure.buyer.organization.services import is_procurement_admin
from openprocure.buyer.suppliers.models import Supplier

router = Router(tags=["catalogs"])

PROBLEMS_PER_PAGE = 100


class VersionOut(Schema):
    id: int
    supplier: str
    supplier_id: int
    number: int
    format: str
    status: str
    file_name: str
    sha256: str
    rows_read: int
    rows_expected: int
    item_count: int
    problem_count: int
    changes: dict[str, int]
    uploaded_at: datetime
    effective_from: datetime | None


class ProblemOut(Schema):
    line: int
    field: str
    value: str
    code: str
    message: str


class ProblemsOut(Schema):
    count: int
    page: int
    pages: int
    problems: list[ProblemOut]


class ErrorOut(Schema):
    detail: str
    code: str


def version_out(version: CatalogVersion) -> dict[str, Any]:
    return {
        "id": version.pk,
        "supplier": version.supplier.name,
        "supplier_id": version.supplier_id,
        "number": version.number,
        "format": version.format,
        "status": version.status,
        "file_name": version.original_name,
        "sha256": version.sha256,
        "rows_read": version.rows_read,
        "rows_expected": version.rows_expected,
        "item_count": version.item_count,
        "problem_count": version.problem_count,
        "changes": version.changes,
        "uploaded_at": version.uploaded_at,
        "effective_from": version.effective_from,
    }


def _forbidden(request: HttpRequest) -> tuple[int, dict[str, str]] | None:
    if not is_procurement_admin(request.user):
        return 403, {
            "detail": "Hosted catalogs are managed by procurement administrators.",
            "code": "forbidden",
        }
    return None


@router.post("/", response={202: VersionOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def upload_catalog(
    request: HttpRequest,
    supplier: int = Form(...),
    file: UploadedFile = File(...),  # noqa: B008
) -> Any:
    """Send a supplier's catalog file (CIF 3.0 or BMEcat): it is kept and checked in the background;
    read the answer's ``id`` with ``GET /api/catalogs/{id}`` until the status is ``valid`` or ``rejected``."""
    refused = _forbidden(request)
    if refused:
        return refused
    found = Supplier.objects.filter(pk=supplier, is_active=True).first()
    if found is None:
        return 404, {"detail": f"No active supplier has the id {supplier}.", "code": "unknown_supplier"}
    try:
        version = services.upload(
            supplier=found,
            chunks=file.chunks(),
            name=file.name or "",
            actor=request.user,  # type: ignore[arg-type]  # TokenAuth set a User
        )
    except services.CatalogError as error:
        return 400, {"detail": error.message, "code": "invalid_file"}
    tasks.check_catalog.enqueue(version.pk)
    version.refresh_from_db()
    return 202, version_out(version)


@router.get("/{version_id}", response={200: VersionOut, 403: ErrorOut})
def get_version(request: HttpRequest, version_id: int) -> Any:
    """A catalog version: status (uploaded, validating, valid, rejected, published, discarded),
    progress, counts of items, problems and changes."""
    refused = _forbidden(request)
    if refused:
        return refused
    return version_out(get_object_or_404(CatalogVersion.objects.select_related("supplier"), pk=version_id))


@router.get("/{version_id}/problems", response={200: ProblemsOut, 403: ErrorOut})
def get_problems(request: HttpRequest, version_id: int, page: int = 1) -> Any:
    """Why a version was rejected: each bad row with its line number, field, value and reason,
    100 a page."""
    refused = _forbidden(request)
    if refused:
        return refused
    version = get_object_or_404(CatalogVersion, pk=version_id)
    rows = version.problems.order_by("line", "id")
    count = rows.count()
    pages = max(1, -(-count // PROBLEMS_PER_PAGE))
    page = min(max(page, 1), pages)
    start = (page - 1) * PROBLEMS_PER_PAGE
    return {
        "count": count,
        "page": page,
        "pages": pages,
        "problems": [
            {"line": p.line, "field": p.field, "value": p.value, "code": p.code, "message": p.text}
            for p in rows[start : start + PROBLEMS_PER_PAGE]
        ],
    }
