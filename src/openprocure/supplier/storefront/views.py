"""The storefront's home page: search and departments, or what the storefront is to a newcomer."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from openprocure.supplier.catalog.models import Category


def home(request: HttpRequest) -> HttpResponse:
    """Home: the search box and the catalog's departments (UNSPSC segments)."""
    segments = Category.objects.filter(code__endswith="000000").order_by("name")
    return render(
        request,
        "storefront/home.html",
        {"segments": segments, "suggest_url": reverse("catalog-suggest")},
    )
