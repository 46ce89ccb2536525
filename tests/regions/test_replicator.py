"""The replicator's logic (regions/federation/replication/replicator.py): wake-ups, coalescing,
backoff, routing to peers, the Redis reconnection, the fallback to Celery, the shared pull lock
and the pipelined pull. No Redis and no peer: fakes stand in for both."""

from __future__ import annotations

import itertools
import threading
import time
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from regions.federation.peer import signing
from regions.federation.peer.client import PeerError
from regions.federation.replication import (
    announce,
    delivery,
    pull_lock,
    replicator,
    signed_calls,
    wakeups,
)
from regions.federation.replication.pull_lock import PullLock
from regions.federation.replication.replicator import ContactMarks, Replicator, TryLater, Worker
from regions.federation.replication.wakeups import parse
from regions.models import PeerLink

WAIT = 5.0  # every wait of these tests is bounded by this


def until(condition, timeout: float = WAIT) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.005)
    return condition()


@pytest.fixture(autouse=True)
def fresh_process_state():
    """What the replicator keeps per process (this region's id, the last read secret)."""
    signed_calls.forget()
    yield
    signed_calls.forget()


@pytest.fixture
def workers():
    made: list[Worker] = []

    def make(job, **kwargs) -> Worker:
        worker = Worker("test", job, **kwargs)
        made.append(worker)
        worker.start()
        return worker

    yield make
    for worker in made:
        worker.stop()
        worker.join(WAIT)


# --- workers ---------------------------------------------------------------------------


def test_a_worker_runs_its_job_once_per_wake_up(workers):
    runs = []
    worker = workers(lambda: runs.append(1))
    worker.wake()
    assert until(lambda: len(runs) == 1)
    worker.wake()
    assert until(lambda: len(runs) == 2)
    time.sleep(0.05)
    assert len(runs) == 2  # nothing more without a wake-up


def test_wake_ups_during_a_run_coalesce_into_one_more_run(workers):
    started, release, runs = threading.Event(), threading.Event(), []

    def job():
        runs.append(1)
        started.set()
        release.wait(WAIT)

    worker = workers(job)
    worker.wake()
    assert started.wait(WAIT)
    for _ in range(10):  # ten commits while the first pull runs
        worker.wake()
    release.set()
    assert until(lambda: len(runs) == 2)
    time.sleep(0.05)
    assert len(runs) == 2 and worker.runs == 2


def test_a_failing_job_is_retried_with_a_doubling_backoff_that_a_success_resets(workers):
    moments, outcomes = [], iter([False, False, False, True])

    def job():
        moments.append(time.monotonic())
        if not next(outcomes):
            raise PeerError("cannot reach the peer")

    worker = workers(job, backoff_initial=0.05, backoff_max=0.1)
    worker.wake()  # one wake-up: the retries come from the backoff alone
    assert until(lambda: len(moments) == 4)
    gaps = [b - a for a, b in itertools.pairwise(moments)]
    assert gaps[0] >= 0.045 and gaps[1] >= 0.095 and gaps[2] >= 0.095  # 0.05, 0.1, 0.1 (cap)
    assert until(lambda: worker.failures == 0 and worker.runs == 1)
    time.sleep(0.15)
    assert len(moments) == 4  # no retry after the success


def test_wake_ups_do_not_cut_a_backoff_short(workers):
    moments = []

    def job():
        moments.append(time.monotonic())
        raise PeerError("down")

    worker = workers(job, backoff_initial=0.3, backoff_max=0.3)
    worker.wake()
    assert until(lambda: len(moments) == 1)
    for _ in range(20):  # commits keep coming while the peer is down
        worker.wake()
        time.sleep(0.005)
    assert until(lambda: len(moments) == 2, timeout=1.0)
    assert moments[1] - moments[0] >= 0.3


def test_try_later_runs_again_without_counting_a_failure(workers):
    calls = []

    def job():
        calls.append(1)
        if len(calls) == 1:
            raise TryLater(0.01)

    worker = workers(job)
    worker.wake()
    assert until(lambda: worker.runs == 1)
    assert len(calls) == 2 and worker.failures == 0


def test_a_stopped_worker_ends_even_in_a_backoff(workers):
    def job():
        raise PeerError("down")

    worker = workers(job, backoff_initial=60, backoff_max=60)
    worker.wake()
    assert until(lambda: worker.failures == 1)
    worker.stop()
    worker.join(WAIT)
    assert not worker.is_alive()


# --- wake-ups ----------------------------------------------------------------------------


