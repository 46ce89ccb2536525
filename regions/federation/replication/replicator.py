"""The replicator: one long-lived process per region (`manage.py replicate`) that moves
changes between regions as they commit, with no queue in between.

It listens on this region's replicator channel in Redis for two kinds of wake-up:

- `local`: this region committed changes (`announce.announce_local_changes`, after every
  commit): poke every peer at once over HTTP.
- `pull <id>`: region <id> poked us (`/api/peer/poke/`): pull its feed now, and apply it.

(`poke <id>` pokes one peer; `peers` re-reads the registry. The channel and its messages:
`wakeups.py`.)

Each peer has two workers, threads of their own: one pokes it, one pulls from it, so a long
pull never delays a poke and peers never wait on each other. A wake-up that arrives while
its worker runs makes exactly one more run: wake-ups coalesce, and one run drains the
peer's feed to its end. A run that fails (peer down, database restarting) is tried again
after a backoff that doubles up to `BACKOFF_MAX`; peer health is written as before
(`delivery.mark_contact`), a healthy peer's last contact at most once a second.

Whoever publishes a wake-up learns from Redis how many subscribers got it. None means no
replicator runs here (stopped, killed, never deployed), and the caller falls back to the
Celery tasks, as before the replicator existed. Nothing depends on the replicator for
correctness: cursors live in the database, a pull holds the same per-peer pull lock as the
Celery task (so the two never pull one peer at once), and Celery beat's sweep still pulls
from every peer periodically. Pub/sub keeps nothing for a subscriber that is away, so at
start and after every reconnection to Redis the replicator pulls from and pokes every peer.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connections

from regions.federation.peer.client import PeerError
from regions.federation.replication import delivery, stream
from regions.federation.replication.db_connections import fresh_connections
from regions.federation.replication.pull_lock import PullLock, pull_lock_key
from regions.federation.replication.signed_calls import signed_caller
from regions.federation.replication.wakeups import (
    LOCAL,
    PEERS,
    POKE,
    PULL,
    channel_name,
    parse,
    read_counts,
)
from regions.models import Region

log = logging.getLogger(__name__)

BACKOFF_INITIAL = 0.5
BACKOFF_MAX = 30.0
#: how long to wait when another process holds a peer's pull lock before trying again
BUSY_RETRY_SECONDS = 0.2
#: how long to wait before asking a peer that cannot stream for a stream again
STREAM_RETRY_SECONDS = 60.0
#: how long to wait before asking a peer whose processes serve all the streams they may
BUSY_STREAM_RETRY_SECONDS = 10.0
#: how often a streamer looks whether replication was turned on again
OFF_RETRY_SECONDS = 2.0
#: how often the registry is re-read for regions that joined or left
REFRESH_SECONDS = 10.0
#: a healthy peer's last contact is written at most this often
CONTACT_SECONDS = 1.0


# --- workers -------------------------------------------------------------------------------


class TryLater(Exception):
    """Raised by a job that could not run now and is no failure (a lock held elsewhere)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"try again in {seconds:.1f} s")
        self.seconds = seconds


class Worker:
    """Runs JOB in a thread of its own whenever woken.

    Wake-ups while JOB runs make one more run after it (they coalesce). A failed run is
    tried again after a backoff that doubles from BACKOFF_INITIAL up to BACKOFF_MAX; a
    wake-up does not cut a backoff short (a peer that is down is not hammered by every
    commit). After a success the backoff starts over.
    """

    def __init__(
        self,
        name: str,
        job: Callable[[], Any],
        *,
        backoff_initial: float = BACKOFF_INITIAL,
        backoff_max: float = BACKOFF_MAX,
    ) -> None:
        self.name = name
        self.job = job
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.failures = 0  # in a row
        self.runs = 0
        self._wanted = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wanted.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wanted.set()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def backoff(self) -> float:
        return min(self.backoff_max, self.backoff_initial * 2 ** max(0, self.failures - 1))

    def _loop(self) -> None:
        try:
            while True:
                self._wanted.wait()
                if self._stopping.is_set():
                    return
                self._wanted.clear()
                delay = self._run_once()
                if delay and self._stopping.wait(delay):
                    return
        finally:
            connections.close_all()  # this thread's own

    def _run_once(self) -> float:
        """Run JOB once; how long to wait before running it again (0: only when woken)."""
        try:
            self.job()
        except TryLater as later:
            self._wanted.set()
            return later.seconds
        except Exception as error:
            self.failures += 1
            self._wanted.set()
            delay = self.backoff()
            log.warning("%s failed (%s); trying again in %.1f s", self.name, error, delay)
            return delay
        self.failures = 0
        self.runs += 1
        return 0.0


