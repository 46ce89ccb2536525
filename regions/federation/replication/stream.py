"""Feed streams: a peer's replicator holds one long request open to our feed and receives
each change as it commits, instead of waiting for a poke and asking for it.

Still a pull, from the receiver's own cursor: the receiver opens `GET /api/peer/stream/
?after=<its cursor>` (signed like every peer call) and applies what arrives exactly as a
pulled page, moving its cursor in the page's transaction. The sender reads the same
gap-free feed (`feed.feed_read`) as `changes/`, and is woken by the commit itself: every
commit that recorded changes publishes on this region's feed channel in Redis
(`announce.announce_local_changes`, through `wakeups.wake_streams`), and each stream waits
on it. A wake-up costs one feed read and one write on an open connection: no request, no
signature check, no nonce.

A stream lasts at most STREAM_SECONDS, then the receiver opens the next one from its cursor
(new signature, new nonce). While nothing commits the sender writes a heartbeat line every
HEARTBEAT_SECONDS, so a receiver notices a dead link by a read timeout. Anything unexpected
ends the stream; the receiver reopens it after a backoff, and meanwhile pokes, pulls and the
periodic sweep deliver as they always did: nothing depends on a stream.

Lines (JSON, one per line): a feed page (as `changes/` answers), or `{"heartbeat": N}` with
the sender's feed position N.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError

from regions.federation.peer.client import PeerError, peer_stream, peer_url
from regions.federation.replication import delivery, feed, signed_calls, wakeups
from regions.federation.replication.db_connections import fresh_connections
from regions.models import PeerLink

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5.0
STREAM_SECONDS = 60.0
#: without Redis (no wake-ups) the sender looks at its feed this often
POLL_SECONDS = 0.5
#: the receiver gives up on a stream that said nothing for this long (3 heartbeats)
READ_TIMEOUT = 3 * HEARTBEAT_SECONDS
#: a receiver tells the sender how far it applied at most this often (health only)
ACK_SECONDS = 1.0


class StreamError(Exception):
    """The stream broke or said something unexpected: reopen it after a backoff."""


class ReplicationOff(StreamError):
    """Replication is turned off in this region: no stream until it is on again."""


class StreamEnded(Exception):
    """The sender's wake-ups went away (Redis): it ends the stream, the receiver reopens it."""


# --- the sending side ----------------------------------------------------------------------


def live_key(region_id: int) -> str:
    """Set while region REGION_ID holds a stream on our feed: no need to poke it."""
    return f"peer-stream:{region_id}"


def is_live(region_id: int) -> bool:
    try:
        return bool(cache.get(live_key(region_id)))
    except Exception:
        return False


#: streams one web process serves at once: each holds a thread, and a process whose threads
#: all hold streams would leave the requests it accepts waiting (keep it below --threads)
STREAMS_PER_PROCESS = int(os.environ.get("PEER_STREAMS_PER_PROCESS", "2"))
_slots = threading.BoundedSemaphore(STREAMS_PER_PROCESS)


class Busy(Exception):
    """This process serves as many streams as it may: the peer pulls meanwhile."""


class Held:
    """The lines of a stream, holding one of the process's stream slots until closed (the
    web server closes the response when the stream ends or the peer goes away; a generator
    closed before its first line would not run its own cleanup)."""

    def __init__(self, lines: Iterator[bytes]) -> None:
        if not _slots.acquire(blocking=False):
            raise Busy(f"this process serves {STREAMS_PER_PROCESS} streams already")
        self._lines = lines
        self._held = True

    def __iter__(self) -> Held:
        return self

    def __next__(self) -> bytes:
        return next(self._lines)

    def close(self) -> None:
        try:
            self._lines.close()  # type: ignore[attr-defined]
        finally:
            if self._held:
                self._held = False
                _slots.release()


def serve(*, sender: int, origin: int, after: int) -> Iterator[bytes]:
    """The lines of one stream of our feed to region SENDER, from AFTER."""
    news = _subscribe()
    started = time.monotonic()
    cursor = after
    try:
        while time.monotonic() - started < STREAM_SECONDS and _server_running():
            if not delivery.replication_enabled():
                return  # turned off here: not one more page
            _mark_live(sender)
            wakeups.note_read(sender)  # before the read: see Replicator.poke_soon
            try:
                page, last_seq, more = feed.feed_page_json(origin=origin, after=cursor)
            except DatabaseError as error:
                log.warning("stream to region %s ended: %s", sender, error)
                return
            if last_seq != cursor:
                cursor = last_seq
                yield page + b"\n"
                if more:
                    continue
            try:
                woken = _wait(news, HEARTBEAT_SECONDS)
            except StreamEnded as error:
                log.warning("stream to region %s ended: %s", sender, error)
                return
            if not woken:
                yield _line({"heartbeat": cursor})
    finally:
        if news is not None:
            news.close()
        _forget_live(sender)
        fresh_connections()


