"""User services: usernames, passwords, profiles, states and the last root admin."""

from __future__ import annotations

import uuid
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from identity import services
from identity.models import User, UserState
from identity.services.users import password_check
from tests import factories
from tests.db_state import db_state
from tests.factories import PASSWORD


def error_codes(excinfo: pytest.ExceptionInfo, field: str) -> list[str]:
    return [e.code for e in excinfo.value.error_dict[field]]


@pytest.fixture
def team(eng):
    return factories.account(domain=eng, name="team")


# --- create ---------------------------------------------------------------------------------


def test_create_stores_a_hashed_password(team):
    user = services.user_create(
        account=team,
        username="carol",
        password=PASSWORD,
        email="carol@example.com",
        first_name="Carol",
        last_name="King",
        timezone="Europe/Berlin",
        by=None,
    )
    stored = User.objects.get(pk=user.pk)
    assert isinstance(stored.pk, uuid.UUID)
    assert stored.account == team
    assert (stored.email, stored.first_name, stored.last_name, stored.timezone) == (
        "carol@example.com",
        "Carol",
        "King",
        "Europe/Berlin",
    )
    assert stored.state == UserState.ENABLED
    assert stored.password != PASSWORD
    assert PASSWORD not in stored.password
    assert stored.check_password(PASSWORD)
    assert not stored.check_password(PASSWORD + "x")


def test_create_defaults(team):
    user = services.user_create(account=team, username="dave", password=PASSWORD, by=None)
    assert (user.timezone, user.email, user.get_full_name()) == ("UTC", "", "dave")


@pytest.mark.parametrize("taken", ["alice", "ALICE", "Alice", " alice "])
def test_usernames_are_unique_cloud_wide_case_insensitively(alice, bob, taken):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.user_create(account=bob.account, username=taken, password=PASSWORD, by=None)
    assert error_codes(excinfo, "username") == ["unique"]
    assert db_state() == before


@pytest.mark.parametrize("username", ["", "   ", "has space", "semi;colon", "x" * 151])
def test_malformed_usernames_are_refused(team, username):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.user_create(account=team, username=username, password=PASSWORD, by=None)
    assert "username" in excinfo.value.error_dict
    assert db_state() == before


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("", "required"),
        ("short9", "password_too_short"),
        ("password123", "password_too_common"),
        ("83749265019283", "password_entirely_numeric"),
        ("erin-the-user", "password_too_similar"),
    ],
)
def test_passwords_pass_djangos_validators(team, password, code):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.user_create(account=team, username="erin-the-user", password=password, by=None)
    assert code in error_codes(excinfo, "password")
    assert db_state() == before


def test_password_check_for_forms_that_ask_early(db):
    password_check(PASSWORD, username="frank")
    with pytest.raises(ValidationError) as excinfo:
        password_check("12345678901", username="frank")
    assert "password" in excinfo.value.error_dict


@pytest.mark.parametrize("email", ["not-an-email", "a@", "@b.com", "x" * 250 + "@b.com"])
def test_bad_emails_are_refused(team, email):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.user_create(account=team, username="gina", password=PASSWORD, email=email, by=None)
    assert "email" in excinfo.value.error_dict
    assert db_state() == before


@pytest.mark.parametrize("timezone", ["", "Mars/Olympus", "utc+2", "europe/paris", "x" * 65])
def test_unknown_timezones_are_refused(team, timezone):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.user_create(
            account=team, username="hank", password=PASSWORD, timezone=timezone, by=None
        )
    assert excinfo.value.message_dict == {
        "timezone": [f"Unknown time zone {timezone!r}: give an IANA name such as Europe/Paris."]
    }
    assert db_state() == before


@pytest.mark.parametrize(
    "timezone", ["UTC", "America/Argentina/Buenos_Aires", "Etc/GMT+2", "Asia/Kathmandu"]
)
def test_every_time_zone_of_the_zoneinfo_database_is_accepted(team, timezone):
    """The service checks against zoneinfo, not the model: the field has no choices."""
    assert timezone in zoneinfo.available_timezones()
    user = services.user_create(
        account=team, username="hank", password=PASSWORD, timezone=timezone, by=None
    )
    assert User.objects.get(pk=user.pk).timezone == timezone


