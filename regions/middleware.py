"""Sends every request to the first-run wizard until this portal serves a region."""

from __future__ import annotations

from collections.abc import Callable

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from regions.selectors import region_local

# Static files, the health probe, the wizard itself, and what browsers fetch on their own
# (a redirected /favicon.ico would load /setup/ and restart the wizard).
EXEMPT_PREFIXES = ("/static/", "/health/", "/setup/", "/favicon.ico", "/robots.txt")
# The API's schema and its docs page (whose script is `/api/docs/?script=`, its styles static
# files) describe the code, not this portal's data: they read no region.
EXEMPT_PATHS = frozenset({"/api/schema/", "/api/docs/"})


class SetupRequiredMiddleware:
    """Attaches `request.region` (the local region, or None) and guards a fresh install."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            request.region = region_local()
        except DatabaseError:
            if request.path == "/health/":  # the probe reports the database down itself
                return self.get_response(request)
            raise
        if (
            request.region is None
            and not request.path.startswith(EXEMPT_PREFIXES)
            and request.path not in EXEMPT_PATHS
        ):
            if request.path.startswith(("/api/", "/client/")):
                return JsonResponse(
                    {"detail": "This portal is not set up yet: finish the wizard at /setup/."},
                    status=503,
                )
            return redirect(reverse("regions:setup"))
        return self.get_response(request)
