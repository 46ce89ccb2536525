"""One pull per peer at a time: the lock the replicator (replicator.pull) and the Celery
task (tasks.peer_pull) share, in the Django cache (Redis).

The lock only saves work: two pulls at once are safe (pages apply one at a time, cursors
only move forward), so without Redis every pull goes through. Whoever finds the lock taken
asks its holder for one more round (pull_again_key), so no wake-up is lost between them.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache

log = logging.getLogger(__name__)

#: a pull lock outlives a killed worker by at most this long
PULL_LOCK_SECONDS = 30
#: the holder a replicator's pull locks name (a Celery task names its task id)
OWNER = f"replicator:{socket.gethostname()}:{os.getpid()}"


def pull_lock_key(region_id: int) -> str:
    """One pull per peer at a time, shared by the replicator and the Celery task."""
    return f"peer-pull:{region_id}"


def pull_again_key(region_id: int) -> str:
    """Set by whoever found the pull lock taken: its holder pulls once more."""
    return f"peer-pull-again:{region_id}"


class PullLock:
    """The replicator's hold on a peer's pull lock, taken and released in one round trip
    each."""

    def __init__(self, region_id: int) -> None:
        self.key = pull_lock_key(region_id)
        self.again = pull_again_key(region_id)
        self.seconds = PULL_LOCK_SECONDS
        self.owner = f"{OWNER}:{region_id}"
        self._kept = time.monotonic()

    def acquire(self, *, quiet: bool = False) -> bool:
        """Take the lock; if it is taken (and not QUIET), ask its holder for one more round."""
        got = _cache_call(cache.add, self.key, self.owner, self.seconds, default=True)
        if not got and not quiet:
            _cache_call(cache.set, self.again, 1, self.seconds)
        self._kept = time.monotonic()
        return got

    def keep(self) -> None:
        """A long pull (catching up) keeps the lock from expiring under it."""
        if time.monotonic() - self._kept >= self.seconds / 3:
            _cache_call(cache.touch, self.key, self.seconds)
            self._kept = time.monotonic()

    def release(self) -> bool:
        """Let go of the lock; whether someone asked for another round meanwhile."""
        try:
            client = cache._cache.get_client(self.key, write=True)
            key, again = (
                cache.make_and_validate_key(self.key),
                cache.make_and_validate_key(self.again),
            )
            pipe = client.pipeline(transaction=True)
            pipe.delete(key)
            pipe.get(again)
            pipe.delete(again)
            return bool(pipe.execute()[1])
        except AttributeError:  # another cache backend: the plain API
            wanted = bool(_cache_call(cache.get, self.again))
            _cache_call(cache.delete_many, [self.key, self.again])
            return wanted
        except Exception as error:
            log.debug("pull lock unavailable: %s", error)
            return False


def _cache_call(method: Callable[..., Any], *args: Any, default: Any = None) -> Any:
    """The pull lock saves work only (two pulls at once are safe): without Redis, go on."""
    try:
        return method(*args)
    except Exception as error:
        log.debug("pull lock unavailable: %s", error)
        return default
