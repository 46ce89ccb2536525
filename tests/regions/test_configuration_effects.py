"""Settings that take effect: the password policy, who may create projects and how many,
and the lockout after failed sign-ins."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate, password_validation
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from identity.models import Project, User, UserState
from identity.permissions import may
from identity.services import project_create, user_create, user_enable, user_set_password
from regions.configuration.services import setting_update
from tests import factories
from tests.db_state import db_state

# --- Password policy -----------------------------------------------------------------------


def refused(password: str, user: User | None = None) -> list[str]:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        return [e.code for e in error.error_list]
    return []


def test_the_policy_validator_replaces_djangos_fixed_minimum(db):
    names = [type(v).__name__ for v in password_validation.get_default_password_validators()]
    assert "PasswordPolicyValidator" in names
    assert "MinimumLengthValidator" not in names


def test_password_minimum_length_follows_the_setting(root):
    assert refused("kx9Lq2w") == ["password_too_short"]  # 7 < 8, the default
    assert refused("kx9Lq2wz") == []
    setting_update(name="password.policy.minimum.length", value=12, by=root)
    assert refused("kx9Lq2wzTr5") == ["password_too_short"]
    assert refused("kx9Lq2wzTr5p") == []
    setting_update(name="password.policy.minimum.length", value=6, by=root)
    assert refused("kx9Lq2") == []


def test_user_create_refuses_a_password_below_the_minimum_and_writes_nothing(root):
    setting_update(name="password.policy.minimum.length", value=30, by=root)
    team = factories.account(name="team")
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        user_create(account=team, username="gina", password=factories.PASSWORD, by=root)
    assert "password" in excinfo.value.error_dict
    assert "at least 30 characters" in " ".join(excinfo.value.messages)
    assert db_state() == before


def test_character_class_rules(root):
    for name in (
        "password.policy.minimum.uppercase.letters",
        "password.policy.minimum.lowercase.letters",
        "password.policy.minimum.digits",
        "password.policy.minimum.special.characters",
    ):
        setting_update(name=name, value=2, by=root)
    assert sorted(refused("kxqlrwzmtp")) == [
        "password_no_digit",
        "password_no_special",
        "password_no_upper",
    ]
    assert refused("KXqlr93!?w") == []
    assert refused("KXQLR93!?W") == ["password_no_lower"]


def test_passwords_containing_the_username_can_be_refused(root):
    ann = User(username="ann")
    assert refused("kx9Lq2-Ann-wzTr5", ann) == []
    setting_update(name="password.policy.allowPasswordToContainUsername", value=False, by=root)
    assert refused("kx9Lq2-Ann-wzTr5", ann) == ["password_has_username"]
    assert refused("kx9Lq2-wzTr5", ann) == []


def test_the_help_text_states_the_current_rules(root):
    setting_update(name="password.policy.minimum.length", value=10, by=root)
    setting_update(name="password.policy.minimum.digits", value=1, by=root)
    text = " ".join(password_validation.password_validators_help_texts())
    assert "at least 10 characters" in text and "at least 1 digit" in text


def test_changing_a_password_follows_the_setting_too(root, alice):
    setting_update(name="password.policy.minimum.length", value=16, by=root)
    with pytest.raises(ValidationError) as excinfo:
        user_set_password(user=alice, password="kx9Lq2wzTr5", by=alice)
    assert "password" in excinfo.value.error_dict
    alice.refresh_from_db()
    assert alice.check_password(factories.PASSWORD)


# --- Projects ------------------------------------------------------------------------------


def test_users_create_projects_only_while_the_cloud_allows_it(root, dadmin, alice, eng):
    team = alice.account
    assert may(alice, "add", Project, within=team)
    project_create(domain=team.domain, name="p1", owner=team, by=alice)

    setting_update(name="allow.user.create.projects", value=False, by=root)
    assert not may(alice, "add", Project, within=team)
    before = db_state()
    with pytest.raises(PermissionDenied):
        project_create(domain=team.domain, name="p2", owner=team, by=alice)
    assert db_state() == before
    # Admins are not bound by it.
    assert may(dadmin, "add", Project, within=team)
    project_create(domain=team.domain, name="p3", owner=team, by=dadmin)
    project_create(domain=team.domain, name="p4", owner=team, by=root)

    setting_update(name="allow.user.create.projects", value=True, by=root)
    project_create(domain=team.domain, name="p5", owner=team, by=alice)
    assert set(Project.objects.values_list("name", flat=True)) == {"p1", "p3", "p4", "p5"}


def test_the_project_pages_follow_the_setting(root, alice, alice_client):
    assert 'href="/identity/projects/add/"' in alice_client.get("/identity/projects/").text
    assert alice_client.get("/identity/projects/add/").status_code == 200
    setting_update(name="allow.user.create.projects", value=False, by=root)
    assert 'href="/identity/projects/add/"' not in alice_client.get("/identity/projects/").text
    assert alice_client.get("/identity/projects/add/").status_code == 403


def test_max_account_projects_limits_owners_that_are_not_root_admins(root, alice):
    team = alice.account
    setting_update(name="max.account.projects", value=2, by=root)
    project_create(domain=team.domain, name="p1", owner=team, by=alice)
    project_create(domain=team.domain, name="p2", owner=team, by=alice)
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        project_create(domain=team.domain, name="p3", owner=team, by=root)
    assert "owner" in excinfo.value.error_dict and "limit" in excinfo.value.messages[0]
    assert db_state() == before

    admins = root.account
    for n in range(3):
        project_create(domain=admins.domain, name=f"r{n}", owner=admins, by=root)
    setting_update(name="max.account.projects", value=-1, by=root)
    project_create(domain=team.domain, name="p3", owner=team, by=alice)
    assert Project.objects.filter(owner=team).count() == 3


def test_max_account_projects_holds_when_a_project_changes_owner(root, alice):
    from identity.services import project_update

    team = alice.account
    other = factories.account(domain=team.domain, name="other")
    project_create(domain=team.domain, name="mine", owner=team, by=root)
    theirs = project_create(domain=team.domain, name="theirs", owner=other, by=root)
    setting_update(name="max.account.projects", value=1, by=root)
    with pytest.raises(ValidationError) as excinfo:
        project_update(project=theirs, owner=team, by=root)
    assert "owner" in excinfo.value.error_dict
    theirs.refresh_from_db()
    assert theirs.owner == other


# --- Lockout -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def fail(username: str, times: int) -> None:
    for _ in range(times):
        assert authenticate(username=username, password="wrong-password") is None


def state(user: User) -> str:
    return User.objects.get(pk=user.pk).state


def test_a_user_is_locked_after_the_allowed_failed_sign_ins(root, alice):
    setting_update(name="incorrect.login.attempts.allowed", value=3, by=root)
    fail("alice", 2)
    assert state(alice) == UserState.ENABLED
    fail("ALICE", 1)  # usernames are case-insensitive
    assert state(alice) == UserState.LOCKED
    assert authenticate(username="alice", password=factories.PASSWORD) is None


def test_a_successful_sign_in_starts_the_count_again(root, alice):
    setting_update(name="incorrect.login.attempts.allowed", value=3, by=root)
    client = Client()
    fail("alice", 2)
    assert client.post("/accounts/login/", {"login": "alice", "password": factories.PASSWORD})
    assert client.get("/").status_code == 200
    fail("alice", 2)
    assert state(alice) == UserState.ENABLED


def test_a_re_enabled_user_gets_the_full_count_again(root, alice):
    setting_update(name="incorrect.login.attempts.allowed", value=2, by=root)
    fail("alice", 2)
    assert state(alice) == UserState.LOCKED
    user_enable(user=User.objects.get(pk=alice.pk), by=root)
    fail("alice", 1)
    assert state(alice) == UserState.ENABLED


def test_failed_sign_ins_through_the_login_page_count(root, alice):
    setting_update(name="incorrect.login.attempts.allowed", value=2, by=root)
    client = Client()
    for _ in range(2):
        client.post("/accounts/login/", {"login": "alice", "password": "wrong-password"})
    assert state(alice) == UserState.LOCKED


def test_zero_never_locks(root, alice):
    setting_update(name="incorrect.login.attempts.allowed", value=0, by=root)
    fail("alice", 8)
    assert state(alice) == UserState.ENABLED


def test_the_last_root_admin_is_never_locked_out(root):
    setting_update(name="incorrect.login.attempts.allowed", value=2, by=root)
    fail("root", 4)
    assert state(root) == UserState.ENABLED


def test_unknown_usernames_lock_nobody(root, alice):
    setting_update(name="incorrect.login.attempts.allowed", value=1, by=root)
    before = db_state()
    fail("nobody", 3)
    assert db_state() == before
