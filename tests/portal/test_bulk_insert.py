"""bulk_insert: COPY on PostgreSQL (CI), bulk_create elsewhere; the rows are the same."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from identity.models import User
from portal.bulk_insert import bulk_insert, bulk_insert_rows
from regions.models import Change, ObjectVersion
from tests import factories


def test_changes_get_ascending_sequence_numbers_and_their_payloads(db):
    before = Change.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    changes = [
        Change(
            model="identity.user",
            object_id=f"id-{i}",
            op="upsert",
            wall=1000 + i,
            counter=i,
            origin=1,
            payload={"n": i, "nested": {"text": "é ✓ \\ \t"}, "list": [1, None]},
        )
        for i in range(5)
    ]
    bulk_insert(Change, changes)
    seqs = [change.seq for change in changes]
    assert seqs == sorted(seqs) and seqs[0] > before and len(set(seqs)) == 5
    stored = list(Change.objects.filter(seq__in=seqs).order_by("seq"))
    assert [c.object_id for c in stored] == [f"id-{i}" for i in range(5)]
    assert stored[3].payload == {"n": 3, "nested": {"text": "é ✓ \\ \t"}, "list": [1, None]}
    assert all(c.created is not None for c in stored)


def test_inserted_rows_are_saved_objects(region):
    account = factories.account()
    users = [User(account=account, username=f"bulk{i}", password="x") for i in range(3)]
    bulk_insert(User, users)
    users[0].first_name = "Changed"
    users[0].save()  # an update, not a second insert
    assert User.objects.get(pk=users[0].pk).first_name == "Changed"
    assert User.objects.filter(username__startswith="bulk").count() == 3
    assert all(user.created is not None and user.updated is not None for user in users)


def test_a_clash_is_an_integrity_error_and_inserts_nothing(db):
    ObjectVersion.objects.create(model="m", object_id="taken", wall=1, counter=0, origin=1)
    rows = [
        ObjectVersion(model="m", object_id=object_id, wall=2, counter=0, origin=1)
        for object_id in ("free", "taken")
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_insert(ObjectVersion, rows)
    assert list(ObjectVersion.objects.values_list("object_id", flat=True)) == ["taken"]


def test_rows_given_as_values_get_their_key_defaults_and_stamps(db):
    before = Change.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    rows = [
        {"model": "m", "object_id": f"r{i}", "op": "upsert", "wall": 5, "counter": i}
        | {"origin": 1, "payload": {"i": i, "text": "\t✓"}}
        for i in range(3)
    ]
    bulk_insert_rows(Change, rows)
    seqs = [row["seq"] for row in rows]  # set in each row, in order
    assert seqs == sorted(seqs) and seqs[0] > before and len(set(seqs)) == 3
    stored = {c.seq: c for c in Change.objects.filter(seq__in=seqs)}
    for row in rows:
        change = stored[row["seq"]]
        assert (change.object_id, change.payload) == (row["object_id"], row["payload"])
        assert change.format == 1 and change.created == row["created"]  # default and stamp


def test_rows_that_leave_out_different_fields_each_get_their_own_defaults(region):
    """A page of replicated rows comes from payloads of any age: one row may leave out a
    field another gives. A callable default (a UUID key) is made for each row."""
    account = factories.account()
    rows = [
        {"account_id": account.pk, "username": "first", "password": "x", "state": "locked"},
        {"account_id": account.pk, "username": "second", "password": "x"},
    ]
    bulk_insert_rows(User, rows)
    first, second = (User.objects.get(username=name) for name in ("first", "second"))
    assert (first.state, second.state) == ("locked", "enabled")
    assert first.pk != second.pk and rows[0]["id"] == first.pk
    assert first.created is not None and second.timezone == "UTC"
