"""Wake-ups over Redis pub/sub: the replicator's channel, the feed streams' channel, and the
count of each peer's reads of our feed.

Publishers (a commit, the poke view, the feed view) and listeners (the replicator, the
streams) share these names. Publishing answers how many subscribers got the message: none
means nobody listens here, and the caller falls back (Celery tasks, polling).
"""

from __future__ import annotations

import logging
from functools import cache as memoize
from typing import Any

from django.conf import settings

log = logging.getLogger(__name__)

LOCAL = "local"
PULL = "pull"
POKE = "poke"
PEERS = "peers"


def channel_name() -> str:
    """This region's replicator channel. Pub/sub channels are shared by every database of a
    Redis server, so the name carries the database number as well as the region's prefix."""
    prefix = settings.SESSION_COOKIE_NAME.removesuffix("_sessionid")
    return f"{prefix}:replicator:{_redis_db()}"


def feed_channel() -> str:
    """Where commits are announced to this region's streams (one per Redis server, so the
    name carries the region's cookie prefix and Redis database, like the replicator's)."""
    return channel_name().replace(":replicator:", ":feed:")


@memoize
def _redis_db() -> int:
    from redis.connection import parse_url

    return int(parse_url(settings.REDIS_URL).get("db", 0) or 0)


@memoize
def _publisher() -> Any:
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    # No retries: a write must not wait on a Redis that is down (the caller falls back).
    return redis.Redis.from_url(
        settings.REDIS_URL,
        socket_timeout=1,
        socket_connect_timeout=1,
        retry=Retry(NoBackoff(), 0),
    )


def wake(message: str) -> bool:
    """Publish MESSAGE to this region's replicator; whether one was listening."""
    if not settings.REDIS_URL:
        return False
    try:
        return bool(_publisher().publish(channel_name(), message))
    except Exception as error:  # Redis down: the caller falls back, the sweep catches up
        log.warning("could not wake the replicator (%s): %s", message, error)
        return False


def wake_streams() -> None:
    """After a commit that recorded changes: wake every stream this region serves."""
    if not settings.REDIS_URL:
        return
    try:
        _publisher().publish(feed_channel(), b"1")
    except Exception as error:  # the streams poll on their heartbeat; pokes still go out
        log.debug("could not announce to the feed streams: %s", error)


def parse(message: bytes | str) -> tuple[str, int | None]:
    """A wake-up's kind and region id (None when it has none or it is malformed)."""
    text = message.decode(errors="replace") if isinstance(message, bytes) else message
    kind, _, argument = text.strip().partition(" ")
    try:
        return kind, int(argument) if argument else None
    except ValueError:
        return kind, None


def _reads_key(region_id: int) -> str:
    return f"{channel_name()}:reads:{region_id}"


def note_read(region_id: int) -> None:
    """Region REGION_ID begins reading our feed (delivery.record_peer_read, before the read):
    count it, so that a poke it no longer needs can be left out (Replicator.poke_unless_read)."""
    if not settings.REDIS_URL:
        return
    try:
        _publisher().incr(_reads_key(region_id))
    except Exception as error:  # without the count every poke is sent: nothing is lost
        log.debug("could not count a read of region %s: %s", region_id, error)


def read_counts(region_ids: list[int]) -> dict[int, int]:
    """How many reads of our feed each region has begun (those counted; {} without Redis)."""
    if not settings.REDIS_URL or not region_ids:
        return {}
    try:
        values = _publisher().mget([_reads_key(region_id) for region_id in region_ids])
    except Exception as error:
        log.debug("could not read the read counts: %s", error)
        return {}
    return {r: int(v) for r, v in zip(region_ids, values, strict=True) if v is not None}
