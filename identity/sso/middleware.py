"""Ends a session that is older than its user's last "sign out of all regions"."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from identity.sso.models import GlobalSignOut
from identity.sso.sessions import signed_in_at


class GlobalSignOutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            at = GlobalSignOut.objects.filter(user_id=user.pk).values_list("at", flat=True).first()
            if at is not None and at.timestamp() > signed_in_at(request):
                logout(request)
                messages.info(request, "You signed out of all regions. Sign in again to go on.")
        return self.get_response(request)
