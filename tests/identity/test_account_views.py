"""Account pages: list, detail, add, edit, delete and the enable/disable/lock actions.

Which role sees, adds, changes and deletes which rows is tested for every model by
tests/portal/test_model_contracts.py; here, what is particular to accounts.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from identity.models import Account, AccountState, AccountType, User
from identity.selectors import root_domain
from tests import factories
from tests.db_state import db_state
from tests.page_helpers import assert_deleted_after_confirming, form_errors, shown_messages

pytestmark = pytest.mark.django_db


def action_url(account: Account, action: str) -> str:
    return reverse("identity:account_action", args=[account.pk, action])


# --- List and detail -----------------------------------------------------------------------


def test_the_detail_page_shows_users_projects_and_state_actions(root_client, alice):
    account = alice.account
    project = factories.project(owner=account, name="ops-proj")
    response = root_client.get(account.get_absolute_url())

    assertContains(response, "Account ops-team")
    assertContains(response, f'href="{alice.get_absolute_url()}"')
    assertContains(response, f'href="{project.get_absolute_url()}"')
    assertContains(response, f'action="{action_url(account, "disable")}"')
    assertContains(response, f'action="{action_url(account, "lock")}"')
    assertNotContains(response, action_url(account, "enable"))


def test_a_user_sees_their_account_without_actions(alice_client, alice):
    response = alice_client.get(alice.account.get_absolute_url())
    assert response.status_code == 200
    assertNotContains(response, action_url(alice.account, "disable"))
    assertNotContains(response, f"/identity/accounts/{alice.account.pk}/edit/")
    assertNotContains(response, f"/identity/accounts/{alice.account.pk}/delete/")


def test_a_root_admin_is_not_offered_to_disable_lock_or_delete_their_own_account(root_client, root):
    """Issue #11, item 9: the service refuses them (account_state_check,
    account_delete_check), so the page does not offer them; renaming stays."""
    response = root_client.get(root.account.get_absolute_url())
    for action in ("disable", "lock"):
        assertNotContains(response, action_url(root.account, action))
    assertNotContains(response, f"/identity/accounts/{root.account.pk}/delete/")
    assertContains(response, f'href="/identity/accounts/{root.account.pk}/edit/"')


def test_another_root_admin_account_is_offered_its_actions(root_client):
    other = factories.root_admin(username="root2").account
    response = root_client.get(other.get_absolute_url())
    for action in ("disable", "lock"):
        assertContains(response, f'action="{action_url(other, action)}"')
    assertContains(response, f'href="/identity/accounts/{other.pk}/delete/"')


# --- Add -----------------------------------------------------------------------------------


def test_a_root_admin_adds_an_account(root_client, eng):
    response = root_client.post(
        "/identity/accounts/add/",
        {"domain": eng.pk, "name": "qa-team", "type": AccountType.USER, "network_domain": ""},
        follow=True,
    )
    account = Account.objects.get(name="qa-team")
    assert response.redirect_chain == [(account.get_absolute_url(), 302)]
    assert (account.domain, account.type, account.state) == (eng, AccountType.USER, "enabled")
    assert shown_messages(response) == ["Created account qa-team."]


def test_a_root_admin_adds_a_root_admin_account_in_root(root_client, region):
    root_client.post(
        "/identity/accounts/add/",
        {"domain": root_domain().pk, "name": "admins2", "type": AccountType.ROOT_ADMIN},
    )
    assert Account.objects.get(name="admins2").type == AccountType.ROOT_ADMIN


def test_a_root_admin_account_outside_root_is_refused(root_client, eng):
    before = db_state()
    response = root_client.post(
        "/identity/accounts/add/",
        {"domain": eng.pk, "name": "admins2", "type": AccountType.ROOT_ADMIN},
    )
    assert form_errors(response, "type") == ["Root admin accounts belong to the ROOT domain."]
    assertContains(response, "Root admin accounts belong to the ROOT domain.")
    assert db_state() == before


def test_a_domain_admin_is_not_offered_the_root_admin_type(dadmin_client, eng, ops):
    form = dadmin_client.get("/identity/accounts/add/").context["form"]
    assert [value for value, _ in form.fields["type"].choices] == [
        AccountType.USER,
        AccountType.DOMAIN_ADMIN,
    ]
    assert list(form.fields["domain"].queryset) == [eng, ops]
    before = db_state()
    response = dadmin_client.post(
        "/identity/accounts/add/",
        {"domain": ops.pk, "name": "sneaky", "type": AccountType.ROOT_ADMIN},
    )
    assert "Select a valid choice" in form_errors(response, "type")[0]
    assert db_state() == before


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "This field is required."),
        ("x" * 101, "at most 100 characters"),
        ("OPS-TEAM", "Domain ROOT/eng/ops already has an account named OPS-TEAM."),
    ],
)
def test_bad_account_names_are_shown_on_the_form(root_client, alice, name, message):
    before = db_state()
    response = root_client.post(
        "/identity/accounts/add/",
        {"domain": alice.account.domain.pk, "name": name, "type": AccountType.USER},
    )
    assert response.status_code == 200
    assert form_errors(response, "name")
    assertContains(response, message)
    assert db_state() == before


def test_a_too_long_network_domain_is_shown_on_the_form(root_client, eng):
    before = db_state()
    response = root_client.post(
        "/identity/accounts/add/",
        {"domain": eng.pk, "name": "x", "type": AccountType.USER, "network_domain": "n" * 256},
    )
    assert form_errors(response, "network_domain")
    assert db_state() == before


# --- Edit ----------------------------------------------------------------------------------


def test_renaming_an_account(root_client, alice):
    account = alice.account
    form = root_client.get(f"/identity/accounts/{account.pk}/edit/").context["form"]
    assert set(form.fields) == {"name", "network_domain"}
    assert form.initial["name"] == "ops-team"

    response = root_client.post(
        f"/identity/accounts/{account.pk}/edit/",
        {"name": "operations", "network_domain": "ops.example"},
        follow=True,
    )
    account.refresh_from_db()
    assert (account.name, account.network_domain) == ("operations", "ops.example")
    assert shown_messages(response) == ["Updated account operations."]


def test_renaming_onto_another_account_is_refused(root_client, alice):
    other = factories.account(domain=alice.account.domain, name="ops-2")
    before = db_state()
    response = root_client.post(f"/identity/accounts/{other.pk}/edit/", {"name": "Ops-Team"})
    assertContains(response, "already has an account named Ops-Team.")
    assert db_state() == before


# --- Delete --------------------------------------------------------------------------------


def test_deleting_an_account_deletes_its_users(root_client, alice):
    assert_deleted_after_confirming(
        root_client, alice.account, "account ops-team", "/identity/accounts/"
    )
    assert not User.objects.filter(username="alice").exists()


def test_an_account_that_owns_projects_is_kept(root_client, alice):
    factories.project(owner=alice.account, name="ops-proj")
    before = db_state()
    response = root_client.post(f"/identity/accounts/{alice.account.pk}/delete/")
    assert response.status_code == 200
    assertContains(response, "Account ops-team owns projects (ops-proj).")
    assert db_state() == before


def test_nobody_deletes_their_own_account(root_client, root, dadmin_client, dadmin):
    before = db_state()
    response = root_client.post(f"/identity/accounts/{root.account.pk}/delete/")
    assertContains(response, "You cannot delete your own account.")
    assert dadmin_client.post(f"/identity/accounts/{dadmin.account.pk}/delete/").status_code == 403
    assert db_state() == before


def test_a_domain_admin_deletes_an_account_below(dadmin_client, alice):
    response = dadmin_client.post(f"/identity/accounts/{alice.account.pk}/delete/")
    assertRedirects(response, "/identity/accounts/", fetch_redirect_response=False)
    assert not Account.objects.filter(name="ops-team").exists()


def test_invisible_accounts_are_not_found(dadmin_client, bob):
    before = db_state()
    assert dadmin_client.post(f"/identity/accounts/{bob.account.pk}/delete/").status_code == 404
    assert dadmin_client.post(action_url(bob.account, "disable")).status_code == 404
    assert db_state() == before


# --- State actions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "state", "done"),
    [("disable", "disabled", "disabled"), ("lock", "locked", "locked")],
)
def test_a_root_admin_disables_and_locks_then_enables(root_client, alice, action, state, done):
    account = alice.account
    response = root_client.post(action_url(account, action), follow=True)
    assert response.redirect_chain == [(account.get_absolute_url(), 302)]
    account.refresh_from_db()
    assert account.state == state
    assert shown_messages(response) == [f"Account ops-team {done}."]
    assertContains(response, f'action="{action_url(account, "enable")}"')

    root_client.post(action_url(account, "enable"))
    account.refresh_from_db()
    assert account.state == AccountState.ENABLED


def test_a_disabled_account_signs_its_users_out(root_client, alice_client, alice):
    root_client.post(action_url(alice.account, "disable"))
    assertRedirects(alice_client.get("/"), "/accounts/login/?next=/", fetch_redirect_response=False)


def test_nobody_disables_their_own_account(root_client, root, dadmin_client, dadmin):
    before = db_state()
    response = root_client.post(action_url(root.account, "disable"), follow=True)
    assert shown_messages(response) == ["You cannot disable or lock your own account."]
    assert dadmin_client.post(action_url(dadmin.account, "lock")).status_code == 403
    assert db_state() == before


def test_users_may_not_change_their_accounts_state(alice_client, alice):
    before = db_state()
    assert alice_client.post(action_url(alice.account, "disable")).status_code == 403
    assert db_state() == before


def test_unknown_actions_are_not_found(root_client, alice):
    assert root_client.post(action_url(alice.account, "explode")).status_code == 404


def test_a_domain_admin_disables_an_account_below(dadmin_client, alice):
    dadmin_client.post(action_url(alice.account, "disable"))
    alice.account.refresh_from_db()
    assert alice.account.state == AccountState.DISABLED


def test_a_user_sees_only_themselves_among_their_accounts_users(alice_client, alice):
    factories.user(account=alice.account, username="carol")
    response = alice_client.get(alice.account.get_absolute_url())
    assertContains(response, f'href="{alice.get_absolute_url()}"')
    assertNotContains(response, "carol")


def test_a_domain_admin_sees_every_user_of_an_account_below(dadmin_client, alice):
    carol = factories.user(account=alice.account, username="carol")
    response = dadmin_client.get(alice.account.get_absolute_url())
    assertContains(response, f'href="{alice.get_absolute_url()}"')
    assertContains(response, f'href="{carol.get_absolute_url()}"')
