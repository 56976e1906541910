"""The buyer suite's landing page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    """Landing page: what the suite does, or the signed-in user's starting point."""
    return render(request, "portal/home.html")
