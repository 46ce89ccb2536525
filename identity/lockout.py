"""Account lockout: after incorrect.login.attempts.allowed failed sign-ins in a row, the
user is locked (as CloudStack does) until an admin enables them again.

Every sign-in path authenticates through Django (allauth's form, the REST token endpoint),
so its `user_login_failed` and `user_logged_in` signals see them all. The count lives in
the cache: shared by every process when Redis is configured (REDIS_URL), per process with
the embedded default. A success or a lock starts the count again.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError

from identity.models import User

log = logging.getLogger(__name__)

FAILURES_TTL = 24 * 3600  # a forgotten failure from yesterday does not count today


def _key(user: User) -> str:
    return f"identity:sign-in-failures:{user.pk}"


def sign_in_failed(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    from identity.services import user_lock
    from regions.configuration.selectors import setting_value

    username = credentials.get("username")
    if not isinstance(username, str) or not username:
        return
    user = User.objects.select_related("account").filter(username__iexact=username).first()
    if user is None or not user.is_active:
        return
    allowed = setting_value("incorrect.login.attempts.allowed")
    if allowed <= 0:
        return
    key = _key(user)
    cache.add(key, 0, FAILURES_TTL)
    failures = cache.incr(key)
    if failures < allowed:
        return
    cache.delete(key)
    try:
        user_lock(user=user, by=None)
    except ValidationError as error:  # the last root admin is never locked
        log.warning("not locking %s after %d failed sign-ins: %s", user, failures, error)
    else:
        log.warning("locked %s after %d failed sign-ins", user, failures)


def signed_in(sender: Any, user: Any, **kwargs: Any) -> None:
    if isinstance(user, User):
        cache.delete(_key(user))


def failures(user: User) -> int:
    """Failed sign-ins of USER since the last success or lock."""
    return cache.get(_key(user), 0)
