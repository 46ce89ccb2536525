"""The portal's one authentication backend: Django's, behind the sign-in throttle."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from identity import sign_in_limits
from identity.models import User

PATH = "identity.backends.PortalBackend"


class PortalBackend(ModelBackend):
    """Checks a username and password (usernames match in any case) unless the throttle
    refuses first (identity.sign_in_limits); a refusal ends Django's `authenticate` with no
    user and no password hashed."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None or password is None:
            return None
        address = sign_in_limits.client_address(request)
        try:
            attempt = sign_in_limits.begin(username=username, address=address)
        except sign_in_limits.TooManyAttempts as refused:
            raise PermissionDenied(str(refused)) from refused
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            sign_in_limits.failed(attempt)
        else:
            sign_in_limits.succeeded(attempt)
        return user
