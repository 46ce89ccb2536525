"""GET /api/peer/change-log/: this region's own rows of the change log, for a peer's
cloud-wide list (signed and replay-proof like every peer call)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from regions.federation.change_log.forms import ChangeFilterForm
from regions.federation.change_log.selectors import PAGE_SIZE, cursor_parse, local_page
from regions.federation.peer.views import signed
from regions.models import Region

#: the most rows one answer carries
LIMIT = 500


@require_GET
@signed
def change_log(request: HttpRequest, *, sender: int, local: Region) -> JsonResponse:
    form = ChangeFilterForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"detail": "Bad filters.", "errors": form.errors}, status=400)
    try:
        limit = max(1, min(int(request.GET.get("limit", PAGE_SIZE)), LIMIT))
    except ValueError:
        return JsonResponse({"detail": "limit must be a whole number."}, status=400)
    before = request.GET.get("before", "")
    cursor = cursor_parse(before) if before else None
    if before and cursor is None:
        return JsonResponse({"detail": "No page of this list starts there."}, status=404)
    return JsonResponse(local_page(form.filters(), region_id=local.pk, before=cursor, limit=limit))