def _line(data: dict[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode() + b"\n"


def _subscribe() -> Any:
    """A subscription to the feed channel, made before the first read so that no commit
    after it goes unnoticed; None without Redis (then the feed is polled)."""
    if not settings.REDIS_URL:
        return None
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=HEARTBEAT_SECONDS + 5)
        news = client.pubsub(ignore_subscribe_messages=True)
        news.subscribe(wakeups.feed_channel())
        return news
    except Exception as error:
        log.warning("feed stream without wake-ups (polling): %s", error)
        return None


def _wait(news: Any, seconds: float) -> bool:
    """Wait up to SECONDS for a commit; whether one came. Wake-ups that piled up meanwhile
    are taken together: one read serves them all."""
    if news is None:
        time.sleep(min(POLL_SECONDS, seconds))
        return True
    try:
        message = news.get_message(timeout=seconds)
        if message is None:
            return False
        while news.get_message(timeout=0) is not None:
            pass
        return True
    except Exception as error:  # Redis went away: end the stream, the receiver reopens it
        raise StreamEnded(str(error)) from error


def following_key(region_id: int) -> str:
    """Set while this region holds a stream of region REGION_ID's feed open: the stream
    delivers, so pulls from that peer (the sweep's, a poke's) would only repeat its work."""
    return f"peer-streaming-from:{region_id}"


def following(region_id: int) -> bool:
    try:
        return bool(cache.get(following_key(region_id)))
    except Exception:
        return False


def _mark_following(region_id: int, *, on: bool) -> None:
    with contextlib.suppress(Exception):  # without the mark pulls also run: only more work
        if on:
            cache.set(following_key(region_id), 1, timeout=int(READ_TIMEOUT + HEARTBEAT_SECONDS))
        else:
            cache.delete(following_key(region_id))


def _mark_live(region_id: int) -> None:
    with contextlib.suppress(Exception):  # without the mark the peer is only poked as well
        cache.set(live_key(region_id), 1, timeout=int(2 * HEARTBEAT_SECONDS))


def _forget_live(region_id: int) -> None:
    with contextlib.suppress(Exception):
        cache.delete(live_key(region_id))


def _server_running() -> bool:
    """False once the web server process was asked to stop: gunicorn's workers mark it on
    themselves (`alive`) from their SIGTERM handler, and wait for open requests to end, so a
    stream ends within a heartbeat instead of holding a shutdown up."""
    handler = signal.getsignal(signal.SIGTERM)
    return bool(getattr(getattr(handler, "__self__", None), "alive", True))


# --- the receiving side --------------------------------------------------------------------


def follow(
    region_id: int,
    *,
    contact: Callable[..., None],
    on_parked: Callable[[], None],
    stopping: Callable[[], bool],
) -> None:
    """Hold a stream of region REGION_ID's feed open and apply what arrives, until it ends
    (STREAM_SECONDS) or STOPPING() holds. Raises StreamError when it breaks."""
    fresh_connections()
    call, credentials = signed_calls.signed_caller(), signed_calls.credentials()
    if call is None or credentials is None:
        raise ReplicationOff("replication is off here")
    link = PeerLink.objects.select_related("region").get(pk=region_id)
    try:
        lines = peer_stream(
            endpoint=peer_url(link.region),
            path="/api/peer/stream/",
            params={"after": link.pulled_seq},
            local_region_id=credentials[0],
            secret=credentials[1],
            read_timeout=READ_TIMEOUT,
        )
    except PeerError as error:
        contact(link, error=str(error))
        raise StreamError(str(error)) from error
    acked, acked_at = link.pulled_seq, time.monotonic()
    marked_at = time.monotonic()
    _mark_following(region_id, on=True)
    try:
        for raw in lines:
            if stopping():
                return
            data = _parse(raw, origin=region_id)
            contact(link)
            if time.monotonic() - marked_at >= ACK_SECONDS:
                marked_at = time.monotonic()
                _mark_following(region_id, on=True)
            if "heartbeat" in data:
                continue
            if not delivery.replication_enabled():
                return  # turned off here since the stream opened: apply nothing more
            counts = delivery.apply_page(link, data)
            if counts.get("parked") or "unparked" in counts:  # changes wait here (page_apply)
                on_parked()
            if time.monotonic() - acked_at >= ACK_SECONDS and data["last_seq"] > acked:
                acked, acked_at = data["last_seq"], time.monotonic()
                _ack_soon(call, link, acked)
    except PeerError as error:
        contact(link, error=str(error))
        raise StreamError(str(error)) from error
    finally:
        _mark_following(region_id, on=False)
        fresh_connections()
    if acked < (last := PeerLink.objects.get(pk=region_id).pulled_seq):
        _ack(call, link, last)


def _parse(raw: bytes, *, origin: int) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except ValueError as error:
        raise StreamError(f"not a JSON line: {raw[:80]!r}") from error
    if not isinstance(data, dict):
        raise StreamError("a line that is not an object")
    if "heartbeat" in data:
        return data
    if data.get("origin") != origin or not isinstance(data.get("changes"), list):
        raise StreamError("a page of another region's feed, or no page")
    if not isinstance(data.get("last_seq"), int) or not isinstance(data.get("more"), bool):
        raise StreamError("a page without last_seq or more")
    return data


_acks: ThreadPoolExecutor | None = None


def _ack_soon(call: Callable[..., Any], link: Any, seq: int) -> None:
    """Acknowledge from another thread: a round trip to a far region must not hold up the
    next page (an ack waited for here delayed every change behind it by one RTT)."""
    global _acks
    if _acks is None:
        _acks = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stream-ack")
    _acks.submit(_ack, call, link, seq)


def _ack(call: Callable[..., Any], link: Any, seq: int) -> None:
    """Tell the sender how far we applied its feed (its Federation page shows it)."""
    try:
        call(link.region, method="POST", path="/api/peer/ack/", payload={"seq": seq})
    except PeerError as error:
        log.debug("could not acknowledge to region %s: %s", link.region_id, error)
