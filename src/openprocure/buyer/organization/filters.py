"""The filters of the organisation's lists, declared once as django-filter ``FilterSet``\\ s.

The People page is the example to copy for a list that filters: a ``FilterSet`` reads the query
string, ``core.lists.paginate`` cuts the filtered rows into pages.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from openprocure.buyer.organization.models import UserProfile


class PeopleFilter(django_filters.FilterSet):
    """``?q=``: every word must match the e-mail, first or last name (in part), or the employee ID."""

    q = django_filters.CharFilter(method="search", label=_("Search by e-mail, name or employee ID"))

    class Meta:
        model = UserProfile
        fields: list[str] = []

    def search(self, queryset: QuerySet[UserProfile], name: str, value: str) -> QuerySet[UserProfile]:
        for word in value.split():
            queryset = queryset.filter(
                Q(user__email__icontains=word)
                | Q(user__first_name__icontains=word)
                | Q(user__last_name__icontains=word)
                | Q(employee_id__iexact=word)
            )
        return queryset

    def words(self) -> str:
        """The search as typed, spaces folded ("" when none)."""
        data: Any = self.form.cleaned_data if self.form.is_valid() else {}
        return " ".join((data.get("q") or "").split())
