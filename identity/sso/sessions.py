"""When a session signed in, so that "sign out of all regions" can end the older ones."""

from __future__ import annotations

import time
from typing import Any

from django.http import HttpRequest

SIGNED_IN_AT = "portal_signed_in_at"


def signed_in(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = time.time()


def signed_in_at(request: HttpRequest) -> float:
    """Seconds since the epoch; 0 for a session older than this record."""
    return float(request.session.get(SIGNED_IN_AT, 0))
