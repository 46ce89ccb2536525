"""Project-level views: the health probe, and the 404 answer."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from regions.selectors import region_local


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and `make cloud`: 200 when the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    region = region_local()
    return JsonResponse(
        {
            "status": "ok",
            "database": "up",
            "setup": region is not None,
            "region": {"id": region.pk, "name": region.name} if region else None,
        }
    )


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Under /api/ a URL that names nothing (`/api/users/0.5/`) is answered in the API's
    own JSON error shape, as a 404 from a view is; elsewhere, the portal's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)
