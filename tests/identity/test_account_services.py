"""Account services: names, types, states, deletes and the last root admin."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from identity import services
from identity.models import Account, AccountState, AccountType, User
from identity.selectors import root_domain
from tests import factories
from tests.db_state import db_state


def error_codes(excinfo: pytest.ExceptionInfo, field: str) -> list[str]:
    return [e.code for e in excinfo.value.error_dict[field]]


# --- create ---------------------------------------------------------------------------------


def test_type_codes_follow_cloudstack():
    assert (AccountType.USER, AccountType.ROOT_ADMIN, AccountType.DOMAIN_ADMIN) == (0, 1, 2)


@pytest.mark.parametrize("type", [0, 1, 2])
def test_create_each_type_in_root(region, type):
    account = services.account_create(domain=root_domain(), name="ops", type=type, by=None)
    account.refresh_from_db()
    assert account.type == type
    assert account.state == AccountState.ENABLED
    assert account.is_root_admin == (type == 1)
    assert account.is_domain_admin == (type == 2)


def test_create_defaults_to_a_user_account(eng):
    account = services.account_create(domain=eng, name="team", by=None)
    assert account.type == AccountType.USER
    assert account.domain == eng


@pytest.mark.parametrize("type", [3, -1, "1", None])
def test_unknown_types_are_refused(eng, type):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.account_create(domain=eng, name="team", type=type, by=None)
    assert "type" in excinfo.value.error_dict
    assert db_state() == before


def test_names_are_unique_per_domain_case_insensitively(eng):
    factories.account(domain=eng, name="Team")
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.account_create(domain=eng, name="team", by=None)
    assert error_codes(excinfo, "name") == ["unique"]
    assert db_state() == before


def test_the_same_name_is_allowed_in_another_domain(eng, sales):
    factories.account(domain=eng, name="team")
    assert services.account_create(domain=sales, name="TEAM", by=None).domain == sales


@pytest.mark.parametrize(("name", "code"), [("", "required"), ("x" * 101, "invalid")])
def test_names_must_be_present_and_short(eng, name, code):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.account_create(domain=eng, name=name, by=None)
    assert error_codes(excinfo, "name") == [code]
    assert db_state() == before


def test_root_admin_accounts_live_only_in_root(eng):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.account_create(domain=eng, name="admins", type=AccountType.ROOT_ADMIN, by=None)
    assert "type" in excinfo.value.error_dict
    assert db_state() == before


def test_root_admin_may_create_root_admin_accounts(root):
    account = services.account_create(
        domain=root_domain(), name="admins2", type=AccountType.ROOT_ADMIN, by=root
    )
    assert account.is_root_admin


def test_domain_admin_may_not_create_root_admin_accounts(dadmin, eng):
    before = db_state()
    with pytest.raises((ValidationError, PermissionDenied)):
        services.account_create(domain=eng, name="x", type=AccountType.ROOT_ADMIN, by=dadmin)
    with pytest.raises((ValidationError, PermissionDenied)):
        services.account_create(
            domain=root_domain(), name="x", type=AccountType.ROOT_ADMIN, by=dadmin
        )
    assert db_state() == before


def test_a_root_domain_admin_may_not_create_root_admin_accounts(root):
    root_dadmin = factories.domain_admin(domain=root_domain())
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.account_create(
            domain=root_domain(), name="x", type=AccountType.ROOT_ADMIN, by=root_dadmin
        )
    assert error_codes(excinfo, "type") == ["forbidden"]
    assert db_state() == before


def test_domain_admin_creates_accounts_in_their_subtree(dadmin, eng, ops):
    user_account = services.account_create(domain=ops, name="team", by=dadmin)
    admin_account = services.account_create(
        domain=eng, name="more-admins", type=AccountType.DOMAIN_ADMIN, by=dadmin
    )
    assert user_account.domain == ops
    assert admin_account.is_domain_admin


def test_domain_admin_may_not_create_accounts_elsewhere(dadmin, sales):
    before = db_state()
    for domain in (sales, root_domain()):
        with pytest.raises(PermissionDenied):
            services.account_create(domain=domain, name="x", by=dadmin)
    assert db_state() == before


def test_plain_users_may_not_create_accounts(alice, ops):
    before = db_state()
    with pytest.raises(PermissionDenied):
        services.account_create(domain=ops, name="x", by=alice)
    assert db_state() == before


# --- update ---------------------------------------------------------------------------------


def test_update_renames_and_sets_network_domain(eng):
    account = factories.account(domain=eng, name="team")
    services.account_update(account=account, name="Crew", network_domain="crew.lan", by=None)
    account.refresh_from_db()
    assert (account.name, account.network_domain) == ("Crew", "crew.lan")


def test_update_may_keep_the_name_in_another_case(eng):
    account = factories.account(domain=eng, name="team")
    services.account_update(account=account, name="TEAM", by=None)
    assert Account.objects.get(pk=account.pk).name == "TEAM"


def test_update_to_a_taken_name_is_refused(eng):
    factories.account(domain=eng, name="taken")
    account = factories.account(domain=eng, name="team")
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.account_update(account=account, name="TAKEN", by=None)
    assert error_codes(excinfo, "name") == ["unique"]
    assert db_state() == before


def test_domain_admin_may_not_change_their_own_account(dadmin):
    before = db_state()
    with pytest.raises(PermissionDenied):
        services.account_update(account=dadmin.account, name="renamed", by=dadmin)
    assert db_state() == before


def test_user_may_not_change_their_own_account(alice):
    before = db_state()
    with pytest.raises(PermissionDenied):
        services.account_update(account=alice.account, name="renamed", by=alice)
    with pytest.raises(PermissionDenied):
        services.account_disable(account=alice.account, by=alice)
    assert db_state() == before


# --- states ---------------------------------------------------------------------------------


def test_disable_lock_enable(eng):
    account = factories.account(domain=eng)
    user = factories.user(account=account)
    services.account_disable(account=account, by=None)
    account.refresh_from_db()
    assert account.state == AccountState.DISABLED
    assert not User.objects.get(pk=user.pk).is_active

    services.account_lock(account=account, by=None)
    account.refresh_from_db()
    assert account.state == AccountState.LOCKED

    services.account_enable(account=account, by=None)
    account.refresh_from_db()
    assert account.state == AccountState.ENABLED
    assert User.objects.get(pk=user.pk).is_active


def test_domain_admin_changes_state_of_subtree_accounts(dadmin, alice):
    services.account_lock(account=alice.account, by=dadmin)
    assert Account.objects.get(pk=alice.account_id).state == AccountState.LOCKED


def test_domain_admin_may_not_change_state_of_other_accounts(dadmin, bob, root):
    before = db_state()
    for account in (bob.account, root.account, dadmin.account):
        with pytest.raises(PermissionDenied):
            services.account_disable(account=account, by=dadmin)
    assert db_state() == before


# --- delete ---------------------------------------------------------------------------------


def test_delete_takes_its_users(eng):
    account = factories.account(domain=eng)
    user = factories.user(account=account)
    services.account_delete(account=account, by=None)
    assert not Account.objects.filter(pk=account.pk).exists()
    assert not User.objects.filter(pk=user.pk).exists()


def test_delete_removes_memberships_in_other_projects(eng):
    account = factories.account(domain=eng)
    project = factories.project(domain=eng)
    services.project_member_add(project=project, account=account, by=None)
    services.account_delete(account=account, by=None)
    assert not project.memberships.filter(account_id=account.pk).exists()
    assert project.memberships.count() == 1


def test_delete_is_refused_while_the_account_owns_projects(eng):
    account = factories.account(domain=eng)
    factories.user(account=account)
    factories.project(owner=account, name="web")
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.account_delete(account=account, by=None)
    assert error_codes(excinfo, "account") == ["in_use"]
    assert "web" in excinfo.value.error_dict["account"][0].message
    assert db_state() == before


def test_domain_admin_may_not_delete_their_own_account(dadmin):
    before = db_state()
    with pytest.raises(PermissionDenied):
        services.account_delete(account=dadmin.account, by=dadmin)
    assert db_state() == before


# --- the last root admin ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda account: services.account_disable(account=account, by=None), "state"),
        (lambda account: services.account_lock(account=account, by=None), "state"),
        (lambda account: services.account_delete(account=account, by=None), "account"),
    ],
    ids=["disable", "lock", "delete"],
)
def test_the_last_root_admin_account_stays(root, call, field):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        call(root.account)
    assert error_codes(excinfo, field) == ["last_root_admin"]
    assert db_state() == before


@pytest.mark.parametrize(
    "call",
    [
        lambda account: services.account_disable(account=account, by=None),
        lambda account: services.account_lock(account=account, by=None),
        lambda account: services.account_delete(account=account, by=None),
    ],
    ids=["disable", "lock", "delete"],
)
def test_a_root_admin_account_may_go_once_another_root_admin_exists(root, call):
    other = factories.root_admin()
    call(root.account)
    assert not Account.objects.filter(pk=root.account_id, state=AccountState.ENABLED).exists()
    assert [u for u in User.objects.all() if u.is_active and u.is_root_admin] == [other]


def test_a_second_user_in_the_same_root_account_does_not_count(root):
    factories.user(account=root.account)
    before = db_state()
    with pytest.raises(ValidationError):
        services.account_disable(account=root.account, by=None)
    assert db_state() == before


def test_a_disabled_second_root_admin_does_not_count(root):
    other = factories.root_admin()
    services.user_disable(user=other, by=root)
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.account_lock(account=root.account, by=None)
    assert error_codes(excinfo, "state") == ["last_root_admin"]
    assert db_state() == before


def test_an_empty_root_admin_account_may_be_deleted(root):
    empty = factories.account(type=AccountType.ROOT_ADMIN)
    services.account_delete(account=empty, by=root)
    assert not Account.objects.filter(pk=empty.pk).exists()


@pytest.mark.parametrize(
    "call",
    [
        lambda account, by: services.account_disable(account=account, by=by),
        lambda account, by: services.account_lock(account=account, by=by),
        lambda account, by: services.account_delete(account=account, by=by),
    ],
    ids=["disable", "lock", "delete"],
)
def test_a_root_admin_cannot_lock_out_their_own_account(root, call):
    factories.root_admin()  # so the last-root-admin guard is not what refuses
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        call(root.account, root)
    assert [e.code for errors in excinfo.value.error_dict.values() for e in errors] == ["self"]
    assert db_state() == before


def test_a_root_admin_may_enable_and_rename_their_own_account(root):
    services.account_enable(account=root.account, by=root)
    services.account_update(account=root.account, name="operators", by=root)
    assert Account.objects.get(pk=root.account_id).name == "operators"


def test_another_root_admin_may_disable_a_root_admin_account(root):
    other = factories.root_admin()
    services.account_disable(account=other.account, by=root)
    assert not User.objects.get(pk=other.pk).is_active
