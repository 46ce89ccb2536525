"""Feed streams (regions/federation/replication/stream.py): the sending view and the
receiving loop."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from django.test import Client

from regions.federation.peer import client as peer_client
from regions.federation.peer import signing
from regions.federation.peer.client import PeerError
from regions.federation.replication import delivery, replicator, signed_calls, stream
from regions.models import Change, PeerLink
from tests import factories


@pytest.fixture(autouse=True)
def fresh_credentials():
    signed_calls.forget()
    yield
    signed_calls.forget()


@pytest.fixture
def short_streams(monkeypatch, settings):
    """Streams that end after a fraction of a second, polling (no Redis in unit tests)."""
    settings.REDIS_URL = ""
    monkeypatch.setattr(stream, "STREAM_SECONDS", 0.3)
    monkeypatch.setattr(stream, "POLL_SECONDS", 0.05)


def signed_get(path: str, *, threaded: bool = True, region_id: int = 2):
    headers = signing.sign(
        secret=signing.federation_secret(), region_id=region_id, method="GET", path=path, body=b""
    )
    return Client().get(path, headers=headers, **{"wsgi.multithread": threaded})


def signed_post(path: str, payload, *, region_id: int = 2):
    body = json.dumps(payload).encode()
    headers = signing.sign(
        secret=signing.federation_secret(), region_id=region_id, method="POST", path=path, body=body
    )
    return Client().post(path, data=body, content_type="application/json", headers=headers)


def lines(response) -> list[dict]:
    return [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]


# --- sending -----------------------------------------------------------------------------


def test_a_stream_sends_our_feed_from_the_cursor_as_pages(west, short_streams):
    for n in range(3):
        factories.domain(name=f"s{n}")
    mine = list(Change.objects.filter(origin=1).order_by("seq"))
    Change.objects.create(  # another region's change never enters our feed
        model="identity.domain", object_id="x", op="delete", wall=1, counter=0, origin=2
    )
    response = signed_get(f"/api/peer/stream/?after={mine[0].seq}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-ndjson"
    assert response["Cache-Control"] == "no-store"
    pages = [line for line in lines(response) if "changes" in line]
    assert len(pages) == 1
    assert [c["seq"] for c in pages[0]["changes"]] == [c.seq for c in mine[1:]]
    assert pages[0]["origin"] == 1 and pages[0]["more"] is False
    assert pages[0]["last_seq"] == mine[-1].seq
    assert PeerLink.objects.get(pk=2).acked_seq == mine[0].seq  # what it asked from


def test_a_stream_sends_heartbeats_while_nothing_commits(west, monkeypatch, settings):
    settings.REDIS_URL = ""
    monkeypatch.setattr(stream, "STREAM_SECONDS", 0.3)
    monkeypatch.setattr(stream, "_wait", lambda news, seconds: False)  # no commit comes
    head = delivery.local_head()
    response = signed_get(f"/api/peer/stream/?after={head}")
    beats = lines(response)
    assert beats and all(line == {"heartbeat": head} for line in beats)


def test_a_server_without_threads_refuses_to_stream(west, short_streams):
    response = signed_get("/api/peer/stream/?after=0", threaded=False)
    assert response.status_code == 409
    assert "threads" in response.json()["detail"]


@pytest.mark.parametrize("after", ["x", "1.5", ""])
def test_a_stream_with_a_bad_cursor_answers_400(west, short_streams, after):
    response = signed_get(f"/api/peer/stream/?after={after}")
    assert response.status_code == 400 and "after" in response.json()["detail"]


def test_an_ack_moves_the_senders_cursor_forward_only_and_never_past_its_feed(west):
    for n in range(2):
        factories.domain(name=f"a{n}")
    head = delivery.local_head()
    assert signed_post("/api/peer/ack/", {"seq": head - 1}).json() == {"acked": head - 1}
    assert PeerLink.objects.get(pk=2).acked_seq == head - 1
    assert signed_post("/api/peer/ack/", {"seq": head + 1000}).json() == {"acked": head}
    signed_post("/api/peer/ack/", {"seq": 0})
    assert PeerLink.objects.get(pk=2).acked_seq == head


@pytest.mark.parametrize("payload", [{}, {"seq": -1}, {"seq": "3"}, {"seq": True}, [1], None])
def test_a_malformed_ack_answers_400_and_changes_nothing(west, payload):
    response = signed_post("/api/peer/ack/", payload)
    assert response.status_code == 400 and "seq" in response.json()["detail"]
    assert not PeerLink.objects.filter(acked_seq__gt=0).exists()


def test_a_peer_holding_a_stream_is_not_poked(west, locmem_cache):
    stream._mark_live(2)
    assert stream.is_live(2)
    poked = []
    subject = replicator.Replicator(
        peer_ids=lambda: [2], pull_job=lambda r: None, poke_job=poked.append
    )
    subject.poke_unless_read(2)
    assert poked == []
    stream._forget_live(2)
    subject.poke_unless_read(2)
    assert poked == [2]


@pytest.fixture
def locmem_cache(settings):
    from django.core.cache import cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    yield
    cache.clear()


# --- receiving ---------------------------------------------------------------------------


def remote_page(*, seqs: list[int], more: bool = False, origin: int = 2) -> dict:
    """A page of region ORIGIN's feed creating a domain under ROOT per sequence number."""
    changes = []
    for seq in seqs:
        object_id = f"5e000000-0000-4000-8000-{seq:012d}"
        changes.append(
            {
                "seq": seq,
                "created": "2026-12-02T00:00:00+00:00",
                "model": "identity.domain",
                "object_id": object_id,
                "op": "upsert",
                "version": [1796000000000 + seq, 0, origin],
                "payload": {
                    "name": f"streamed-{seq}",
                    "path": f"ROOT/streamed-{seq}",
                    "parent_id": "00000000-0000-4000-8000-000000000001",
                    "network_domain": "",
                },
                "format": 1,
            }
        )
    return {"format": 1, "origin": origin, "changes": changes, "last_seq": seqs[-1], "more": more}


