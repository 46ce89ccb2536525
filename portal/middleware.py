"""Headers every answer carries: what a browser or proxy may keep, and what a page may load."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.module_loading import import_string

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


class ContentSecurityPolicyMiddleware:
    """A strict Content-Security-Policy on every answer that sets none of its own.

    The portal runs no inline script or style and loads nothing from elsewhere, so scripts,
    styles, fonts and fetches come from this origin only (images also from `data:`, which
    Bootstrap's CSS uses for its icons), nothing may frame it, and forms post only here or
    to a registered region: a form's redirects are checked too, and single sign-on sends the
    browser through the other regions' portals (the switcher's form, the sign-in form's
    `next`).
    """

    FIXED = (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Content-Security-Policy"):
            # Only a page has forms; other answers (JSON, XML) spare the registry lookup.
            is_page = response.get("Content-Type", "").startswith("text/html")
            form_action = " ".join(["'self'", *form_targets()]) if is_page else "'none'"
            response["Content-Security-Policy"] = "; ".join(
                [*self.FIXED, f"form-action {form_action}"]
            )
        return response


def form_targets() -> list[str]:
    """Origins a page may post forms to besides its own: what the callable named by
    settings.PORTAL_FORM_TARGETS returns (the region registry names every region's portal:
    single sign-on posts through them). The kernel knows no app; an app plugs in here."""
    path = getattr(settings, "PORTAL_FORM_TARGETS", "")
    return list(import_string(path)()) if path else []