class ContactMarks:
    """delivery.mark_contact, but a healthy peer's last contact is written at most every
    INTERVAL seconds: at 50 writes a second each peer is poked and pulled 50 times a second,
    and each would update its link row. Errors, and the first success after one, are written
    at once."""

    def __init__(self, interval: float = CONTACT_SECONDS, clock=time.monotonic) -> None:
        self.interval = interval
        self.clock = clock
        self._written: dict[int, float] = {}
        self._lock = threading.Lock()

    def __call__(self, link: Any, *, error: str = "") -> None:
        now = self.clock()
        with self._lock:
            if error:
                self._written.pop(link.pk, None)
            else:
                last = self._written.get(link.pk)
                if last is not None and now - last < self.interval:
                    return
                self._written[link.pk] = now
        delivery.mark_contact(link, error=error)


# --- the jobs ------------------------------------------------------------------------------


def pull(region_id: int, *, contact: Callable[..., None]) -> dict[str, int] | None:
    """Drain region REGION_ID's feed, holding the pull lock the Celery task holds.

    If another process (a Celery pull) holds it: ask it to go round once more
    (pull_lock.pull_again_key) and try again shortly (TryLater), so no wake-up is lost between
    the two. While this holds it, a Celery pull asks the same of us.
    """
    fresh_connections()
    try:
        call = signed_caller()
        if call is None:
            return None  # replication is off here
        lock = PullLock(region_id)
        if not lock.acquire():
            raise TryLater(BUSY_RETRY_SECONDS)
        while True:
            started = time.monotonic()
            try:
                totals = delivery.peer_pull(
                    region_id=region_id, contact=contact, call=call, on_page=lock.keep
                )
            except BaseException:
                lock.release()
                raise
            _log_pull(region_id, totals, time.monotonic() - started)
            if not lock.release() or not lock.acquire(quiet=True):
                return totals  # nobody asked for more, or whoever holds it now pulls
    finally:
        fresh_connections()


def poke(region_id: int, *, contact: Callable[..., None]) -> None:
    fresh_connections()
    try:
        call = signed_caller()
        if call is None:
            return  # replication is off here
        started = time.monotonic()
        delivery.peer_poke(
            region_id=region_id, contact=contact, call=call, region=_regions.get(region_id)
        )
        log.debug("poked region %s in %.3f s", region_id, time.monotonic() - started)
    finally:
        fresh_connections()


#: the peers' Region rows as last read from the registry (endpoints for pokes)
_regions: dict[int, Any] = {}


def clear_stale_pull_locks() -> None:
    """Pull locks a killed replicator left behind (they would hold pulls back until they
    expire); a Celery worker clears its own when it starts (tasks.pull_on_start)."""
    fresh_connections()
    try:
        keys = [pull_lock_key(region_id) for region_id in _peer_ids()]
        held = cache.get_many(keys)
        cache.delete_many([k for k in keys if str(held.get(k, "")).startswith("replicator:")])
    except Exception as error:
        log.warning("could not clear stale pull locks: %s", error)
    finally:
        fresh_connections()


def _log_pull(region_id: int, totals: dict[str, int], seconds: float) -> None:
    changes = totals["applied"] + totals["ignored"] + totals["parked"]
    level = logging.INFO if changes >= 1000 or seconds >= 1 or totals["parked"] else logging.DEBUG
    log.log(level, "pulled from region %s in %.3f s: %s", region_id, seconds, totals)


# --- the process ---------------------------------------------------------------------------


@dataclass
class Peer:
    region_id: int
    puller: Worker
    poker: Worker
    #: holds a stream of the peer's feed open (None: streams are off, tests)
    streamer: Worker | None = None
    #: the peer's count of reads of our feed when its poker was last woken (None: unknown)
    read_mark: int | None = None
    #: the next pull runs even while a stream of the peer's feed is open
    force_pull: bool = False

    def start(self) -> None:
        for worker in self.workers():
            worker.start()

    def stop(self) -> None:
        for worker in self.workers():
            worker.stop()

    def workers(self) -> tuple[Worker, ...]:
        workers = (self.puller, self.poker)
        return (*workers, self.streamer) if self.streamer is not None else workers


