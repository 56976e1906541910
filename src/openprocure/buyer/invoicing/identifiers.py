"""Suppliers by identifier: an invoice names its seller by VAT number, SIREN, SIRET, electronic address
or cXML identity, never by name; each identifier is registered for one supplier, checked where it can be."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from openprocure.buyer.invoicing.choices import IdentifierScheme
from openprocure.buyer.invoicing.decisions import InvoicingError
from openprocure.buyer.invoicing.einvoice import normalize_identifier
from openprocure.buyer.invoicing.models import SupplierIdentifier
from openprocure.buyer.suppliers.models import Supplier


def add_identifier(*, supplier: Supplier, scheme: str, value: str) -> SupplierIdentifier:
    """Register an identifier (VAT, SIREN, SIRET, cXML identity…) of a supplier, checked where we can."""
    clean = normalize_identifier(value)
    if scheme == IdentifierScheme.CXML:
        clean = value.strip()
    elif scheme == IdentifierScheme.ADDRESS:
        clean = "".join(value.split())
    if not clean:
        raise InvoicingError(_("Enter the identifier."))
    _validate_identifier(scheme, clean)
    try:
        with transaction.atomic():
            return SupplierIdentifier.objects.create(supplier=supplier, scheme=scheme, value=clean)
    except IntegrityError:
        owner = SupplierIdentifier.objects.select_related("supplier").get(scheme=scheme, value=clean).supplier
        raise InvoicingError(
            _("%(value)s is already registered for %(supplier)s.") % {"value": clean, "supplier": owner}
        ) from None


def _validate_identifier(scheme: str, value: str) -> None:
    from stdnum.exceptions import ValidationError
    from stdnum.fr import siren, siret

    try:
        if scheme == IdentifierScheme.SIREN:
            siren.validate(value)
        elif scheme == IdentifierScheme.SIRET:
            siret.validate(value)
        elif scheme == IdentifierScheme.VAT:
            from stdnum.eu import vat

            if value[:2].isalpha() and value[:2] in vat.MEMBER_STATES | {"EL"}:
                vat.validate(value)
    except ValidationError as error:
        raise InvoicingError(
            _("%(value)s is not a valid %(scheme)s: %(error)s")
            % {"value": value, "scheme": IdentifierScheme(scheme).label, "error": error}
        ) from None


def supplier_for(identifiers: Iterable[tuple[str, str]]) -> Supplier:
    """The supplier an invoice's seller identifiers name (VAT, SIREN, SIRET…): never by name."""
    wanted = [(scheme, value) for scheme, value in identifiers if value]
    query = Q(pk__in=[])
    for scheme, value in wanted:
        query |= Q(scheme=scheme, value=value)
        if scheme == "siret":
            query |= Q(scheme="siren", value=value[:9])
        if scheme == "vat" and value.startswith("FR") and len(value) == 13:
            query |= Q(scheme="siren", value=value[4:])
    found = {row.supplier for row in SupplierIdentifier.objects.filter(query).select_related("supplier")}
    shown = ", ".join(f"{scheme.upper()} {value}" for scheme, value in wanted) or _("none")
    if not found:
        raise InvoicingError(
            _(
                "No supplier has the seller's identifiers (%(identifiers)s). Add the VAT, SIREN or SIRET "
                "to the supplier under Invoices → Supplier identifiers, then upload again."
            )
            % {"identifiers": shown},
            code="unknown_supplier",
        )
    if len(found) > 1:
        raise InvoicingError(
            _("The seller's identifiers (%(identifiers)s) belong to several suppliers: %(suppliers)s.")
            % {"identifiers": shown, "suppliers": ", ".join(sorted(s.name for s in found))},
            code="ambiguous_supplier",
        )
    return found.pop()
