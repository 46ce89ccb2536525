"""Responses that must never be kept by a browser or a proxy cache."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

#: answers under these paths can carry secrets (API keys, tokens, identity data)
PRIVATE_PREFIXES = ("/api/", "/client/", "/accounts/", "/identity/", "/sso/")


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every API answer (the token endpoint's included) and on
    every page shown to a signed-in user, unless the view set a policy of its own: a shared
    computer's back button or a proxy must not show one user's data to the next."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        user = getattr(request, "user", None)
        if request.path.startswith(PRIVATE_PREFIXES) or (user and user.is_authenticated):
            patch_cache_control(response, no_store=True)
        return response
