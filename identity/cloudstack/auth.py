"""Who is calling: a signed request (apiKey + signature) or a session from `login`.

Signed requests follow ApiServer.verifyRequest: every failure (unknown key, bad signature,
missing or past `expires` with signatureVersion=3, disabled user or account) is the same
401, so a caller learns nothing about which part was wrong. Sessions follow CloudStack's
default `api.sessionkey.check.locations=CookieAndParameter`: the session cookie, plus the
session key both as a cookie and as the `sessionkey` parameter, which is what makes a
forged cross-site request fail.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate as django_authenticate
from django.contrib.auth import login as session_login
from django.contrib.auth import logout as session_logout
from django.http import HttpRequest, HttpResponse

from identity import backends, sign_in_limits
from identity.crypto import InvalidToken, secret_decrypt
from identity.models import User
from identity.permissions import may_use_api_keys
from identity.selectors import api_key_lookup
from portal.cloudstack import errors
from portal.cloudstack.render import render
from portal.cloudstack.signature import expires_valid, signature_matches
from regions.configuration.selectors import setting_value

log = logging.getLogger(__name__)

SESSION_KEY = "cloudstack_sessionkey"


def _param(params: Mapping[str, str], name: str) -> str | None:
    """A parameter by case-insensitive name (clients send apiKey, apikey, signatureVersion)."""
    for key, value in params.items():
        if key.lower() == name:
            return value
    return None


def is_signed(params: Mapping[str, str]) -> bool:
    return _param(params, "signature") is not None or _param(params, "apikey") is not None


def authenticate(request: HttpRequest, params: Mapping[str, str]) -> User:
    """The user behind REQUEST, or ApiError 401."""
    if is_signed(params):
        return _signed_user(params)
    return _session_user(request, params)


def _signed_user(params: Mapping[str, str]) -> User:
    signature, api_key = _param(params, "signature"), _param(params, "apikey")
    if not signature or not api_key:
        raise errors.unauthorized()
    if _param(params, "signatureversion") == "3" and not expires_valid(_param(params, "expires")):
        raise errors.unauthorized()
    record = api_key_lookup(api_key=api_key)
    if record is None:
        raise errors.unauthorized()
    user = record.user
    if not user.is_active or not may_use_api_keys(user):  # disabled, locked, or keys off
        raise errors.unauthorized()
    try:
        secret = secret_decrypt(record.secret_key_encrypted)
    except InvalidToken:
        log.error("API key %s: its secret cannot be decrypted (PORTAL_ENCRYPTION_KEY?)", api_key)
        raise errors.unauthorized() from None
    if not signature_matches(params, secret_key=secret, signature=signature):
        raise errors.unauthorized()
    return user


def _session_user(request: HttpRequest, params: Mapping[str, str]) -> User:
    expected = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    from_cookie = request.COOKIES.get(settings.CLOUDSTACK_SESSIONKEY_COOKIE_NAME)
    from_param = _param(params, "sessionkey")
    if not expected or not from_cookie or not from_param:
        raise errors.unauthorized()
    if not (
        hmac.compare_digest(expected.encode(), from_cookie.encode())
        and hmac.compare_digest(expected.encode(), from_param.encode())
    ):
        raise errors.unauthorized()
    user = request.user
    if not isinstance(user, User) or not user.is_active:
        raise errors.unauthorized()
    return user


# --- login and logout ----------------------------------------------------------------------


def _domain_path(value: str) -> str:
    """CloudStack's login domain (/, /eng/ops/) as a portal path (ROOT, ROOT/eng/ops)."""
    path = value.strip().strip("/")
    if not path:
        return "ROOT"
    if path.upper() == "ROOT" or path.upper().startswith("ROOT/"):
        return path
    return f"ROOT/{path}"


def _login_failure(username: str, domain: str) -> errors.ApiError:
    """CloudStack's text, naming what was sent at a readable length (never 70,000 chars)."""
    username, domain = username[:255], domain[:255]
    return errors.ApiError(
        errors.ACCOUNT_ERROR,
        f"Failed to authenticate user {username} in domain {domain}; please provide valid "
        "credentials",
        errors.CS_AUTHENTICATION,
    )


def login(request: HttpRequest, params: Mapping[str, str], *, as_json: bool) -> HttpResponse:
    """`login`: a session and its key for username and password (POST only, as CloudStack).

    Usernames are unique cloud-wide here, so `domain` (a path) and `domainid` are optional;
    when given they must be the user's domain.
    """
    if request.method != "POST":
        raise errors.ApiError(
            errors.METHOD_NOT_ALLOWED, "Please use HTTP POST to authenticate using this API"
        )
    username = _param(params, "username") or ""
    password = _param(params, "password") or ""
    domain_param, domain_id = _param(params, "domain"), _param(params, "domainid")
    shown_domain = domain_param or domain_id or "/"
    # Every check goes through Django's authenticate, and so through the sign-in throttle
    # (identity.sign_in_limits) and the lockout count, unknown usernames included.
    user = django_authenticate(request, username=username, password=password)
    if user is None:
        refused = sign_in_limits.refusal()
        if refused is not None:
            raise errors.ApiError(
                errors.API_LIMIT_EXCEEDED,
                sign_in_limits.message(refused),
                errors.CS_AUTHENTICATION,
                headers={"Retry-After": str(refused.retry_after)},
            )
        known = (
            User.objects.select_related("account__domain").filter(username__iexact=username).first()
            if username
            else None
        )
        if known is None or known.is_active or not known.check_password(password):
            raise _login_failure(username, shown_domain)
        raise errors.ApiError(
            errors.ACCOUNT_ERROR,
            f"User {known.username} (or their account) in domain {known.account.domain.path} "
            "is disabled/locked. Please contact the administrator.",
            errors.CS_AUTHENTICATION,
        )
    domain = user.account.domain
    if (domain_param is not None and _domain_path(domain_param).lower() != domain.path.lower()) or (
        domain_id is not None and domain_id.strip().lower() != str(domain.pk)
    ):
        raise _login_failure(username, shown_domain)
    session_login(request, user, backend=backends.PATH)
    key = secrets.token_urlsafe(20)
    request.session[SESSION_KEY] = key
    timeout = int(setting_value("session.timeout")) * 60  # idle seconds, as the portal's
    request.session.set_expiry(timeout)
    response = render("loginresponse", _login_body(user, key, timeout), as_json=as_json)
    response.set_cookie(
        settings.CLOUDSTACK_SESSIONKEY_COOKIE_NAME,
        key,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def _login_body(user: User, key: str, timeout: int) -> dict[str, Any]:
    account = user.account
    return {
        "username": user.username,
        "userid": str(user.pk),
        "domainid": str(account.domain_id),
        "timeout": timeout,
        "account": account.name,
        "firstname": user.first_name,
        "lastname": user.last_name,
        "type": str(account.type),
        "timezone": user.timezone,
        "registered": "false",
        "sessionkey": key,
        "is2faenabled": "false",
        "is2faverified": "true",
    }


def logout(request: HttpRequest, *, as_json: bool) -> HttpResponse:
    """`logout`: end the API session (and the portal session it is)."""
    session_logout(request)
    response = render("logoutresponse", {"description": "success"}, as_json=as_json)
    response.delete_cookie(settings.CLOUDSTACK_SESSIONKEY_COOKIE_NAME, samesite="Lax")
    return response
