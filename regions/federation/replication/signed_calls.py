"""Signed calls to peers for the replicator's workers and the feed streams, with the
credentials (this region's id, the federation secret) read once and shared between them."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from regions.federation.peer.client import peer_call, peer_url
from regions.models import Federation, Region

#: how long one read of the replication switch and the secret serves the workers
CALLER_SECONDS = 0.2
_credentials: tuple[float, tuple[int, str] | None] = (float("-inf"), None)
_credentials_lock = threading.Lock()
_local_id: int | None = None


def credentials() -> tuple[int, str] | None:
    """(this region's id, the federation secret), or None when replication is off; read
    once per CALLER_SECONDS and shared by the workers: at 50 commits a second every peer is
    poked and pulled 50 times a second, and each run would read the same row."""
    global _credentials
    with _credentials_lock:
        read_at, value = _credentials
        if time.monotonic() - read_at >= CALLER_SECONDS:
            value = credentials_read()
            _credentials = (time.monotonic(), value)
        return value


def credentials_read() -> tuple[int, str] | None:
    """The replication switch and the secret (one query), and this region's id (read once:
    it never changes once set)."""
    global _local_id
    federation = Federation.objects.filter(pk=1).values_list("replication_enabled", "secret")
    enabled, secret = federation.first() or (False, "")
    if not enabled:
        return None
    if _local_id is None:
        _local_id = Region.objects.filter(is_local=True).values_list("pk", flat=True).first()
        if _local_id is None:
            return None
    return _local_id, secret


def signed_caller() -> Callable[..., Any] | None:
    """A signed caller of peers with the current credentials, or None when replication is
    off (regions.federation.peer.client.call_region reads the id and the secret for every call)."""
    current = credentials()
    if current is None:
        return None
    local_id, secret = current

    def call(region: Any, *, method: str, path: str, **kwargs: Any) -> Any:
        return peer_call(
            endpoint=peer_url(region),
            method=method,
            path=path,
            local_region_id=local_id,
            secret=secret,
            **kwargs,
        )

    return call


def forget() -> None:
    """Read the credentials again on next use (tests: each starts a fresh process's state)."""
    global _credentials, _local_id
    _credentials, _local_id = (float("-inf"), None), None
