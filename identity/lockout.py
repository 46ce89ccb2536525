"""CloudStack's account lockout: after incorrect.login.attempts.allowed failed sign-ins in
a row, the user is locked until an admin enables them again. Off by default (0): a lock is
something anyone who knows a username can cause, and identity.sign_in_limits already
throttles guessing without locking anyone out. Operators who want CloudStack's behaviour
turn it on.

Every password check goes through Django's `authenticate`, so its `user_login_failed`
signal sees them all. The count is identity.sign_in_limits' own record of failed checks,
in the database, shared by every process; a success or a lock starts it again. A check the
throttle refused was never made and does not count.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError

from identity import sign_in_limits
from identity.models import User
from identity.services import user_lock
from regions.configuration.selectors import setting_value

log = logging.getLogger(__name__)


def sign_in_failed(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    username = credentials.get("username")
    if not isinstance(username, str) or not username or sign_in_limits.refusal() is not None:
        return
    allowed = setting_value("incorrect.login.attempts.allowed")
    if allowed <= 0:
        return
    user = User.objects.select_related("account").filter(username__iexact=username).first()
    if user is None or not user.is_active:
        return
    failures = sign_in_limits.lock_count(username)
    if failures < allowed:
        return
    sign_in_limits.reset_lock_count(username)
    try:
        user_lock(user=user, by=None)
    except ValidationError as error:  # the last root admin is never locked
        log.warning("not locking %s after %d failed sign-ins: %s", user, failures, error)
    else:
        log.warning("locked %s after %d failed sign-ins", user, failures)


def failures(user: User) -> int:
    """Failed sign-ins of USER since the last success or lock."""
    return sign_in_limits.lock_count(user.username)


def signed_in(sender: Any, user: Any, **kwargs: Any) -> None:
    """Any sign-in (single sign-on included) starts the count again."""
    if isinstance(user, User):
        sign_in_limits.reset_lock_count(user.username)
