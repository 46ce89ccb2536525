"""User pages: list, detail, add, edit, change password, delete and state actions.

Which role sees, adds, changes and deletes which rows is tested for every model by
tests/portal/test_model_contracts.py; here, what is particular to users.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from identity.models import User, UserState
from identity.selectors import root_domain
from tests import factories
from tests.db_state import db_state
from tests.page_helpers import assert_deleted_after_confirming, form_errors, shown_messages

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "purple-monkey-dishwasher-7"


def action_url(user: User, action: str) -> str:
    return reverse("identity:user_action", args=[user.pk, action])


def new_user(account, **changes) -> dict:
    return {
        "account": account.pk,
        "username": "carol",
        "password": NEW_PASSWORD,
        "password_again": NEW_PASSWORD,
        "first_name": "Carol",
        "last_name": "Jones",
        "email": "carol@example.com",
        "timezone": "Europe/Paris",
        **changes,
    }


def signs_in(username: str, password: str) -> bool:
    client = Client()
    client.post("/accounts/login/", {"login": username, "password": password})
    return client.get("/").status_code == 200


# --- List and detail -----------------------------------------------------------------------


def test_search_finds_users_by_name_and_account(root_client, alice, bob):
    rows = root_client.get("/identity/users/", {"q": "sales"}).context["object_list"]
    assert [u.username for u in rows] == ["bob"]


def test_the_detail_page_shows_the_user_and_what_the_actor_may_do(root_client, alice):
    response = root_client.get(alice.get_absolute_url())
    assertContains(response, "User alice")
    assertContains(response, f'href="{alice.account.get_absolute_url()}"')
    assertContains(response, f'href="/identity/users/{alice.pk}/password/"')
    assertContains(response, f'action="{action_url(alice, "disable")}"')
    assertContains(response, f'href="/identity/users/{alice.pk}/delete/"')


def test_a_user_sees_edit_and_password_but_not_delete_on_their_own_page(alice_client, alice):
    response = alice_client.get(alice.get_absolute_url())
    assertContains(response, f'href="/identity/users/{alice.pk}/edit/"')
    assertContains(response, f'href="/identity/users/{alice.pk}/password/"')
    assertNotContains(response, f"/identity/users/{alice.pk}/delete/")


def test_your_own_page_offers_no_disable_lock_or_delete(
    alice_client, alice, dadmin_client, dadmin, root_client, root
):
    """Issue #11, item 9: the service refuses them (user_state_check, user_delete_check),
    so the page does not offer them; editing and the password stay."""
    for client, user in ((alice_client, alice), (dadmin_client, dadmin), (root_client, root)):
        response = client.get(user.get_absolute_url())
        for action in ("disable", "lock"):
            assertNotContains(response, action_url(user, action))
        assertNotContains(response, f"/identity/users/{user.pk}/delete/")
        assertContains(response, f'href="/identity/users/{user.pk}/edit/"')
        assertContains(response, f'href="/identity/users/{user.pk}/password/"')


def test_other_users_pages_still_offer_what_is_allowed(dadmin_client, alice, root_client, root):
    other_root = factories.user(account=root.account, username="root2")
    for client, user in ((dadmin_client, alice), (root_client, alice), (root_client, other_root)):
        response = client.get(user.get_absolute_url())
        for action in ("disable", "lock"):
            assertContains(response, f'action="{action_url(user, action)}"')
        assertContains(response, f'href="/identity/users/{user.pk}/delete/"')


# --- Add -----------------------------------------------------------------------------------


def test_a_root_admin_adds_a_user(root_client, alice):
    response = root_client.post("/identity/users/add/", new_user(alice.account), follow=True)
    carol = User.objects.get(username="carol")
    assert response.redirect_chain == [(carol.get_absolute_url(), 302)]
    assert shown_messages(response) == ["Created user carol."]
    assert carol.account == alice.account
    assert (carol.first_name, carol.email, carol.timezone) == (
        "Carol",
        "carol@example.com",
        "Europe/Paris",
    )
    assert carol.check_password(NEW_PASSWORD)
    assert signs_in("carol", NEW_PASSWORD)


def test_a_domain_admin_adds_users_only_to_visible_accounts(dadmin_client, alice, bob, root):
    form = dadmin_client.get("/identity/users/add/").context["form"]
    assert sorted(a.name for a in form.fields["account"].queryset) == ["eng-admins", "ops-team"]

    before = db_state()
    for account in (bob.account, root.account):
        response = dadmin_client.post("/identity/users/add/", new_user(account))
        assert "Select a valid choice" in form_errors(response, "account")[0]
    assert db_state() == before

    dadmin_client.post("/identity/users/add/", new_user(alice.account))
    assert User.objects.get(username="carol").account == alice.account


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"username": ""}, "username", "This field is required."),
        ({"username": "x" * 151}, "username", "at most 150 characters"),
        ({"username": "ALICE"}, "username", "The username ALICE is taken."),
        ({"username": "bad name!"}, "username", "Enter a valid username."),
        ({"password_again": "something-else-9"}, "password_again", "The two passwords differ."),
        ({"password": "", "password_again": ""}, "password", "This field is required."),
        ({"password": "abc12", "password_again": "abc12"}, "password", "too short"),
        ({"password": "password1", "password_again": "password1"}, "password", "too common"),
        ({"password": "3141592653589", "password_again": "3141592653589"}, "password", "numeric"),
        ({"email": "carol-at-example"}, "email", "Enter a valid email address."),
        ({"timezone": "Mars/Olympus"}, "timezone", "Select a valid choice."),
        ({"first_name": "x" * 151}, "first_name", "at most 150 characters"),
    ],
)
def test_bad_user_input_is_shown_on_the_form(root_client, alice, changes, field, message):
    before = db_state()
    response = root_client.post("/identity/users/add/", new_user(alice.account, **changes))
    assert response.status_code == 200
    assert any(message in error for error in form_errors(response, field))
    assertContains(response, message)
    assert db_state() == before


def test_a_password_too_like_the_username_is_refused(root_client, alice):
    before = db_state()
    response = root_client.post(
        "/identity/users/add/",
        new_user(
            alice.account,
            username="carolinejones",
            password="carolinejones",
            password_again="carolinejones",
        ),
    )
    assert any("too similar" in error for error in form_errors(response, "password"))
    assert db_state() == before


def test_the_password_is_never_rendered_back(root_client, alice):
    response = root_client.post(
        "/identity/users/add/", new_user(alice.account, password_again="differs-from-it-1")
    )
    assertNotContains(response, NEW_PASSWORD)


# --- Edit ----------------------------------------------------------------------------------


def test_the_user_form_offers_the_time_zones_as_a_list(alice_client, alice):
    page = alice_client.get(f"/identity/users/{alice.pk}/edit/")
    choices = [value for value, _ in page.context["form"].fields["timezone"].choices]
    assert {"UTC", "Europe/Paris", "America/Argentina/Buenos_Aires"} <= set(choices)
    assert choices == sorted(choices)
    assertContains(page, '<option value="Europe/Paris">Europe/Paris</option>', html=True)


def test_a_user_edits_their_own_profile(alice_client, alice):
    url = f"/identity/users/{alice.pk}/edit/"
    form = alice_client.get(url).context["form"]
    assert set(form.fields) == {"username", "first_name", "last_name", "email", "timezone"}
    assert form.initial["username"] == "alice"

    response = alice_client.post(
        url,
        {
            "username": "alice",
            "first_name": "Alice",
            "last_name": "Liddell",
            "email": "alice@example.com",
            "timezone": "Asia/Tokyo",
        },
        follow=True,
    )
    assert response.redirect_chain == [(alice.get_absolute_url(), 302)]
    assert shown_messages(response) == ["Updated user alice."]
    alice.refresh_from_db()
    assert (alice.get_full_name(), alice.email, alice.timezone) == (
        "Alice Liddell",
        "alice@example.com",
        "Asia/Tokyo",
    )
    assert alice.check_password(factories.PASSWORD)


def test_renaming_onto_a_taken_username_is_refused(root_client, alice, bob):
    before = db_state()
    response = root_client.post(
        f"/identity/users/{alice.pk}/edit/", {"username": "Bob", "timezone": "UTC"}
    )
    assert form_errors(response, "username") == ["The username Bob is taken."]
    assertContains(response, "The username Bob is taken.")
    assert db_state() == before


# --- Change password -----------------------------------------------------------------------


def test_a_user_changes_their_own_password_and_stays_signed_in(alice_client, alice):
    url = f"/identity/users/{alice.pk}/password/"
    page = alice_client.get(url)
    assertContains(page, "Change the password of alice")
    assertContains(page, 'type="password" name="password"')
    assertNotContains(page, 'value="md5$')  # the stored hash is never rendered

    response = alice_client.post(
        url,
        {
            "current_password": factories.PASSWORD,
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
        },
        follow=True,
    )
    assert response.redirect_chain == [(alice.get_absolute_url(), 302)]
    assert shown_messages(response) == ["Updated user alice."]
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert alice_client.get("/").status_code == 200  # the session survived the change
    assert signs_in("alice", NEW_PASSWORD)
    assert not signs_in("alice", factories.PASSWORD)


def test_a_root_admin_resets_a_users_password(root_client, alice):
    root_client.post(
        f"/identity/users/{alice.pk}/password/",
        {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    )
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


@pytest.mark.parametrize(
    ("password", "again", "field", "message"),
    [
        (NEW_PASSWORD, "not-the-same-3", "password_again", "The two passwords differ."),
        ("short", "short", "password", "too short"),
        ("qwertyuiop", "qwertyuiop", "password", "too common"),
        ("", "", "password", "This field is required."),
    ],
)
def test_bad_new_passwords_are_shown_and_change_nothing(
    alice_client, alice, password, again, field, message
):
    before = db_state()
    response = alice_client.post(
        f"/identity/users/{alice.pk}/password/",
        {"current_password": factories.PASSWORD, "password": password, "password_again": again},
    )
    assert response.status_code == 200
    assert any(message in error for error in form_errors(response, field))
    assertContains(response, message)
    assert db_state() == before


def test_changing_your_own_password_needs_the_current_one(alice_client, alice):
    before = db_state()
    url = f"/identity/users/{alice.pk}/password/"
    assertContains(alice_client.get(url), 'name="current_password"')
    response = alice_client.post(
        url,
        {
            "current_password": "not-my-password",
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
        },
    )
    assert form_errors(response, "current_password") == [
        "To set a new password, give your current password; that is not it."
    ]
    assert db_state() == before


def test_an_admin_resetting_someone_elses_password_is_not_asked_for_theirs(root_client, alice):
    assertNotContains(root_client.get(f"/identity/users/{alice.pk}/password/"), "current_password")


def test_nobody_changes_an_invisible_users_password(alice_client, dadmin_client, bob, root):
    before = db_state()
    data = {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    assert alice_client.post(f"/identity/users/{bob.pk}/password/", data).status_code == 404
    assert dadmin_client.post(f"/identity/users/{root.pk}/password/", data).status_code == 404
    assert db_state() == before


# --- Delete --------------------------------------------------------------------------------


def test_a_root_admin_deletes_a_user_after_confirming(root_client, alice):
    assert_deleted_after_confirming(root_client, alice, "user alice", "/identity/users/")


def test_nobody_deletes_themselves(root_client, root, alice_client, alice):
    before = db_state()
    response = root_client.post(f"/identity/users/{root.pk}/delete/")
    assert response.status_code == 200
    assertContains(response, "You cannot delete yourself.")
    assert alice_client.post(f"/identity/users/{alice.pk}/delete/").status_code == 403
    assert db_state() == before


# --- State actions -------------------------------------------------------------------------


@pytest.mark.parametrize(("action", "state"), [("disable", "disabled"), ("lock", "locked")])
def test_a_root_admin_disables_or_locks_then_enables(root_client, alice, action, state):
    response = root_client.post(action_url(alice, action), follow=True)
    assert response.redirect_chain == [(alice.get_absolute_url(), 302)]
    assert shown_messages(response) == [f"User alice {state}."]
    alice.refresh_from_db()
    assert alice.state == state
    assertContains(response, f'action="{action_url(alice, "enable")}"')
    assert not signs_in("alice", factories.PASSWORD)

    root_client.post(action_url(alice, "enable"))
    alice.refresh_from_db()
    assert alice.state == UserState.ENABLED
    assert signs_in("alice", factories.PASSWORD)


def test_nobody_disables_themselves(alice_client, alice, root_client, root):
    before = db_state()
    response = alice_client.post(action_url(alice, "disable"), follow=True)
    assert shown_messages(response) == ["You cannot disable or lock yourself."]
    response = root_client.post(action_url(root, "lock"), follow=True)
    assert shown_messages(response) == ["You cannot disable or lock yourself."]
    assert db_state() == before


def test_state_actions_are_permission_checked(alice_client, dadmin_client, bob, root, dadmin):
    before = db_state()
    assert alice_client.post(action_url(bob, "disable")).status_code == 404
    assert alice_client.post(action_url(dadmin, "disable")).status_code == 404
    assert dadmin_client.post(action_url(root, "lock")).status_code == 404
    assert dadmin_client.post(action_url(bob, "lock")).status_code == 404
    assert alice_client.get(action_url(bob, "disable")).status_code == 405
    assert db_state() == before


def test_a_domain_admin_locks_a_user_below(dadmin_client, alice):
    dadmin_client.post(action_url(alice, "lock"))
    alice.refresh_from_db()
    assert alice.state == UserState.LOCKED


# --- A domain admin of ROOT ----------------------------------------------------------------


@pytest.fixture
def root_dadmin_client(region):
    """A domain admin of the ROOT domain: sees root admins, must never take them over."""
    user = factories.domain_admin(domain=root_domain())
    client = Client()
    client.force_login(user)
    return client


def test_a_root_domain_admin_sees_root_admins_read_only(root_dadmin_client, root):
    response = root_dadmin_client.get(root.get_absolute_url())
    assert response.status_code == 200
    assertNotContains(response, f"/identity/users/{root.pk}/edit/")
    assertNotContains(response, f"/identity/users/{root.pk}/password/")
    assertNotContains(response, f"/identity/users/{root.pk}/delete/")
    assertNotContains(response, action_url(root, "disable"))


def test_a_root_domain_admin_cannot_take_over_a_root_admin(root_dadmin_client, root):
    before = db_state()
    pages = [
        (f"/identity/users/{root.pk}/edit/", {"username": "root", "email": "me@evil.example"}),
        (
            f"/identity/users/{root.pk}/password/",
            {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
        ),
        (f"/identity/users/{root.pk}/delete/", {}),
        (action_url(root, "lock"), {}),
        (f"/identity/accounts/{root.account.pk}/edit/", {"name": "mine"}),
        (reverse("identity:account_action", args=[root.account.pk, "disable"]), {}),
    ]
    for url, data in pages:
        assert root_dadmin_client.post(url, {"timezone": "UTC", **data}).status_code == 403, url
    response = root_dadmin_client.post("/identity/users/add/", new_user(root.account))
    assert response.status_code == 403
    assert db_state() == before
    assert signs_in("root", factories.PASSWORD)
