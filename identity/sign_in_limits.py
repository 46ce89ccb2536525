"""How many passwords may be tried, and by whom: the one throttle on every password check.

Every password check in the portal (the sign-in form, the REST token endpoint, CloudStack's
`login`, the current password asked before a password change, allauth's reauthentication)
goes through Django's `authenticate` and so through identity.backends.PortalBackend, which
calls `begin` before it hashes anything. `begin` records the attempt, then counts the
recent attempts that are not successes:

- per account and address (`account-address`): one place guessing one account;
- per address (`address`): one place trying many accounts (password spraying);
- per account (`account`): many places guessing one account.

Over any limit, the attempt is taken back and refused with the seconds to wait; it is not
checked, so a throttled guess costs no password hash and tells nothing. Nothing is locked:
the account limit is larger than the per-address one, so one address flooding guesses
cannot keep the user out from elsewhere, and every limit lifts by itself as its window
slides. Root admins are throttled exactly like everyone else.

Attempts live in the database (identity.SignInAttempt), shared by every process and thread
of this region, written through their own connection (`SIGN_IN_DATABASE`) in autocommit, so
a transaction that rolls back cannot take a failed guess back. CloudStack's lockout
(`incorrect.login.attempts.allowed`, identity.lockout) counts the same rows.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import random
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import OperationalError, connections
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from identity.models import SignInAttempt

log = logging.getLogger(__name__)

KEPT = timedelta(days=1)  # failures older than this count for nothing
PRUNE_CHANCE = 0.02  # of a failure, to delete what is no longer kept


@dataclass(frozen=True)
class Limit:
    name: str  # account-address, address or account
    attempts: int
    seconds: int

    def matches(self, row: tuple[str, str], username: str, address: str) -> bool:
        row_username, row_address = row
        if self.name == "account":
            return row_username == username
        if self.name == "address":
            return bool(address) and row_address == address
        return row_username == username and bool(address) and row_address == address


class TooManyAttempts(Exception):
    """Refused before checking: RETRY_AFTER seconds until the next attempt may be checked."""

    def __init__(self, retry_after: int, limit: str):
        self.retry_after = retry_after
        self.limit = limit
        super().__init__(f"too many sign-in attempts ({limit}); retry in {retry_after} s")


# What the last password check in this thread or task ran into, for the path that asked:
# Django's authenticate answers only "no user", whatever the reason.
_refused: ContextVar[TooManyAttempts | None] = ContextVar("sign_in_refused", default=None)


def limits() -> list[Limit]:
    return [
        Limit(name, int(attempts), int(seconds))
        for name, (attempts, seconds) in settings.SIGN_IN_LIMITS.items()
    ]


def forget_refusal() -> None:
    """Start a request's sign-in with no refusal left over from an earlier one."""
    _refused.set(None)


def refusal() -> TooManyAttempts | None:
    """The throttle's refusal of the last password check here, or None if it was checked."""
    return _refused.get()


def message(refused: TooManyAttempts) -> str:
    return (
        f"Too many sign-in attempts. Wait {refused.retry_after} seconds and try again "
        "(nothing is locked)."
    )


def client_address(request: HttpRequest | None) -> str:
    """The address the request came from; an IPv6 client counts as its /64 network.

    Behind reverse proxies (PORTAL_PROXY_HOPS > 0) the address is the one the outermost
    trusted proxy saw, read from X-Forwarded-For; never a value the client chose.
    """
    if request is None:
        return ""
    address = request.META.get("REMOTE_ADDR", "")
    hops = settings.PORTAL_PROXY_HOPS
    if hops:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            address = forwarded[-hops]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def username_key(username: object) -> str:
    """How attempts are counted per account: the name as typed, in lower case, without the
    NULs PostgreSQL cannot store (every entry point refuses them before this anyway)."""
    return str(username or "").replace("\x00", "").strip().lower()[:150]


def begin(*, username: object, address: str) -> SignInAttempt:
    """Record an attempt to check a password; TooManyAttempts (and nothing recorded) if over
    a limit. Two racing attempts both count, so a burst cannot slip past a limit."""
    db = _database()
    key = username_key(username)
    now = timezone.now()
    try:
        attempt = SignInAttempt.objects.using(db).create(username=key, address=address, at=now)
    except OperationalError:
        if db == "default":
            raise
        # SQLite allows one writer: a check inside a transaction that already wrote must
        # record on that transaction's own connection (it then rolls back with it).
        log.warning("sign-in attempts: %s is busy; recording on the default connection", db)
        db = "default"
        attempt = SignInAttempt.objects.using(db).create(username=key, address=address, at=now)
    all_limits = limits()
    widest = max((limit.seconds for limit in all_limits), default=0)
    near = Q(username=key) | Q(address=address) if address else Q(username=key)
    rows = list(
        SignInAttempt.objects.using(db)
        .filter(near, at__gt=now - timedelta(seconds=widest))
        .values_list("username", "address", "at")
    )
    for limit in all_limits:
        since = now - timedelta(seconds=limit.seconds)
        times = sorted(at for *row, at in rows if at > since and limit.matches(row, key, address))
        if len(times) > limit.attempts:
            SignInAttempt.objects.using(db).filter(pk=attempt.pk).delete()
            refused = TooManyAttempts(_wait(times, limit, now), limit.name)
            _refused.set(refused)
            log.warning("sign-in throttled: %s from %s (%s)", key, address or "?", limit.name)
            raise refused
    _refused.set(None)
    return attempt


def succeeded(attempt: SignInAttempt) -> None:
    """The password was right: forget this attempt and this address's misses for the
    account, and start the lockout count again (the account-wide misses still count)."""
    db = _database()
    SignInAttempt.objects.using(db).filter(
        Q(pk=attempt.pk) | Q(username=attempt.username, address=attempt.address)
    ).delete()
    reset_lock_count(attempt.username)


def failed(attempt: SignInAttempt) -> None:
    """The password was wrong: the attempt's row stays and counts."""
    if random.random() < PRUNE_CHANCE:
        prune()


def lock_count(username: object) -> int:
    """Failed checks of USERNAME since its last success or lock, within a day."""
    return (
        SignInAttempt.objects.using(_database())
        .filter(username=username_key(username), counts_for_lock=True, at__gt=timezone.now() - KEPT)
        .count()
    )


def reset_lock_count(username: object) -> None:
    SignInAttempt.objects.using(_database()).filter(
        username=username_key(username), counts_for_lock=True
    ).update(counts_for_lock=False)


def prune() -> int:
    deleted, _ = (
        SignInAttempt.objects.using(_database()).filter(at__lt=timezone.now() - KEPT).delete()
    )
    return deleted


def _wait(times: list[datetime], limit: Limit, now: datetime) -> int:
    """Seconds until only limit.attempts - 1 of TIMES (this attempt's excluded) remain."""
    others = times[:-1]
    oldest_to_go = others[len(others) - limit.attempts]
    free_at = oldest_to_go + timedelta(seconds=limit.seconds)
    return max(1, math.ceil((free_at - now).total_seconds()))


def _database() -> str:
    alias = settings.SIGN_IN_DATABASE
    if alias not in connections.settings:
        return "default"
    return alias