def test_domain_admin_creates_users_in_subtree_accounts(dadmin, alice):
    user = services.user_create(account=alice.account, username="ivy", password=PASSWORD, by=dadmin)
    assert user.account == alice.account


def test_domain_admin_may_not_create_users_elsewhere(dadmin, bob, root):
    before = db_state()
    for account in (bob.account, root.account):
        with pytest.raises(PermissionDenied):
            services.user_create(account=account, username="ivy", password=PASSWORD, by=dadmin)
    assert db_state() == before


def test_plain_users_may_not_create_users(alice):
    before = db_state()
    with pytest.raises(PermissionDenied):
        services.user_create(account=alice.account, username="ivy", password=PASSWORD, by=alice)
    assert db_state() == before


# --- update ---------------------------------------------------------------------------------


def test_update_changes_only_what_is_given(alice):
    services.user_update(user=alice, email="alice@example.com", timezone="Asia/Tokyo", by=None)
    stored = User.objects.get(pk=alice.pk)
    assert (stored.username, stored.email, stored.timezone) == (
        "alice",
        "alice@example.com",
        "Asia/Tokyo",
    )
    services.user_update(user=stored, first_name="Alice", last_name="Liddell", by=None)
    stored = User.objects.get(pk=alice.pk)
    assert stored.get_full_name() == "Alice Liddell"
    assert stored.email == "alice@example.com"


def test_update_keeps_the_primary_key(alice):
    pk = alice.pk
    services.user_update(user=alice, username="alice2", by=None)
    assert User.objects.get(pk=pk).username == "alice2"
    assert User.objects.count() == 1


def test_update_may_change_the_case_of_the_own_username(alice):
    services.user_update(user=alice, username="Alice", by=None)
    assert User.objects.get(pk=alice.pk).username == "Alice"


def test_update_to_a_taken_username_is_refused(alice, bob):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.user_update(user=alice, username="BOB", by=None)
    assert error_codes(excinfo, "username") == ["unique"]
    assert db_state() == before


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"email": "nope"}, "email"),
        ({"timezone": "Nowhere/Town"}, "timezone"),
        ({"first_name": "x" * 151}, "first_name"),
        ({"username": "ok-name", "email": "nope"}, "email"),
    ],
)
def test_bad_updates_change_nothing(alice, fields, field):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.user_update(user=alice, by=None, **fields)
    assert field in excinfo.value.error_dict
    assert db_state() == before


def test_a_user_may_change_their_own_profile(alice):
    services.user_update(user=alice, email="me@example.com", by=alice)
    assert User.objects.get(pk=alice.pk).email == "me@example.com"


def test_a_user_may_not_change_other_users(alice, bob):
    other = factories.user(account=alice.account)
    before = db_state()
    for target in (bob, other):
        with pytest.raises(PermissionDenied):
            services.user_update(user=target, email="x@example.com", by=alice)
        with pytest.raises(PermissionDenied):
            services.user_set_password(user=target, password="n3w-Passw0rd-long", by=alice)
    assert db_state() == before


# --- passwords ------------------------------------------------------------------------------


def test_set_password(alice):
    services.user_set_password(user=alice, password="an0ther-long-secret", by=alice)
    stored = User.objects.get(pk=alice.pk)
    assert stored.check_password("an0ther-long-secret")
    assert not stored.check_password(PASSWORD)
    assert "an0ther-long-secret" not in stored.password


@pytest.mark.parametrize("password", ["", "short", "qwerty123", "1234567890123", "alice"])
def test_set_password_refuses_weak_passwords(alice, password):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.user_set_password(user=alice, password=password, by=None)
    assert "password" in excinfo.value.error_dict
    assert db_state() == before
    assert User.objects.get(pk=alice.pk).check_password(PASSWORD)


def test_domain_admin_sets_passwords_in_subtree(dadmin, alice):
    services.user_set_password(user=alice, password="reset-by-admin-42", by=dadmin)
    assert User.objects.get(pk=alice.pk).check_password("reset-by-admin-42")


