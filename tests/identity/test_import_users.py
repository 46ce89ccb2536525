"""Bulk import of users: all or nothing, and every imported user is a replicated change."""

from __future__ import annotations

import csv
import json

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from identity import services as identity
from identity.models import User
from identity.services.imports import users_import
from regions.federation.replication import events, registry
from regions.models import Change, ObjectVersion
from tests import factories
from tests.db_state import db_state

PASSWORD = factories.PASSWORD


@pytest.fixture
def team(region):
    return factories.account(name="team")


def rows(*names, **fields):
    return [{"username": name, "password": PASSWORD} | fields for name in names]


def test_users_are_imported_with_passwords_and_hashes(team):
    hashed = make_password("from-the-old-cloud-7")
    users = users_import(
        account=team,
        rows=[
            {
                "username": "ana",
                "password": PASSWORD,
                "email": "ana@example.com",
                "first_name": "Ana",
                "last_name": "Lima",
                "timezone": "Europe/Lisbon",
            },
            {"username": " ben ", "password_hash": hashed},
        ],
        by=None,
    )
    assert [u.username for u in users] == ["ana", "ben"]
    ana = User.objects.get(username="ana")
    assert (ana.email, ana.first_name, ana.last_name, ana.timezone) == (
        "ana@example.com",
        "Ana",
        "Lima",
        "Europe/Lisbon",
    )
    assert ana.account == team and ana.password != PASSWORD
    assert User.objects.get(username="ben").password == hashed
    assert authenticate(username="ana", password=PASSWORD) == ana
    assert authenticate(username="ben", password="from-the-old-cloud-7").username == "ben"


def test_every_imported_user_is_one_recorded_change_with_its_version(team):
    before = Change.objects.count()
    users = users_import(account=team, rows=rows("ana", "ben", "cy"), by=None)
    changes = list(Change.objects.filter(model="identity.user").order_by("seq"))
    assert Change.objects.count() == before + 3 and len(changes) == 3
    spec = registry.spec_for(User)
    for user, change in zip(users, changes, strict=True):
        assert change.object_id == str(user.pk) and change.op == "upsert"
        assert change.origin == 1 and change.seq is not None
        assert change.payload == spec.to_payload(User.objects.get(pk=user.pk))
        stored = ObjectVersion.objects.get(model="identity.user", object_id=str(user.pk))
        assert stored.version == change.version and not stored.deleted
    # A later edit of an imported user is newer than its import.
    identity.user_update(user=users[0], first_name="Ana", by=None)
    assert Change.objects.filter(object_id=str(users[0].pk)).last().version > changes[0].version


@override_settings(REDIS_URL="redis://events.invalid:6379/0")
def test_imported_users_are_published_as_events_after_commit(
    team, monkeypatch, django_capture_on_commit_callbacks
):
    published = []

    class Pipeline:
        def publish(self, channel, message):
            published.append((channel, json.loads(message)))

        def execute(self):
            return [1] * len(published)

    class Client:
        listeners = 1

        def pubsub_numsub(self, channel):
            return [(channel.encode(), self.listeners)]

        def pipeline(self, transaction=True):
            return Pipeline()

    client = Client()
    monkeypatch.setattr(events, "_client", lambda: client)
    client.listeners = 0  # nobody listens: nothing is made or sent
    with django_capture_on_commit_callbacks(execute=True):
        users_import(account=team, rows=rows("zed"), by=None)
    assert published == []
    client.listeners = 1
    with django_capture_on_commit_callbacks(execute=True):
        users = users_import(account=team, rows=rows("ana", "ben"), by=None)
        assert published == []  # nothing before the commit
    assert [m["object_id"] for _, m in published] == [str(u.pk) for u in users]
    assert {channel for channel, _ in published} == {events.channel_name()}
    seqs = list(
        Change.objects.filter(model="identity.user", object_id__in=[str(u.pk) for u in users])
        .order_by("seq")
        .values_list("seq", flat=True)
    )
    assert [m["seq"] for _, m in published] == seqs
    assert published[0][1]["payload"]["username"] == "ana"


def test_one_bad_row_imports_nothing(team):
    before = db_state()
    with pytest.raises(ValidationError) as error:
        users_import(
            account=team,
            rows=[*rows("ana", "ben"), {"username": "cy", "password": PASSWORD, "email": "no"}],
            by=None,
        )
    assert error.value.message_dict == {"rows": ["row 3: email: Enter a valid email address."]}
    assert db_state() == before


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"username": "", "password": PASSWORD}, "username"),
        ({"username": "bad name!", "password": PASSWORD}, "username"),
        ({"username": "x" * 151, "password": PASSWORD}, "username"),
        ({"username": "dan"}, "password"),
        ({"username": "dan", "password": "short"}, "password"),
        ({"username": "dan", "password": PASSWORD, "timezone": "Mars/Base"}, "timezone"),
        ({"username": "dan", "password_hash": "sha1$salt$abcdef"}, "password_hash"),
        ({"username": "dan", "password_hash": "plaintext"}, "password_hash"),
        ({"username": "dan", "password_hash": "!unusable"}, "password_hash"),
    ],
)
def test_a_bad_row_is_named_with_its_field_and_nothing_changes(team, row, field):
    before = db_state()
    with pytest.raises(ValidationError) as error:
        users_import(account=team, rows=[*rows("ana"), row], by=None)
    [message] = error.value.message_dict["rows"]
    assert message.startswith(f"row 2: {field}: "), message
    assert db_state() == before


