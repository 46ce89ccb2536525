"""Project-level views: the 404 answer."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Under /api/ a URL that names nothing (`/api/users/0.5/`) is answered in the API's
    own JSON error shape, as a 404 from a view is; elsewhere, the portal's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)
