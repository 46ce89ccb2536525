"""identity.models: identities, constraints the database enforces, and sign-in state."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import IntegrityError, transaction

from identity import services
from identity.models import (
    ROOT_DOMAIN_ID,
    ROOT_DOMAIN_NAME,
    Account,
    Domain,
    Project,
    ProjectMembership,
    User,
)
from tests import factories
from tests.factories import PASSWORD


def test_the_time_zone_field_has_no_choices_in_the_model_nor_its_migrations():
    """Issue #11, item 9: ~600 choices from the machine's tzdata sat in 0001_initial;
    the services check the name instead (identity.selectors.timezone_names)."""
    from django.db.migrations.loader import MigrationLoader

    assert not User._meta.get_field("timezone").choices
    state = MigrationLoader(None).project_state()
    assert not state.apps.get_model("identity", "User")._meta.get_field("timezone").choices


@pytest.mark.django_db
def test_root_domain_exists_after_migrations_with_the_fixed_uuid():
    root = Domain.objects.get(parent__isnull=True)
    assert root.pk == ROOT_DOMAIN_ID == uuid.UUID("00000000-0000-4000-8000-000000000001")
    assert (root.name, root.path, root.level, root.is_root) == ("ROOT", "ROOT", 0, True)
    assert ROOT_DOMAIN_NAME == "ROOT"
    assert Domain.objects.count() == 1


def test_user_is_the_auth_user_model():
    assert get_user_model() is User


@pytest.mark.parametrize("model", [Domain, Account, User, Project, ProjectMembership])
def test_identity_rows_are_keyed_by_uuids(model):
    field = model._meta.pk
    assert field.get_internal_type() == "UUIDField"
    assert not field.editable
    assert callable(field.default)


def test_a_uuid_is_made_once_and_kept(alice):
    pk = alice.pk
    assert isinstance(pk, uuid.UUID)
    services.user_update(user=alice, first_name="Alice", by=None)
    services.user_set_password(user=alice, password="another-secret-99", by=None)
    assert User.objects.get(username="alice").pk == pk
    assert User.objects.filter(pk=pk).count() == 1


def test_uuids_differ_between_rows(eng, sales):
    assert eng.pk != sales.pk
    assert len({factories.account().pk for _ in range(5)}) == 5


def test_str_and_urls(alice, ops):
    project = factories.project(domain=ops, name="web")
    membership = project.memberships.get()
    assert str(ops) == "ROOT/eng/ops"
    assert str(alice.account) == "ops-team"
    assert str(alice) == "alice"
    assert str(project) == "web"
    assert str(membership) == f"{project.owner} in web"
    assert str(alice.pk) in alice.get_absolute_url()
    assert str(ops.pk) in ops.get_absolute_url()
    assert str(project.pk) in project.get_absolute_url()


def test_names(alice):
    assert (alice.get_full_name(), alice.get_short_name()) == ("alice", "alice")
    services.user_update(user=alice, first_name="Alice", last_name="Liddell", by=None)
    assert (alice.get_full_name(), alice.get_short_name()) == ("Alice Liddell", "Alice")


# --- database constraints (the last line behind the services) -----------------------------


def test_db_refuses_sibling_domains_differing_in_case(eng):
    with pytest.raises(IntegrityError), transaction.atomic():
        Domain.objects.create(parent=eng.parent, name="ENG", path="ROOT/ENG")


def test_db_refuses_account_names_differing_in_case(eng):
    factories.account(domain=eng, name="team")
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(domain=eng, name="TEAM")


def test_db_refuses_usernames_differing_in_case(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(account=alice.account, username="ALICE")


def test_db_refuses_project_names_differing_in_case(ops):
    factories.project(domain=ops, name="web")
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.create(domain=ops, name="WEB", owner=factories.account(domain=ops))


def test_db_refuses_a_second_membership(ops):
    project = factories.project(domain=ops)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectMembership.objects.create(project=project, account=project.owner)


def test_db_refuses_deleting_a_domain_that_holds_accounts(eng):
    factories.account(domain=eng)
    with pytest.raises(IntegrityError), transaction.atomic():
        eng.delete()


# --- sign-in state --------------------------------------------------------------------------


def test_roles(root, dadmin, alice):
    assert (root.is_root_admin, root.is_domain_admin) == (True, False)
    assert (dadmin.is_root_admin, dadmin.is_domain_admin) == (False, True)
    assert (alice.is_root_admin, alice.is_domain_admin) == (False, False)


def test_only_active_root_admins_are_staff(root, dadmin, alice):
    assert root.is_staff and root.is_superuser
    assert root.has_perm("anything") and root.has_module_perms("identity")
    for user in (dadmin, alice):
        assert not user.is_staff
        assert not user.is_superuser
        assert not user.has_perm("identity.view_user")
        assert not user.has_perms(["identity.view_user"])
        assert not user.has_module_perms("identity")
    other = factories.root_admin()
    services.user_disable(user=other, by=root)
    other = User.objects.get(pk=other.pk)
    assert not other.is_staff
    assert not other.has_perm("anything")


def _signs_in(username: str, password: str = PASSWORD) -> bool:
    return ModelBackend().authenticate(None, username=username, password=password) is not None


def test_an_enabled_user_signs_in_with_any_case_of_the_username(alice):
    assert alice.is_active
    assert _signs_in("alice")
    assert _signs_in("ALICE")
    assert not _signs_in("alice", "wrong-password")
    assert authenticate(None, username="Alice", password=PASSWORD) == alice


@pytest.mark.parametrize(
    "change",
    [
        lambda u, by: services.user_disable(user=u, by=by),
        lambda u, by: services.user_lock(user=u, by=by),
        lambda u, by: services.account_disable(account=u.account, by=by),
        lambda u, by: services.account_lock(account=u.account, by=by),
    ],
    ids=["user-disabled", "user-locked", "account-disabled", "account-locked"],
)
def test_inactive_users_cannot_sign_in(root, alice, change):
    change(alice, root)
    alice = User.objects.get(pk=alice.pk)
    assert not alice.is_active
    assert not _signs_in("alice")
    assert authenticate(None, username="alice", password=PASSWORD) is None
    # ... and a session of theirs is no longer honoured either.
    assert ModelBackend().get_user(alice.pk) is None


def test_enabling_again_restores_sign_in(root, alice):
    services.account_disable(account=alice.account, by=root)
    services.account_enable(account=alice.account, by=root)
    assert _signs_in("alice")