@pytest.fixture
def peer_sends(monkeypatch, west):
    """Make the peer's stream answer the lines given (bytes), or raise PeerError."""
    delivery.peer_links()
    opened: list[dict] = []

    def install(*items):
        def fake_stream(**kwargs):
            opened.append(kwargs)

            def gen():
                for item in items:
                    if isinstance(item, Exception):
                        raise item
                    yield item

            return gen()

        monkeypatch.setattr(stream, "peer_stream", fake_stream)
        return opened

    monkeypatch.setattr(stream, "_ack", lambda call, link, seq: acks.append(seq))
    acks: list[int] = []
    install.acks = acks
    return install


def line(data: dict) -> bytes:
    return json.dumps(data).encode()


def follow() -> list[str]:
    parked: list[str] = []
    stream.follow(
        2, contact=lambda link, error="": None, on_parked=lambda: parked.append("x"), stopping=bool
    )
    return parked


def test_streamed_pages_are_applied_and_move_the_cursor(peer_sends):
    from identity.models import Domain

    opened = peer_sends(
        line(remote_page(seqs=[1, 2], more=True)),
        line({"heartbeat": 2}),
        line(remote_page(seqs=[3])),
    )
    follow()
    assert opened[0]["params"] == {"after": 0} and opened[0]["path"] == "/api/peer/stream/"
    assert set(
        Domain.objects.filter(name__startswith="streamed-").values_list("name", flat=True)
    ) == {
        "streamed-1",
        "streamed-2",
        "streamed-3",
    }
    assert PeerLink.objects.get(pk=2).pulled_seq == 3
    assert peer_sends.acks[-1] == 3  # the sender learns how far we got


def test_a_stream_opens_from_the_cursor(peer_sends):
    PeerLink.objects.filter(pk=2).update(pulled_seq=41)
    opened = peer_sends()
    follow()
    assert opened[0]["params"] == {"after": 41}


@pytest.mark.parametrize(
    "bad",
    [
        b"not json",
        b"[1, 2]",
        line({"changes": [], "last_seq": 9, "more": False}),  # no origin
        line(remote_page(seqs=[1], origin=3)),  # another region's feed
        line({"format": 1, "origin": 2, "changes": [], "last_seq": "9", "more": False}),
    ],
)
def test_a_line_that_is_not_a_page_of_that_peers_feed_ends_the_stream_unapplied(peer_sends, bad):
    peer_sends(line(remote_page(seqs=[1])), bad, line(remote_page(seqs=[2])))
    with pytest.raises(stream.StreamError):
        follow()
    assert PeerLink.objects.get(pk=2).pulled_seq == 1  # what came before it stays applied


def test_a_broken_stream_keeps_what_was_applied_and_raises(peer_sends):
    peer_sends(line(remote_page(seqs=[1, 2])), PeerError("stream broke: ChunkedEncodingError"))
    with pytest.raises(stream.StreamError):
        follow()
    assert PeerLink.objects.get(pk=2).pulled_seq == 2


def test_a_peer_that_cannot_be_reached_raises_with_its_status(monkeypatch, west):
    delivery.peer_links()

    def refused(**kwargs):
        raise PeerError("west answered 409: no threads", status=409)

    monkeypatch.setattr(stream, "peer_stream", refused)
    with pytest.raises(stream.StreamError) as raised:
        follow()
    assert raised.value.__cause__.status == 409


def test_a_page_that_parks_asks_for_a_pull_round(peer_sends):
    page = remote_page(seqs=[1])
    page["changes"][0]["payload"]["parent_id"] = "00000000-0000-4000-8000-00000000dead"
    peer_sends(line(page))
    assert follow() == ["x"]
    assert PeerLink.objects.get(pk=2).pulled_seq == 1  # parked, not lost: the cursor moves


class Streamed:
    """A streamed answer whose body arrives in CHUNKS."""

    def __init__(self, *chunks: bytes) -> None:
        self.chunks = chunks

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def iter_content(self, chunk_size=None):
        assert chunk_size is None  # as the chunks arrive, not a buffer at a time
        yield from self.chunks