class Replicator:
    """Keeps a Peer (three workers) per region in the registry and routes wake-ups to them.

    PULL_JOB, POKE_JOB and STREAM_JOB take a region id (STREAMS: hold a stream of every
    peer's feed open, with `follow` unless STREAM_JOB is given);
    PEER_IDS returns the ids of every peer (both touch the database: they run in worker
    threads and in the main thread respectively).
    """

    def __init__(
        self,
        *,
        peer_ids: Callable[[], list[int]] | None = None,
        pull_job: Callable[[int], Any] | None = None,
        poke_job: Callable[[int], Any] | None = None,
        stream_job: Callable[[int], Any] | None = None,
        streams: bool = False,
        reads: Callable[[list[int]], dict[int, int]] | None = None,
        redis_url: str | None = None,
        refresh_seconds: float = REFRESH_SECONDS,
        backoff_initial: float = BACKOFF_INITIAL,
        backoff_max: float = BACKOFF_MAX,
    ) -> None:
        self.contact = ContactMarks()
        self.peer_ids = peer_ids or _peer_ids
        self.pull_job = pull_job or (lambda region_id: pull(region_id, contact=self.contact))
        self.poke_job = poke_job or (lambda region_id: poke(region_id, contact=self.contact))
        self.stream_job = stream_job or (self.follow if streams else None)
        self.reads = reads or read_counts
        self.redis_url = redis_url if redis_url is not None else settings.REDIS_URL
        self.refresh_seconds = refresh_seconds
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.peers: dict[int, Peer] = {}
        self.stopping = threading.Event()
        self._reconnected = threading.Event()
        self._redis_delay = backoff_initial
        self._refreshed = float("-inf")

    # peers

    def refresh(self) -> None:
        """Start workers for regions that joined, stop those of regions that left."""
        self._refreshed = time.monotonic()
        fresh_connections()
        try:
            wanted = set(self.peer_ids())
        except Exception as error:  # database away: keep the peers we know
            log.warning("could not read the registry: %s", error)
            return
        finally:
            fresh_connections()
        for region_id in sorted(wanted - set(self.peers)):
            peer = Peer(
                region_id,
                puller=self._worker(
                    f"pull-from-{region_id}", self.pull_unless_streaming, region_id
                ),
                poker=self._worker(f"poke-{region_id}", self.poke_unless_read, region_id),
                streamer=(
                    self._worker(f"stream-from-{region_id}", self.stream_job, region_id)
                    if self.stream_job is not None
                    else None
                ),
            )
            self.peers[region_id] = peer
            peer.start()
            if peer.streamer is not None:
                peer.streamer.wake()  # anything it has that we missed (pulls if it cannot)
            else:
                peer.puller.wake()  # anything it has that we missed
            self.poke_soon([peer])  # anything we have that it missed
            log.info("replicating with region %s", region_id)
        for region_id in sorted(set(self.peers) - wanted):
            self.peers.pop(region_id).stop()
            log.info("region %s left the registry", region_id)

    def _worker(self, name: str, job: Callable[[int], Any], region_id: int) -> Worker:
        return Worker(
            name,
            lambda: job(region_id),
            backoff_initial=self.backoff_initial,
            backoff_max=self.backoff_max,
        )

    def everyone(self) -> None:
        """Pull from and poke every peer (at start, and after missing wake-ups)."""
        for peer in self.peers.values():
            peer.puller.wake()
        self.poke_soon(self.peers.values())

    def poke_soon(self, peers: Any) -> None:
        """Wake the pokers of PEERS, noting how many reads of our feed each has begun.

        A read a peer begins after this moment brings it every change committed before it
        (the feed is read after the read is counted), so its poke is no longer needed: at a
        steady stream of commits a peer that is pulling anyway is not poked again.
        """
        peers = list(peers)
        counts = self.reads([peer.region_id for peer in peers])
        for peer in peers:
            peer.read_mark = counts.get(peer.region_id)
            peer.poker.wake()

    def follow(self, region_id: int) -> None:
        """Hold a stream of the peer's feed open (stream.follow), opening the next one as
        soon as one ends; a stream that broke is reopened after the worker's backoff. A peer
        whose web server cannot stream (409) is asked again in a minute: pokes and pulls
        deliver meanwhile."""
        try:
            stream.follow(
                region_id,
                contact=self.contact,
                on_parked=self.pull_everyone,
                stopping=self.stopping.is_set,
            )
        except stream.ReplicationOff as error:
            raise TryLater(OFF_RETRY_SECONDS) from error  # on again: streaming within seconds
        except stream.StreamError as error:
            self._pull_now(region_id)  # while there is no stream, pulls deliver
            cause = error.__cause__
            if isinstance(cause, PeerError) and cause.status in (404, 409):
                log.info("region %s does not stream its feed (%s)", region_id, cause)
                raise TryLater(STREAM_RETRY_SECONDS) from error
            if isinstance(cause, PeerError) and cause.status == 503:
                log.info("region %s cannot stream now (%s)", region_id, cause)
                raise TryLater(BUSY_STREAM_RETRY_SECONDS) from error
            raise
        peer = self.peers.get(region_id)
        if peer is not None and peer.streamer is not None:
            peer.streamer.wake()

    def pull_everyone(self) -> None:
        """A change parked for a name clash settles once every peer was drained after it:
        a pull from every peer, streaming or not."""
        for peer in list(self.peers.values()):
            peer.force_pull = True
            peer.puller.wake()

    def _pull_now(self, region_id: int) -> None:
        peer = self.peers.get(region_id)
        if peer is not None:
            peer.force_pull = True
            peer.puller.wake()

    def pull_unless_streaming(self, region_id: int) -> None:
        """Pull from the peer, unless a stream of its feed is open here: the stream delivers
        the same pages, and pulling them as well would apply everything twice (a catch-up of
        thousands of changes, twice). A forced pull (a clash waiting, a stream that broke)
        always runs."""
        peer = self.peers.get(region_id)
        forced = peer is not None and peer.force_pull
        if peer is not None:
            peer.force_pull = False
        if self.stream_job is not None and not forced and stream.following(region_id):
            log.debug("streaming from region %s: not pulled", region_id)
            return
        self.pull_job(region_id)

    def poke_unless_read(self, region_id: int) -> None:
        if stream.is_live(region_id):
            log.debug("region %s streams our feed: not poked", region_id)
            return
        peer = self.peers.get(region_id)
        mark = peer.read_mark if peer is not None else None
        if mark is not None and self.reads([region_id]).get(region_id, mark) > mark:
            log.debug("region %s began reading our feed since: not poked", region_id)
            return
        self.poke_job(region_id)

    # wake-ups

    def dispatch(self, message: bytes | str) -> None:
        kind, region_id = parse(message)
        log.debug("wake-up: %s %s", kind, region_id or "")
        if kind == LOCAL:
            self.poke_soon(self.peers.values())
        elif kind in (PULL, POKE) and region_id is not None:
            peer = self.peers.get(region_id)
            if peer is None:
                self.refresh()  # a region we have not met yet: is it in the registry now?
                peer = self.peers.get(region_id)
            if peer is not None and kind == PULL:
                peer.puller.wake()
            elif peer is not None:
                self.poke_soon([peer])
            elif kind == PULL:
                # A newcomer that has not reached our registry: learn of it from the others.
                for known in self.peers.values():
                    known.puller.wake()
        elif kind == PEERS:
            self.refresh()
        else:
            log.warning("ignored a malformed wake-up: %r", message)

    # the loop

    def run(self) -> None:
        """Listen until stop(); reconnect to Redis with backoff whenever it goes away."""
        self.refresh()
        try:
            while not self.stopping.is_set():
                try:
                    self._listen()
                except Exception as error:
                    delay = self._redis_delay
                    log.warning("Redis: %s; listening again in %.1f s", error, delay)
                    # No wake-ups without Redis: pull and poke on every attempt meanwhile.
                    self.everyone()
                    if self.stopping.wait(delay):
                        break
                    self._redis_delay = min(self.backoff_max, delay * 2)
                    self._tick()
        finally:
            self._shutdown()

    def client(self) -> Any:
        """A Redis client for the channel (tests give a fake one)."""
        import redis

        return redis.Redis.from_url(
            self.redis_url, socket_timeout=10, socket_connect_timeout=2, health_check_interval=5
        )

    def _listen(self) -> None:
        client = self.client()
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            pubsub.subscribe(channel_name())
            # redis-py reconnects and subscribes again by itself: whatever was published
            # meanwhile is gone, so treat every reconnection as a start.
            self._reconnected.clear()
            pubsub.connection.register_connect_callback(self._on_reconnect)
            log.info("listening on %s", channel_name())
            self._redis_delay = self.backoff_initial
            self.everyone()
            while not self.stopping.is_set():
                message = pubsub.get_message(timeout=1.0)
                if self._reconnected.is_set():
                    self._reconnected.clear()
                    log.info("reconnected to Redis: pulling from and poking every peer")
                    self.everyone()
                if message is not None and message.get("type") == "message":
                    self.dispatch(message["data"])
                self._tick()
        finally:
            pubsub.close()
            client.close()

    def _on_reconnect(self, connection: Any) -> None:
        self._reconnected.set()

    def _tick(self) -> None:
        if time.monotonic() - self._refreshed >= self.refresh_seconds:
            self.refresh()
        for peer in self.peers.values():
            for worker in peer.workers():
                if not worker.is_alive():
                    raise SystemExit(f"replicator worker {worker.name} died")

    def stop(self) -> None:
        self.stopping.set()

    def _shutdown(self, timeout: float = 10.0) -> None:
        for peer in self.peers.values():
            peer.stop()
        deadline = time.monotonic() + timeout
        for peer in self.peers.values():
            for worker in peer.workers():
                worker.join(max(0.0, deadline - time.monotonic()))


def _peer_ids() -> list[int]:
    """Every peer's id (and a link to it, made when first needed); keeps their rows."""
    global _regions
    delivery.peer_links()
    _regions = {region.pk: region for region in Region.objects.filter(is_local=False)}
    return list(_regions)
