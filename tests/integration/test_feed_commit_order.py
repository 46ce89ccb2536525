"""The change feed is gap-free when transactions commit out of order (PostgreSQL).

Sequence numbers are taken at insert, but transactions commit in any order: transaction A
takes seq N and is still open when transaction B takes N+1 and commits. A reader that saw
N+1 then would move its cursor past N and never see it. So a feed read while A is open
must either wait for A or return nothing past N; once A commits, a read returns both, in
order. Not a live test: a normal database test, but on PostgreSQL only (SQLite has one
writer at a time, so it cannot commit out of order); CI runs it there via DATABASE_URL.
"""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection, transaction

from regions.federation.replication.feed import feed_head, feed_read
from regions.models import Change
from tests import factories

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="commits out of order need concurrent writers: PostgreSQL only "
        "(set DATABASE_URL=postgres://...; CI does)",
    ),
    # serialized_rollback: the flush after this test must not leave the next transactional
    # test to restore rows that post_migrate already made again (content types)
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

#: how long the reader is given to answer while A is open, before we call it waiting
READER_GRACE = 2.0
#: every wait of this test is bounded by this
LIMIT = 30.0


def _change() -> int:
    """A change made here (origin 1), as the recorder appends it; returns its seq."""
    return Change.objects.create(
        model="identity.domain",
        object_id=str(uuid.uuid4()),
        op="upsert",
        wall=1,
        counter=0,
        origin=1,
        payload={},
    ).seq


class Worker(threading.Thread):
    """Runs TARGET in a thread with its own database connection, closed at the end."""

    def __init__(self, target) -> None:
        super().__init__(daemon=True)
        self.target, self.result, self.error = target, None, None
        self.done = threading.Event()

    def run(self) -> None:
        try:
            self.result = self.target()
        except BaseException as error:  # reported by the test
            self.error = error
        finally:
            connection.close()
            self.done.set()


def test_a_feed_read_never_passes_a_change_whose_transaction_is_still_open():
    factories.local_region()
    start = feed_head(origin=1)
    a_inserted, a_release = threading.Event(), threading.Event()
    seqs: dict[str, int] = {}

    def transaction_a() -> None:
        with transaction.atomic():
            seqs["a"] = _change()
            a_inserted.set()
            assert a_release.wait(LIMIT), "never released"

    def transaction_b() -> None:
        assert a_inserted.wait(LIMIT)
        with transaction.atomic():
            seqs["b"] = _change()

    a = Worker(transaction_a)
    a.start()
    try:
        b = Worker(transaction_b)
        b.start()
        b.join(LIMIT)
        assert b.done.is_set() and b.error is None, f"B did not commit: {b.error!r}"
        assert seqs["b"] > seqs["a"], seqs

        reader = Worker(lambda: feed_read(origin=1, after=start))
        reader.start()
        answered_early = reader.done.wait(READER_GRACE)
        if answered_early:
            assert reader.error is None, reader.error
            early = reader.result
            returned = [c["seq"] for c in early["changes"]]
            assert seqs["b"] not in returned, (
                f"the feed returned seq {seqs['b']} while seq {seqs['a']} was uncommitted: "
                f"a cursor moved to {early['last_seq']} would lose {seqs['a']} forever"
            )
            assert early["last_seq"] < seqs["a"], early
    finally:
        a_release.set()
        a.join(LIMIT)
    assert a.done.is_set() and a.error is None, f"A did not commit: {a.error!r}"

    reader.join(LIMIT)
    assert reader.done.is_set(), f"the feed read still waits {LIMIT}s after A committed"
    assert reader.error is None, reader.error
    if not answered_early:
        # It waited for A: now it has both, in order.
        assert [c["seq"] for c in reader.result["changes"]] == [seqs["a"], seqs["b"]]
    page = feed_read(origin=1, after=start)
    assert [c["seq"] for c in page["changes"]] == [seqs["a"], seqs["b"]]
    assert page["last_seq"] == seqs["b"] and page["more"] is False