# --- states ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "state"),
    [(services.user_disable, UserState.DISABLED), (services.user_lock, UserState.LOCKED)],
)
def test_disable_and_lock_make_the_user_inactive(dadmin, alice, call, state):
    call(user=alice, by=dadmin)
    stored = User.objects.get(pk=alice.pk)
    assert stored.state == state
    assert not stored.is_active
    services.user_enable(user=stored, by=dadmin)
    stored = User.objects.get(pk=alice.pk)
    assert stored.state == UserState.ENABLED
    assert stored.is_active


@pytest.mark.parametrize("call", [services.user_disable, services.user_lock])
def test_a_user_cannot_disable_or_lock_themselves(dadmin, root, call):
    for actor in (dadmin, root):
        before = db_state()
        with pytest.raises(ValidationError) as excinfo:
            call(user=actor, by=actor)
        assert error_codes(excinfo, "state") == ["self"]
        assert db_state() == before


def test_a_plain_user_may_not_disable_themselves(alice):
    before = db_state()
    with pytest.raises((PermissionDenied, ValidationError)):
        services.user_disable(user=alice, by=alice)
    assert db_state() == before


def test_a_user_cannot_delete_themselves(dadmin, root):
    factories.root_admin()
    for actor in (dadmin, root):
        before = db_state()
        with pytest.raises(ValidationError) as excinfo:
            services.user_delete(user=actor, by=actor)
        assert error_codes(excinfo, "user") == ["self"]
        assert db_state() == before


def test_a_plain_user_may_not_delete_themselves(alice):
    before = db_state()
    with pytest.raises(PermissionDenied):
        services.user_delete(user=alice, by=alice)
    assert db_state() == before


def test_delete(dadmin, alice):
    services.user_delete(user=alice, by=dadmin)
    assert not User.objects.filter(pk=alice.pk).exists()


def test_a_domain_admin_may_not_touch_users_outside_their_subtree(dadmin, bob, root):
    before = db_state()
    for target in (bob, root):
        for call in (services.user_disable, services.user_lock, services.user_delete):
            with pytest.raises(PermissionDenied):
                call(user=target, by=dadmin)
    assert db_state() == before


@pytest.mark.parametrize(
    "actor", ["anonymous", "disabled_root", "disabled_dadmin", "locked_account"], indirect=True
)
def test_inactive_actors_may_nothing(alice, actor):
    by = actor
    before = db_state()
    for call in (
        lambda: services.user_create(account=alice.account, username="x", password=PASSWORD, by=by),
        lambda: services.user_update(user=alice, email="x@example.com", by=by),
        lambda: services.user_set_password(user=alice, password="n3w-Passw0rd-long", by=by),
        lambda: services.user_disable(user=alice, by=by),
        lambda: services.user_delete(user=alice, by=by),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert db_state() == before


# --- the last root admin ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (services.user_disable, "state"),
        (services.user_lock, "state"),
        (services.user_delete, "user"),
    ],
)
def test_the_last_root_admin_user_stays(root, call, field):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        call(user=root, by=None)
    assert error_codes(excinfo, field) == ["last_root_admin"]
    assert db_state() == before


@pytest.mark.parametrize("call", [services.user_disable, services.user_lock, services.user_delete])
def test_a_root_admin_may_go_once_a_second_one_exists(root, call):
    other = factories.root_admin()
    call(user=root, by=other)
    assert not User.objects.filter(pk=root.pk, state=UserState.ENABLED).exists()


def test_a_second_root_admin_in_a_disabled_account_does_not_count(root):
    other = factories.root_admin()
    factories.root_admin()  # keeps the account_disable below legal
    services.account_disable(account=other.account, by=root)
    services.user_delete(user=User.objects.exclude(pk__in=[root.pk, other.pk]).get(), by=root)
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.user_disable(user=root, by=None)
    assert error_codes(excinfo, "state") == ["last_root_admin"]
    assert db_state() == before


def test_an_inactive_root_admin_may_be_deleted(root):
    other = factories.root_admin()
    services.user_disable(user=other, by=root)
    services.user_delete(user=other, by=root)
    assert not User.objects.filter(pk=other.pk).exists()
