"""Project pages: list, detail, add, edit, delete, activate/suspend and membership.

Which role sees, adds, changes and deletes which rows is tested for every model by
tests/portal/test_model_contracts.py; here, what is particular to projects.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from identity.models import Project, ProjectMembership, ProjectRole, ProjectState
from identity.services import project_member_add
from tests import factories
from tests.db_state import db_state
from tests.page_helpers import assert_deleted_after_confirming, form_errors, shown_messages

pytestmark = pytest.mark.django_db


def action_url(project: Project, action: str) -> str:
    return reverse("identity:project_action", args=[project.pk, action])


def members_url(project: Project) -> str:
    return reverse("identity:project_members", args=[project.pk])


def members(project: Project) -> dict[str, str]:
    return {m.account.name: m.role for m in project.memberships.select_related("account")}


@pytest.fixture
def eng_project(dadmin):
    """A project alice (of eng/ops) can be made a member of, but does not own."""
    return factories.project(owner=dadmin.account, name="eng-proj")


# --- List and detail -----------------------------------------------------------------------


def test_membership_makes_a_project_visible(alice_client, alice, eng_project):
    assert alice_client.get(eng_project.get_absolute_url()).status_code == 404
    project_member_add(project=eng_project, account=alice.account, by=None)
    response = alice_client.get("/identity/projects/")
    assert [p.name for p in response.context["object_list"]] == ["eng-proj"]
    assert alice_client.get(eng_project.get_absolute_url()).status_code == 200


def test_the_detail_page_lists_members_and_offers_to_add_one(root_client, ops_project, dadmin):
    project_member_add(project=ops_project, account=dadmin.account, by=None)
    response = root_client.get(ops_project.get_absolute_url())

    assertContains(response, "Project ops-proj")
    assertContains(response, f'href="{dadmin.account.get_absolute_url()}"')
    assertContains(response, "Regular")
    assertContains(response, f'name="remove" value="{dadmin.account.pk}"')
    # The owner has no remove button: it cannot leave its own project.
    assertNotContains(response, f'name="remove" value="{ops_project.owner_id}"')
    assertContains(response, "Add member")
    assertContains(response, f'action="{action_url(ops_project, "suspend")}"')


def test_a_regular_member_sees_the_project_read_only(alice_client, alice, eng_project):
    project_member_add(project=eng_project, account=alice.account, by=None)
    response = alice_client.get(eng_project.get_absolute_url())
    assert response.status_code == 200
    assertNotContains(response, "Add member")
    assertNotContains(response, 'name="remove"')
    assertNotContains(response, f"/identity/projects/{eng_project.pk}/edit/")
    assertNotContains(response, action_url(eng_project, "suspend"))


# --- Add -----------------------------------------------------------------------------------


def test_a_user_creates_a_project_owned_by_their_account(alice_client, alice, ops):
    form = alice_client.get("/identity/projects/add/").context["form"]
    assert list(form.fields["domain"].queryset) == [ops]
    assert list(form.fields["owner"].queryset) == [alice.account]

    response = alice_client.post(
        "/identity/projects/add/",
        {"domain": ops.pk, "name": "web", "display_text": "Web tier", "owner": alice.account.pk},
        follow=True,
    )
    project = Project.objects.get(name="web")
    assert response.redirect_chain == [(project.get_absolute_url(), 302)]
    assert shown_messages(response) == ["Created project web."]
    assert (project.domain, project.owner, project.display_text) == (ops, alice.account, "Web tier")
    assert members(project) == {"ops-team": ProjectRole.ADMIN}


def test_a_user_cannot_give_a_new_project_to_another_account(alice_client, ops, dadmin):
    other = factories.account(domain=ops, name="ops-2")
    before = db_state()
    response = alice_client.post(
        "/identity/projects/add/", {"domain": ops.pk, "name": "web", "owner": other.pk}
    )
    assert "Select a valid choice" in form_errors(response, "owner")[0]
    assert db_state() == before


def test_the_owner_must_belong_to_the_projects_domain(root_client, eng, alice):
    before = db_state()
    response = root_client.post(
        "/identity/projects/add/", {"domain": eng.pk, "name": "web", "owner": alice.account.pk}
    )
    assert form_errors(response, "owner") == ["The owner must be an account of domain ROOT/eng."]
    assertContains(response, "The owner must be an account of domain ROOT/eng.")
    assert db_state() == before


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"name": "x" * 101}, "name", "at most 100 characters"),
        ({"name": "OPS-PROJ"}, "name", "Domain ROOT/eng/ops already has a project named OPS-PROJ."),
        ({"display_text": "x" * 256}, "display_text", "at most 255 characters"),
        ({"owner": ""}, "owner", "This field is required."),
    ],
)
def test_bad_project_input_is_shown_on_the_form(
    root_client, alice, ops_project, changes, field, message
):
    data = {"domain": alice.account.domain.pk, "name": "web", "owner": alice.account.pk}
    before = db_state()
    response = root_client.post("/identity/projects/add/", {**data, **changes})
    assert response.status_code == 200
    assert any(message in error for error in form_errors(response, field))
    assertContains(response, message)
    assert db_state() == before


# --- Edit ----------------------------------------------------------------------------------


def test_the_owner_renames_the_project(alice_client, alice, ops_project):
    url = f"/identity/projects/{ops_project.pk}/edit/"
    form = alice_client.get(url).context["form"]
    assert set(form.fields) == {"name", "display_text", "owner"}
    response = alice_client.post(
        url, {"name": "ops-main", "display_text": "Main", "owner": alice.account.pk}, follow=True
    )
    assert response.redirect_chain == [(ops_project.get_absolute_url(), 302)]
    assert shown_messages(response) == ["Updated project ops-main."]
    ops_project.refresh_from_db()
    assert (ops_project.name, ops_project.display_text) == ("ops-main", "Main")


def test_a_root_admin_hands_a_project_to_another_account(root_client, ops_project, ops):
    other = factories.account(domain=ops, name="ops-2")
    root_client.post(
        f"/identity/projects/{ops_project.pk}/edit/", {"name": "ops-proj", "owner": other.pk}
    )
    ops_project.refresh_from_db()
    assert ops_project.owner == other
    assert members(ops_project) == {"ops-team": ProjectRole.ADMIN, "ops-2": ProjectRole.ADMIN}


def test_a_project_admin_member_edits_without_taking_ownership(alice_client, alice, ops):
    owner = factories.account(domain=ops, name="ops-2")
    project = factories.project(owner=owner, name="shared")
    project_member_add(project=project, account=alice.account, role=ProjectRole.ADMIN, by=None)
    url = f"/identity/projects/{project.pk}/edit/"

    form = alice_client.get(url).context["form"]
    assert owner in form.fields["owner"].queryset
    response = alice_client.post(url, {"name": "shared-2", "owner": owner.pk})

    assertRedirects(response, project.get_absolute_url(), fetch_redirect_response=False)
    project.refresh_from_db()
    assert (project.name, project.owner) == ("shared-2", owner)


def test_renaming_onto_another_project_is_refused(root_client, alice, ops_project):
    other = factories.project(owner=alice.account, name="other")
    before = db_state()
    response = root_client.post(
        f"/identity/projects/{other.pk}/edit/", {"name": "ops-proj", "owner": alice.account.pk}
    )
    assertContains(response, "already has a project named ops-proj.")
    assert db_state() == before


def test_a_regular_member_may_not_edit(alice_client, alice, eng_project, dadmin):
    project_member_add(project=eng_project, account=alice.account, by=None)
    before = db_state()
    response = alice_client.post(
        f"/identity/projects/{eng_project.pk}/edit/", {"name": "mine", "owner": dadmin.account.pk}
    )
    assert response.status_code == 403
    assert db_state() == before


# --- Delete and state ----------------------------------------------------------------------


def test_the_owner_deletes_the_project_after_confirming(alice_client, ops_project):
    assert_deleted_after_confirming(
        alice_client, ops_project, "project ops-proj", "/identity/projects/"
    )
    assert not ProjectMembership.objects.filter(project_id=ops_project.pk).exists()


def test_suspend_and_activate(alice_client, ops_project):
    response = alice_client.post(action_url(ops_project, "suspend"), follow=True)
    assert response.redirect_chain == [(ops_project.get_absolute_url(), 302)]
    assert shown_messages(response) == ["Project ops-proj suspended."]
    ops_project.refresh_from_db()
    assert ops_project.state == ProjectState.SUSPENDED
    assertContains(response, f'action="{action_url(ops_project, "activate")}"')

    alice_client.post(action_url(ops_project, "activate"))
    ops_project.refresh_from_db()
    assert ops_project.state == ProjectState.ACTIVE


def test_state_actions_are_permission_checked(alice_client, alice, sales_project, eng_project):
    assert alice_client.post(action_url(sales_project, "suspend")).status_code == 404
    project_member_add(project=eng_project, account=alice.account, by=None)
    before = db_state()
    assert alice_client.post(action_url(eng_project, "suspend")).status_code == 403
    assert alice_client.get(action_url(eng_project, "suspend")).status_code == 405
    assert db_state() == before
    sales_project.refresh_from_db()
    assert sales_project.state == ProjectState.ACTIVE


# --- Members -------------------------------------------------------------------------------


def test_a_root_admin_adds_and_removes_a_member(root_client, ops_project, dadmin):
    response = root_client.post(
        members_url(ops_project),
        {"account": dadmin.account.pk, "role": ProjectRole.ADMIN},
        follow=True,
    )
    assert response.redirect_chain == [(ops_project.get_absolute_url(), 302)]
    assert shown_messages(response) == ["Added eng-admins to ops-proj."]
    assert members(ops_project) == {"ops-team": "admin", "eng-admins": "admin"}

    response = root_client.post(
        members_url(ops_project), {"remove": dadmin.account.pk}, follow=True
    )
    assert shown_messages(response) == ["Removed eng-admins from ops-proj."]
    assert members(ops_project) == {"ops-team": "admin"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"account": "owner", "role": "regular"}, "Account ops-team is already a member."),
        ({"account": "sales", "role": "regular"}, "Only accounts of the project"),
        ({"account": "eng", "role": "boss"}, "role: Select a valid choice."),
        ({"role": "regular"}, "account: This field is required."),
        ({"remove": "owner"}, "The owner cannot leave the project"),
        ({"remove": "eng"}, "Account eng-admins is not a member."),
    ],
)
def test_bad_membership_changes_are_reported(root_client, ops_project, dadmin, bob, data, message):
    accounts = {"owner": ops_project.owner, "sales": bob.account, "eng": dadmin.account}
    data = {key: accounts[value].pk if value in accounts else value for key, value in data.items()}
    before = db_state()
    response = root_client.post(members_url(ops_project), data, follow=True)
    assert response.redirect_chain == [(ops_project.get_absolute_url(), 302)]
    assert any(message in shown for shown in shown_messages(response))
    assertContains(response, 'class="alert alert-danger"')
    assert db_state() == before


def test_membership_changes_are_post_only_and_permission_checked(
    alice_client, anon_client, alice, ops_project, sales_project, bob
):
    before = db_state()
    url = members_url(sales_project)
    assert alice_client.post(url, {"account": alice.account.pk}).status_code == 404
    assert alice_client.get(members_url(ops_project)).status_code == 405
    assertRedirects(
        anon_client.post(url, {"remove": bob.account.pk}),
        f"/accounts/login/?next={url}",
        fetch_redirect_response=False,
    )
    assert db_state() == before


def test_a_regular_member_may_not_change_members(alice_client, alice, eng_project, dadmin):
    project_member_add(project=eng_project, account=alice.account, by=None)
    before = db_state()
    response = alice_client.post(members_url(eng_project), {"remove": alice.account.pk})
    assert response.status_code == 403
    assert db_state() == before


def test_a_project_admin_member_removes_another_member(alice, ops):
    owner = factories.account(domain=ops, name="ops-2")
    guest = factories.account(domain=ops, name="ops-3")
    project = factories.project(owner=owner, name="shared")
    project_member_add(project=project, account=alice.account, role=ProjectRole.ADMIN, by=None)
    project_member_add(project=project, account=guest, by=None)
    client = Client()
    client.force_login(alice)

    response = client.post(members_url(project), {"remove": guest.pk}, follow=True)

    assert shown_messages(response) == ["Removed ops-3 from shared."]
    assert members(project) == {"ops-2": "admin", "ops-team": "admin"}
