"""Publishes every committed change on a Redis channel, for operators' own sync tools.

Subscribers get the same JSON as /api/events/ and the peer feed. Publishing is best
effort (pub/sub keeps nothing); the feed API with its cursor is the durable source.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings

log = logging.getLogger(__name__)


def channel_name() -> str:
    return f"{settings.SESSION_COOKIE_NAME.removesuffix('_sessionid')}:events"


@cache
def _client() -> Any:
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)


def publish(event: dict[str, Any]) -> None:
    if not settings.REDIS_URL:
        return
    try:
        _client().publish(channel_name(), json.dumps(event, separators=(",", ":")))
    except Exception as error:
        log.warning("could not publish event %s: %s", event.get("seq"), error)


def publish_many(events: Callable[[], list[dict[str, Any]]], count: int) -> None:
    """Publish the COUNT events EVENTS() makes, in one round trip (bulk writes: an import of
    many users). Only if someone listens: pub/sub keeps nothing, and making and sending
    10,000 events nobody receives took a second of the region's CPU."""
    if not settings.REDIS_URL or not count:
        return
    try:
        client = _client()
        channel = channel_name()
        if not client.pubsub_numsub(channel)[0][1]:
            return
        pipe = client.pipeline(transaction=False)
        for event in events():
            pipe.publish(channel, json.dumps(event, separators=(",", ":")))
        pipe.execute()
    except Exception as error:
        log.warning("could not publish %s events: %s", count, error)
