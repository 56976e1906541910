"""The storefront's landing page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    """Landing page of the storefront."""
    return render(request, "storefront/home.html")