def test_messages_parse_into_a_kind_and_a_region_id():
    assert parse(b"local") == ("local", None)
    assert parse(b"pull 3") == ("pull", 3)
    assert parse("poke 12") == ("poke", 12)
    assert parse(b"pull x") == ("pull", None)


@override_settings(REDIS_URL="")
def test_without_redis_nobody_is_woken():
    assert wakeups.wake("local") is False


class FakePublisher:
    def __init__(self, listeners: int = 1, error: Exception | None = None) -> None:
        self.listeners, self.error, self.sent = listeners, error, []

    def publish(self, channel, message):
        if self.error:
            raise self.error
        self.sent.append((channel, message))
        return self.listeners


@pytest.fixture
def publisher(monkeypatch, settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/4"
    settings.SESSION_COOKIE_NAME = "west_sessionid"
    fake = FakePublisher()
    monkeypatch.setattr(wakeups, "_publisher", lambda: fake)
    wakeups._redis_db.cache_clear()
    yield fake
    wakeups._redis_db.cache_clear()


def test_a_wake_up_reports_whether_a_replicator_got_it(publisher):
    assert wakeups.wake("pull 2") is True
    # Pub/sub channels span a Redis server's databases: the name carries the database.
    assert publisher.sent == [("west:replicator:4", "pull 2")]
    publisher.listeners = 0
    assert wakeups.wake("pull 2") is False
    publisher.error = ConnectionError("Redis is down")
    assert wakeups.wake("pull 2") is False


def test_commits_wake_the_streams_and_the_replicator_instead_of_queueing_pokes(
    west, queued, publisher
):
    announce.announce_local_changes()
    assert publisher.sent == [("west:feed:4", b"1"), ("west:replicator:4", "local")]
    assert queued == []


def test_without_a_replicator_commits_queue_celery_pokes(west, queued, publisher, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    publisher.listeners = 0
    announce.announce_local_changes()
    assert queued == [("regions.tasks.peer_poke", (2,))]


def poke(region_id: int = 2):
    headers = signing.sign(
        secret=signing.federation_secret(),
        region_id=region_id,
        method="POST",
        path="/api/peer/poke/",
        body=b"{}",
    )
    return Client().post(
        "/api/peer/poke/", data=b"{}", content_type="application/json", headers=headers
    )


def test_a_poke_wakes_the_replicator_instead_of_queueing_a_pull(west, queued, publisher):
    assert poke().status_code == 202
    assert [message for _, message in publisher.sent] == ["pull 2"] and queued == []


def test_without_a_replicator_a_poke_queues_a_celery_pull(west, queued, publisher):
    publisher.listeners = 0
    assert poke().status_code == 202
    assert queued == [("regions.tasks.peer_pull", (2,))]


# --- routing -----------------------------------------------------------------------------


class Jobs:
    """Pull and poke jobs that record what they were asked to do."""

    def __init__(self) -> None:
        self.done: list[tuple[str, int]] = []
        self.lock = threading.Lock()

    def pull(self, region_id: int) -> None:
        with self.lock:
            self.done.append(("pull", region_id))

    def poke(self, region_id: int) -> None:
        with self.lock:
            self.done.append(("poke", region_id))

    def take(self) -> list[tuple[str, int]]:
        with self.lock:
            done, self.done = sorted(self.done), []
        return done


@pytest.fixture
def routed(db):  # the replicator leaves the connections of a test's transaction alone
    jobs, registry = Jobs(), {"peers": [2, 3]}
    made: list[Replicator] = []

    def make(**kwargs) -> tuple[Replicator, Jobs, dict]:
        subject = Replicator(
            peer_ids=lambda: list(registry["peers"]),
            pull_job=jobs.pull,
            poke_job=jobs.poke,
            redis_url="redis://fake",
            **kwargs,
        )
        made.append(subject)
        return subject, jobs, registry

    yield make
    for subject in made:
        subject._shutdown(timeout=WAIT)


def settle(jobs: Jobs, expected: list, timeout: float = WAIT) -> list:
    done: list = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not set(expected) <= set(done):
        done += jobs.take()
        time.sleep(0.01)
    time.sleep(0.05)
    return sorted(done + jobs.take())


def quiet(jobs: Jobs) -> None:
    """Wait until no job has run for a while (start-up wake-ups may come twice)."""
    while True:
        time.sleep(0.1)
        if not jobs.take():
            return


def test_new_peers_are_pulled_from_and_poked_at_once(routed):
    subject, jobs, _ = routed()
    subject.refresh()
    expected = [("poke", 2), ("poke", 3), ("pull", 2), ("pull", 3)]
    assert settle(jobs, expected) == expected


def test_a_local_commit_pokes_every_peer_and_a_poke_pulls_from_its_sender(routed):
    subject, jobs, _ = routed()
    subject.refresh()
    settle(jobs, [("poke", 2), ("poke", 3), ("pull", 2), ("pull", 3)])
    subject.dispatch(b"local")
    assert settle(jobs, [("poke", 2), ("poke", 3)]) == [("poke", 2), ("poke", 3)]
    subject.dispatch(b"pull 3")
    assert settle(jobs, [("pull", 3)]) == [("pull", 3)]
    subject.dispatch(b"nonsense")
    subject.dispatch(b"pull")
    assert settle(jobs, [], timeout=0.1) == []


def test_a_poke_from_a_region_not_known_yet_reads_the_registry_again(routed):
    subject, jobs, registry = routed()
    subject.refresh()
    settle(jobs, [("poke", 2), ("poke", 3), ("pull", 2), ("pull", 3)])
    registry["peers"] = [2, 3, 4]  # region 4 joined through region 2
    subject.dispatch(b"pull 4")
    assert ("pull", 4) in settle(jobs, [("poke", 4), ("pull", 4)])


def test_a_poke_from_a_region_in_no_registry_yet_pulls_from_every_peer(routed):
    subject, jobs, _ = routed()
    subject.refresh()
    settle(jobs, [("poke", 2), ("poke", 3), ("pull", 2), ("pull", 3)])
    subject.dispatch(b"pull 9")  # the others will tell us about region 9
    assert settle(jobs, [("pull", 2), ("pull", 3)]) == [("pull", 2), ("pull", 3)]


def test_a_region_that_left_has_its_workers_stopped(routed):
    subject, jobs, registry = routed()
    subject.refresh()
    settle(jobs, [("poke", 2), ("poke", 3), ("pull", 2), ("pull", 3)])
    leaving = subject.peers[3]
    registry["peers"] = [2]
    subject.refresh()
    assert set(subject.peers) == {2}
    for worker in leaving.workers():  # each stops on its own thread: wait for all of them
        worker.join(WAIT)
    assert not leaving.puller.is_alive() and not leaving.poker.is_alive()


def test_a_registry_that_cannot_be_read_keeps_the_peers_known(routed):
    subject, _, registry = routed()
    subject.refresh()
    registry["peers"] = None  # list(None): as if the database were away
    subject.refresh()
    assert set(subject.peers) == {2, 3}


def test_a_peer_that_began_reading_our_feed_since_the_commit_is_not_poked(routed):
    counts = {2: 5, 3: 5}
    subject, jobs, _ = routed(reads=lambda ids: {i: counts[i] for i in ids if i in counts})
    subject.refresh()
    quiet(jobs)
    subject.peers[2].poker.stop()  # hold region 2's poker: the commit's poke waits
    subject.peers[2].poker.join(WAIT)
    subject.peers[2].poker = Worker("poke-2", lambda: subject.poke_unless_read(2))
    subject.dispatch(b"local")  # marks: 5 reads each so far
    counts[2] = 6  # region 2 began a read after the commit: it gets the change with it
    subject.peers[2].poker.start()
    assert settle(jobs, [("poke", 3)]) == [("poke", 3)]  # region 3 is poked, 2 is not
    subject.dispatch(b"local")  # a later commit, and no read since: poked
    assert settle(jobs, [("poke", 2), ("poke", 3)]) == [("poke", 2), ("poke", 3)]


def test_without_read_counts_every_peer_is_poked(routed):
    subject, jobs, _ = routed(reads=lambda ids: {})
    subject.refresh()
    quiet(jobs)
    subject.dispatch(b"local")
    assert settle(jobs, [("poke", 2), ("poke", 3)]) == [("poke", 2), ("poke", 3)]


class CountingRedis(FakePublisher):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, int] = {}

    def incr(self, key):
        self.values[key] = self.values.get(key, 0) + 1

    def mget(self, keys):
        return [str(self.values[k]).encode() if k in self.values else None for k in keys]


def test_reads_of_our_feed_are_counted_per_peer(monkeypatch, publisher):
    counting = CountingRedis()
    monkeypatch.setattr(wakeups, "_publisher", lambda: counting)
    assert wakeups.read_counts([2, 3]) == {}
    wakeups.note_read(2)
    wakeups.note_read(2)
    assert wakeups.read_counts([2, 3]) == {2: 2}
    assert set(counting.values) == {"west:replicator:4:reads:2"}


def test_a_peer_reading_our_feed_is_counted_before_the_feed_is_read(west, monkeypatch):
    order = []
    monkeypatch.setattr(wakeups, "note_read", lambda region_id: order.append("counted"))
    from regions.federation.replication import feed

    read = feed.feed_page_json
    monkeypatch.setattr(
        feed, "feed_page_json", lambda **kwargs: order.append("read") or read(**kwargs)
    )
    path = "/api/peer/changes/?after=0&limit=10"
    headers = signing.sign(secret=signing.federation_secret(), region_id=2, method="GET", path=path)
    assert Client().get(path, headers=headers).status_code == 200
    assert order == ["counted", "read"]


# --- Redis: listening, reconnecting ----------------------------------------------------


class FakePubSub:
    def __init__(self, server: FakeRedis) -> None:
        self.server = server
        self.connection = SimpleNamespace(register_connect_callback=server.callbacks.append)

    def subscribe(self, channel):
        if self.server.down:
            raise ConnectionError("Redis is down")
        self.server.subscribed.append(channel)

    def get_message(self, timeout=0.0):
        if self.server.down:
            raise ConnectionError("connection lost")
        if self.server.messages:
            return {"type": "message", "data": self.server.messages.pop(0)}
        time.sleep(0.01)
        return None

    def close(self):
        pass


class FakeRedis:
    def __init__(self) -> None:
        self.down = False
        self.messages: list[bytes] = []
        self.subscribed: list[str] = []
        self.callbacks: list = []

    def pubsub(self, **kwargs):
        return FakePubSub(self)

    def close(self):
        pass


@pytest.fixture
def running(routed, monkeypatch, settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/5"
    wakeups._redis_db.cache_clear()
    server = FakeRedis()
    subject, jobs, _ = routed(backoff_initial=0.02, backoff_max=0.05, refresh_seconds=60)
    monkeypatch.setattr(subject, "client", lambda: server)
    thread = threading.Thread(target=subject.run, daemon=True)
    thread.start()
    yield subject, jobs, server
    subject.stop()
    thread.join(WAIT)
    wakeups._redis_db.cache_clear()
    assert not thread.is_alive()


def test_the_replicator_listens_and_routes_what_it_hears(running):
    _, jobs, server = running
    assert until(lambda: server.subscribed)
    quiet(jobs)
    server.messages.append(b"pull 2")
    assert set(settle(jobs, [("pull", 2)])) == {("pull", 2)}


def test_after_losing_redis_it_catches_up_with_every_peer(running):
    _, jobs, server = running
    assert until(lambda: server.subscribed)
    quiet(jobs)
    server.down = True  # wake-ups published now are lost
    assert until(lambda: len(jobs.done) >= 4)  # meanwhile it pulls and pokes on each retry
    server.down = False
    subscribed = len(server.subscribed)
    assert until(lambda: len(server.subscribed) > subscribed)  # listening again
    everyone = [("poke", 2), ("poke", 3), ("pull", 2), ("pull", 3)]
    assert set(settle(jobs, everyone)) == set(everyone)


def test_a_silent_reconnection_by_redis_py_counts_as_missed_wake_ups(running):
    _, jobs, server = running
    assert until(lambda: server.callbacks)
    quiet(jobs)
    server.callbacks[-1](None)  # redis-py reconnected and subscribed again by itself
    everyone = [("poke", 2), ("poke", 3), ("pull", 2), ("pull", 3)]
    assert set(settle(jobs, everyone)) == set(everyone)


# --- health ------------------------------------------------------------------------------


def test_a_healthy_peer_is_written_at_most_once_an_interval_errors_at_once(monkeypatch):
    written, now = [], [100.0]
    monkeypatch.setattr(
        delivery, "mark_contact", lambda link, *, error="": written.append((link.pk, error))
    )
    marks = ContactMarks(interval=1.0, clock=lambda: now[0])
    link = SimpleNamespace(pk=2)
    marks(link)
    marks(link)
    now[0] += 0.5
    marks(link)
    assert written == [(2, "")]
    marks(link, error="down")
    marks(link)  # the first success after an error
    assert written == [(2, ""), (2, "down"), (2, "")]
    now[0] += 1.0
    marks(link)
    assert written[-1] == (2, "") and len(written) == 4


# --- the pull lock shared with Celery ----------------------------------------------------


@pytest.fixture
def local_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    yield cache
    cache.clear()


def test_the_pull_lock_is_the_celery_tasks_and_asks_its_holder_for_another_round(local_cache):
    mine, theirs = PullLock(2), PullLock(2)
    assert mine.acquire()
    assert cache.get(pull_lock.pull_lock_key(2)).startswith("replicator:")
    assert not theirs.acquire()  # taken: the holder is asked to go round once more
    assert mine.release() is True
    assert cache.get(pull_lock.pull_lock_key(2)) is None
    assert mine.acquire() and mine.release() is False


def test_a_pull_while_celery_pulls_is_tried_again_shortly(west, local_cache, monkeypatch):
    cache.add(pull_lock.pull_lock_key(2), "a-celery-task", 30)
    pulled = []
    monkeypatch.setattr(delivery, "peer_pull", lambda **kwargs: pulled.append(kwargs))
    with pytest.raises(TryLater):
        replicator.pull(2, contact=ContactMarks())
    assert pulled == [] and cache.get(pull_lock.pull_again_key(2))


def test_a_pull_asked_for_again_meanwhile_goes_round_once_more(west, local_cache, monkeypatch):
    rounds = []

    def peer_pull(**kwargs):
        rounds.append(kwargs["region_id"])
        if len(rounds) == 1:  # a Celery pull found the lock taken during our first round
            cache.set(pull_lock.pull_again_key(2), 1, 30)
        return {"applied": 0, "ignored": 0, "parked": 0, "batches": 1}

    monkeypatch.setattr(delivery, "peer_pull", peer_pull)
    replicator.pull(2, contact=ContactMarks())
    assert rounds == [2, 2]
    assert cache.get(pull_lock.pull_lock_key(2)) is None  # let go at the end


def test_no_pull_or_poke_while_replication_is_off(west, local_cache, monkeypatch):
    from regions.federation.services import replication_set

    replication_set(enabled=False, by=None)
    monkeypatch.setattr(delivery, "peer_pull", lambda **kwargs: pytest.fail("pulled"))
    monkeypatch.setattr(delivery, "peer_poke", lambda **kwargs: pytest.fail("poked"))
    assert replicator.pull(2, contact=ContactMarks()) is None
    replicator.poke(2, contact=ContactMarks())


# --- the pipelined pull ------------------------------------------------------------------


def test_the_next_page_is_fetched_while_a_page_is_applied(west, monkeypatch):
    """Pages 1..3 of two changes: the fetch of page 2 must start before page 1's apply
    ends (a pull that only fetched after applying would wait here until the timeout)."""
    fetched: dict[int, threading.Event] = {after: threading.Event() for after in (0, 2, 4)}
    order: list[str] = []

    def call(region, *, method, path, params):
        after = params["after"]
        order.append(f"fetch {after}")
        fetched[after].set()
        last = min(after + 2, 6)
        return {
            "changes": [{"seq": n} for n in range(after + 1, last + 1)],
            "last_seq": last,
            "more": last < 6,
        }

    def apply_page(link, page, *, drained_at=None):
        first = page["changes"][0]["seq"]
        if page["more"]:
            assert fetched[page["last_seq"]].wait(WAIT), "the next page was not fetched early"
        order.append(f"apply {first}")
        PeerLink.objects.filter(pk=link.pk).update(pulled_seq=page["last_seq"])
        return {"applied": len(page["changes"])}

    monkeypatch.setattr(delivery, "apply_page", apply_page)
    delivery.peer_links()
    totals = delivery.peer_pull(region_id=2, call=call)
    assert totals["applied"] == 6 and totals["batches"] == 3
    assert [step for step in order if step.startswith("apply")] == [
        "apply 1",
        "apply 3",
        "apply 5",
    ]
    assert PeerLink.objects.get(pk=2).pulled_seq == 6


def test_a_failed_prefetch_is_reported_after_the_page_before_it_is_applied(west, monkeypatch):
    def call(region, *, method, path, params):
        if params["after"] == 0:
            return {"changes": [{"seq": 1}], "last_seq": 1, "more": True}
        raise PeerError("cannot reach west")

    applied = []
    monkeypatch.setattr(
        delivery,
        "apply_page",
        lambda link, page, drained_at=None: applied.append(page["last_seq"]) or {"applied": 1},
    )
    delivery.peer_links()
    with pytest.raises(PeerError):
        delivery.peer_pull(region_id=2, call=call)
    link = PeerLink.objects.get(pk=2)
    assert applied == [1] and not link.reachable and "cannot reach west" in link.last_error
