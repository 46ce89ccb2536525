"""Project-level views: the health probe."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
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
