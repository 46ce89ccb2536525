"""Project services: owners, names, membership and states."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from identity import services
from identity.models import Project, ProjectMembership, ProjectRole, ProjectState
from identity.selectors import root_domain
from tests import factories
from tests.db_state import db_state


def error_codes(excinfo: pytest.ExceptionInfo, field: str) -> list[str]:
    return [e.code for e in excinfo.value.error_dict[field]]


@pytest.fixture
def team(ops):
    return factories.account(domain=ops, name="team")


@pytest.fixture
def web(team):
    return services.project_create(domain=team.domain, name="web", owner=team, by=None)


# --- create ---------------------------------------------------------------------------------


def test_the_owner_becomes_an_admin_member(ops, team):
    project = services.project_create(
        domain=ops, name="web", owner=team, display_text="The web site", by=None
    )
    project.refresh_from_db()
    assert (project.domain, project.owner, project.display_text) == (ops, team, "The web site")
    assert project.state == ProjectState.ACTIVE
    membership = ProjectMembership.objects.get(project=project)
    assert (membership.account, membership.role) == (team, ProjectRole.ADMIN)


def test_the_owner_must_belong_to_the_projects_domain(eng, ops, team, bob):
    before = db_state()
    for domain, owner in ((eng, team), (ops, bob.account), (root_domain(), team)):
        with pytest.raises(ValidationError) as excinfo:
            services.project_create(domain=domain, name="web", owner=owner, by=None)
        assert "owner" in excinfo.value.error_dict
    assert db_state() == before


def test_a_project_needs_an_owner(ops):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.project_create(domain=ops, name="web", owner=None, by=None)
    assert error_codes(excinfo, "owner") == ["required"]
    assert db_state() == before


def test_names_are_unique_per_domain_case_insensitively(ops, team, web):
    other = factories.account(domain=ops)
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.project_create(domain=ops, name="WEB", owner=other, by=None)
    assert error_codes(excinfo, "name") == ["unique"]
    assert db_state() == before


def test_the_same_name_is_allowed_in_another_domain(web, sales):
    project = factories.project(domain=sales, name="Web")
    assert project.domain == sales


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "ok", "display_text": "x" * 256}, "display_text"),
    ],
)
def test_bad_fields_change_nothing(ops, team, fields, field):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.project_create(domain=ops, owner=team, by=None, **fields)
    assert field in excinfo.value.error_dict
    assert db_state() == before


def test_a_plain_user_creates_projects_in_their_domain_owned_by_their_account(alice, ops):
    project = services.project_create(domain=ops, name="mine", owner=alice.account, by=alice)
    assert project.owner == alice.account
    services.project_update(project=project, display_text="edited", by=alice)
    assert Project.objects.get(pk=project.pk).display_text == "edited"


def test_a_plain_user_may_not_create_projects_for_another_account(alice, ops, team):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.project_create(domain=ops, name="theirs", owner=team, by=alice)
    assert error_codes(excinfo, "owner") == ["forbidden"]
    assert db_state() == before


def test_a_plain_user_may_not_create_projects_in_other_domains(alice, eng, sales):
    eng_account = factories.account(domain=eng)
    before = db_state()
    for domain, owner in ((eng, eng_account), (sales, alice.account), (eng, alice.account)):
        with pytest.raises((PermissionDenied, ValidationError)):
            services.project_create(domain=domain, name="x", owner=owner, by=alice)
    with pytest.raises(PermissionDenied):
        services.project_create(domain=eng, name="x", owner=eng_account, by=alice)
    assert db_state() == before


def test_a_domain_admin_creates_projects_for_subtree_accounts(dadmin, ops, team):
    project = services.project_create(domain=ops, name="web", owner=team, by=dadmin)
    assert project.owner == team


def test_a_domain_admin_may_not_create_projects_elsewhere(dadmin, bob, sales):
    before = db_state()
    with pytest.raises(PermissionDenied):
        services.project_create(domain=sales, name="x", owner=bob.account, by=dadmin)
    assert db_state() == before


# --- update ---------------------------------------------------------------------------------


def test_update_name_and_text(web):
    services.project_update(project=web, name="site", display_text="The site", by=None)
    web.refresh_from_db()
    assert (web.name, web.display_text) == ("site", "The site")


def test_update_to_a_taken_name_is_refused(ops, web):
    other = factories.project(domain=ops, name="api")
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.project_update(project=other, name="Web", by=None)
    assert error_codes(excinfo, "name") == ["unique"]
    assert db_state() == before


def test_a_new_owner_becomes_an_admin_member(ops, team, web):
    other = factories.account(domain=ops)
    services.project_update(project=web, owner=other, by=None)
    web.refresh_from_db()
    assert web.owner == other
    assert web.memberships.get(account=other).role == ProjectRole.ADMIN


def test_a_new_owner_must_be_in_the_projects_domain(web, bob):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.project_update(project=web, owner=bob.account, by=None)
    assert "owner" in excinfo.value.error_dict
    assert db_state() == before


# --- membership -----------------------------------------------------------------------------


def test_member_add_and_remove(eng, ops, web):
    parent_account = factories.account(domain=eng)
    child_account = factories.account(domain=factories.domain(parent=ops))
    services.project_member_add(project=web, account=parent_account, by=None)
    services.project_member_add(project=web, account=child_account, role=ProjectRole.ADMIN, by=None)
    roles = dict(web.memberships.values_list("account", "role"))
    assert roles[parent_account.pk] == ProjectRole.REGULAR
    assert roles[child_account.pk] == ProjectRole.ADMIN
    assert len(roles) == 3

    services.project_member_remove(project=web, account=parent_account, by=None)
    assert not web.memberships.filter(account=parent_account).exists()
    assert web.memberships.count() == 2


def test_member_add_refuses_duplicates(web, team):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.project_member_add(project=web, account=team, by=None)
    assert error_codes(excinfo, "account") == ["unique"]
    assert db_state() == before


def test_member_add_refuses_accounts_outside_the_domain_tree(web, bob):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.project_member_add(project=web, account=bob.account, by=None)
    assert "account" in excinfo.value.error_dict
    assert db_state() == before


def test_member_add_refuses_unknown_roles(ops, web):
    other = factories.account(domain=ops)
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.project_member_add(project=web, account=other, role="owner", by=None)
    assert "role" in excinfo.value.error_dict
    assert db_state() == before


def test_the_owner_cannot_be_removed(web, team):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.project_member_remove(project=web, account=team, by=None)
    assert "account" in excinfo.value.error_dict
    assert db_state() == before


def test_removing_a_non_member_is_refused(ops, web):
    stranger = factories.account(domain=ops)
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.project_member_remove(project=web, account=stranger, by=None)
    assert error_codes(excinfo, "account") == ["not_member"]
    assert db_state() == before


def test_a_regular_member_may_view_but_not_change(ops, web, alice):
    services.project_member_add(project=web, account=alice.account, by=None)
    other = factories.account(domain=ops)
    before = db_state()
    with pytest.raises(PermissionDenied):
        services.project_member_add(project=web, account=other, by=alice)
    with pytest.raises(PermissionDenied):
        services.project_update(project=web, name="mine", by=alice)
    with pytest.raises(PermissionDenied):
        services.project_suspend(project=web, by=alice)
    with pytest.raises(PermissionDenied):
        services.project_delete(project=web, by=alice)
    assert db_state() == before


def test_an_admin_member_may_manage_members(ops, web, alice):
    services.project_member_add(project=web, account=alice.account, role="admin", by=None)
    other = factories.account(domain=ops)
    services.project_member_add(project=web, account=other, by=alice)
    assert web.memberships.filter(account=other).exists()


def test_strangers_may_not_touch_the_project(web, bob):
    before = db_state()
    with pytest.raises(PermissionDenied):
        services.project_member_add(project=web, account=bob.account, by=bob)
    with pytest.raises(PermissionDenied):
        services.project_delete(project=web, by=bob)
    assert db_state() == before


# --- states and delete ----------------------------------------------------------------------


def test_suspend_and_activate(web, dadmin):
    services.project_suspend(project=web, by=dadmin)
    assert Project.objects.get(pk=web.pk).state == ProjectState.SUSPENDED
    services.project_activate(project=web, by=dadmin)
    assert Project.objects.get(pk=web.pk).state == ProjectState.ACTIVE


def test_delete_removes_memberships(web, dadmin):
    services.project_delete(project=web, by=dadmin)
    assert not Project.objects.filter(pk=web.pk).exists()
    assert not ProjectMembership.objects.filter(project_id=web.pk).exists()


def test_the_owner_may_delete_their_project(alice, ops):
    project = services.project_create(domain=ops, name="mine", owner=alice.account, by=alice)
    services.project_delete(project=project, by=alice)
    assert not Project.objects.filter(pk=project.pk).exists()