def test_lines_are_yielded_as_their_chunks_arrive():
    response = Streamed(b'{"a":', b"1}\n{", b'"b":2}\n\n', b'{"c":3}\n')
    assert list(peer_client._lines(response, "http://x")) == [b'{"a":1}', b'{"b":2}', b'{"c":3}']


def test_a_stream_cut_inside_a_line_is_an_error():
    with pytest.raises(PeerError):
        list(peer_client._lines(Streamed(b'{"a":1}\n{"b":'), "http://x"))


def test_no_stream_is_opened_while_replication_is_off(peer_sends):
    from regions.federation.services import replication_set

    opened = peer_sends(line(remote_page(seqs=[1])))
    replication_set(enabled=False, by=None)
    with pytest.raises(stream.ReplicationOff):
        follow()
    assert opened == [] and PeerLink.objects.get(pk=2).pulled_seq == 0


def test_a_stream_applies_nothing_more_once_replication_is_turned_off(peer_sends, monkeypatch):
    from regions.federation.services import replication_set

    def turn_off_then_page():
        yield line(remote_page(seqs=[1]))
        replication_set(enabled=False, by=None)
        yield line(remote_page(seqs=[2]))

    delivery.peer_links()
    monkeypatch.setattr(stream, "peer_stream", lambda **kwargs: turn_off_then_page())
    follow()
    assert PeerLink.objects.get(pk=2).pulled_seq == 1


def test_a_stream_sends_nothing_once_replication_is_turned_off_here(west, short_streams):
    from regions.federation.services import replication_set

    head = delivery.local_head()
    response = signed_get(f"/api/peer/stream/?after={head}")
    replication_set(enabled=False, by=None)
    factories.domain(name="after-off")
    assert lines(response) == []


def test_the_sweep_leaves_a_streamed_peer_alone_unless_changes_wait(
    west, locmem_cache, monkeypatch
):
    from regions import tasks
    from regions.models import ParkedChange

    queued = []
    monkeypatch.setattr(tasks, "enqueue", lambda task, *args: queued.append((task.name, args)))
    delivery.peer_links()
    stream._mark_following(2, on=True)
    tasks.replication_sweep()
    assert ("regions.tasks.peer_pull", (2,)) not in queued
    ParkedChange.objects.create(
        model="identity.domain",
        object_id="5e000000-0000-4000-8000-0000000000aa",
        op="upsert",
        wall=1,
        counter=0,
        origin=2,
        payload={},
        reason="name clash with identity.domain y",
    )
    tasks.replication_sweep()
    assert ("regions.tasks.peer_pull", (2,)) in queued
    stream._mark_following(2, on=False)
    assert not stream.following(2)


def test_a_replicator_streaming_from_a_peer_pulls_only_when_forced(locmem_cache):
    pulled = []
    subject = replicator.Replicator(
        peer_ids=lambda: [2],
        pull_job=pulled.append,
        poke_job=lambda r: None,
        stream_job=lambda r: None,
    )
    subject.peers[2] = replicator.Peer(2, puller=None, poker=None)
    stream._mark_following(2, on=True)
    subject.pull_unless_streaming(2)
    assert pulled == []
    subject.peers[2].force_pull = True
    subject.pull_unless_streaming(2)
    assert pulled == [2]
    stream._mark_following(2, on=False)
    subject.pull_unless_streaming(2)
    assert pulled == [2, 2]


def test_a_process_serves_a_bounded_number_of_streams_and_frees_each_slot(
    west, short_streams, monkeypatch
):
    import threading

    monkeypatch.setattr(stream, "_slots", threading.BoundedSemaphore(1))
    head = delivery.local_head()

    def never_started():
        yield b"never"

    held = stream.Held(never_started())  # another stream holds this process's only slot
    busy = signed_get(f"/api/peer/stream/?after={head}")
    assert busy.status_code == 503 and "Busy" in busy.json()["detail"]
    held.close()  # closed before its first line: the slot is free again all the same
    for _ in range(2):  # a stream read to its end and closed (by the server) frees its slot
        again = signed_get(f"/api/peer/stream/?after={head}")
        assert again.status_code == 200
        lines(again)


def test_a_busy_peer_is_pulled_and_asked_again_later(monkeypatch):
    pulled = []
    subject = replicator.Replicator(
        peer_ids=lambda: [2], pull_job=pulled.append, poke_job=lambda r: None, streams=True
    )
    subject.peers[2] = replicator.Peer(
        2, puller=SimpleNamespace(wake=lambda: pulled.append("woken")), poker=None
    )

    def busy(region_id, **kwargs):
        raise stream.StreamError("busy") from PeerError("west answered 503: Busy", status=503)

    monkeypatch.setattr(stream, "follow", busy)
    with pytest.raises(replicator.TryLater) as later:
        subject.follow(2)
    assert later.value.seconds == replicator.BUSY_STREAM_RETRY_SECONDS
    assert pulled == ["woken"] and subject.peers[2].force_pull