def test_usernames_repeated_in_the_import_are_refused(team):
    before = db_state()
    with pytest.raises(ValidationError) as error:
        users_import(account=team, rows=rows("ana", "ben", "Ana"), by=None)
    [message] = error.value.message_dict["rows"]
    assert "repeat" in message and "ana" in message
    assert db_state() == before


def test_usernames_taken_already_are_refused_whatever_their_case(team):
    factories.user(username="Zoe")
    before = db_state()
    with pytest.raises(ValidationError) as error:
        users_import(account=team, rows=rows("ana", "zoe"), by=None)
    [message] = error.value.message_dict["rows"]
    assert "already taken" in message and "Zoe" in message
    assert db_state() == before


def test_an_empty_import_is_refused(team):
    with pytest.raises(ValidationError) as error:
        users_import(account=team, rows=[], by=None)
    assert "rows" in error.value.message_dict


def test_only_admins_of_the_account_import(team, eng, dadmin, alice):
    eng_team = factories.account(domain=eng, name="eng-team")
    users_import(account=eng_team, rows=rows("in-eng"), by=dadmin)
    assert User.objects.filter(username="in-eng", account=eng_team).exists()
    for actor, account in ((dadmin, team), (alice, eng_team)):
        before = db_state()
        with pytest.raises(PermissionDenied):
            users_import(account=account, rows=rows("nope"), by=actor)
        assert db_state() == before


def test_empty_cells_of_optional_columns_take_the_defaults(team):
    [user] = users_import(
        account=team,
        rows=[
            {
                "username": "ana",
                "password": PASSWORD,
                "email": "",
                "first_name": None,
                "timezone": "",
                "password_hash": "",
            }
        ],
        by=None,
    )
    user.refresh_from_db()
    assert (user.timezone, user.email, user.first_name) == ("UTC", "", "")


# --- manage.py import_users --------------------------------------------------------------


def write_csv(path, header, lines):
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(lines)
    return path


def test_the_command_imports_a_csv_file(team, tmp_path, capsys):
    hashed = make_password("old-password-8")
    path = write_csv(
        tmp_path / "users.csv",
        ["username", "email", "first_name", "last_name", "timezone", "password_hash"],
        [
            ["ana", "ana@example.com", "Ana", "", "", hashed],
            ["ben", "", "", "", "Asia/Tokyo", hashed],
        ],
    )
    call_command("import_users", "--account", str(team.pk), str(path))
    assert "Imported 2 users into team" in capsys.readouterr().out
    assert User.objects.get(username="ana").timezone == "UTC"
    assert User.objects.get(username="ben").timezone == "Asia/Tokyo"
    assert Change.objects.filter(model="identity.user").count() == 2


def test_a_short_csv_row_does_not_make_a_user_named_none(team, tmp_path):
    path = tmp_path / "users.csv"
    path.write_text(f"password,username\n{PASSWORD},ana\n{PASSWORD}\n")
    before = db_state()
    with pytest.raises(CommandError, match="row 2: username"):
        call_command("import_users", "--account", str(team.pk), str(path))
    assert db_state() == before
    assert not User.objects.filter(username="None").exists()


def test_the_command_refuses_and_imports_nothing(team, tmp_path):
    factories.user(username="taken")
    path = write_csv(
        tmp_path / "users.csv", ["username", "password"], [["new", PASSWORD], ["TAKEN", PASSWORD]]
    )
    before = db_state()
    with pytest.raises(CommandError, match="already taken"):
        call_command("import_users", "--account", str(team.pk), str(path))
    unknown = write_csv(tmp_path / "hash.csv", ["username", "password_hash"], [["new", "md4$x$y"]])
    with pytest.raises(CommandError, match="row 1: password_hash"):
        call_command("import_users", "--account", str(team.pk), str(unknown))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_users", "--account", str(team.pk), str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="No account"):
        call_command("import_users", "--account", "00000000-0000-4000-8000-00000000dead", str(path))
    assert db_state() == before


def test_the_command_refuses_an_account_id_that_is_not_a_uuid(region, tmp_path):
    path = tmp_path / "users.csv"
    path.write_text("username,password_hash\n")
    with pytest.raises(CommandError, match="No account with id not-a-uuid"):
        call_command("import_users", "--account", "not-a-uuid", str(path))
