"""Ends idle portal sessions after the cloud's session.timeout (minutes)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from regions.configuration.selectors import setting_value


class SessionTimeoutMiddleware:
    """A sliding expiry: every request of a signed-in user restarts the idle clock."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and request.region is not None:
            request.session.set_expiry(int(setting_value("session.timeout")) * 60)
        return self.get_response(request)
