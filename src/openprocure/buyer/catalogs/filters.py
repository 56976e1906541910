"""The filters of the hosted catalog lists (django-filter): versions by supplier and status, changes by kind."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from openprocure.buyer.catalogs.choices import ChangeKind, VersionStatus
from openprocure.buyer.catalogs.models import CatalogChange, CatalogVersion
from openprocure.buyer.suppliers.models import Supplier


class VersionFilter(django_filters.FilterSet):
    supplier = django_filters.ModelChoiceFilter(
        queryset=Supplier.objects.order_by("name", "pk"), label=_("Supplier"), empty_label=_("All suppliers")
    )
    status = django_filters.ChoiceFilter(
        choices=VersionStatus.choices, label=_("Status"), empty_label=_("Any")
    )

    class Meta:
        model = CatalogVersion
        fields: list[str] = []


class ChangeFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ChangeKind.choices, label=_("Change"), empty_label=_("Any"))

    class Meta:
        model = CatalogChange
        fields: list[str] = []
