"""Template context every page needs: the local region and the region switcher's list
(single sign-on takes a signed-in user to the region chosen there)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from identity.sso.selectors import switcher_entries


def region_navigation(request: HttpRequest) -> dict[str, Any]:
    local = getattr(request, "region", None)
    if local is None or not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"local_region": local, "switcher_regions": []}
    return {"local_region": local, "switcher_regions": switcher_entries()}
