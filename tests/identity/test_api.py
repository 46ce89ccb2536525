"""REST API of the identity hierarchy: CRUD, roles, field-named errors, nothing changed on error."""

from __future__ import annotations

import pytest

from identity.models import Account, AccountState, Domain, Project, User
from tests import factories
from tests.api_helpers import api_client
from tests.factories import PASSWORD


@pytest.fixture
def root_api(root):
    return api_client(root)


def test_anonymous_gets_401_everywhere(region):
    client = api_client()
    for path in ("/api/domains/", "/api/accounts/", "/api/users/", "/api/projects/"):
        assert client.get(path).status_code in (401, 403)
        assert client.post(path, {}, format="json").status_code in (401, 403)


def test_root_admin_crud_of_the_whole_hierarchy(root_api, eng):
    domain = root_api.post("/api/domains/", {"parent": str(eng.pk), "name": "qa"}, format="json")
    assert domain.status_code == 201, domain.content
    assert domain.json()["path"] == "ROOT/eng/qa"

    account = root_api.post(
        "/api/accounts/",
        {"domain": domain.json()["id"], "name": "testers", "type": 0},
        format="json",
    )
    assert account.status_code == 201 and account.json()["state"] == "enabled"

    user = root_api.post(
        "/api/users/",
        {
            "account": account.json()["id"],
            "username": "tess",
            "password": PASSWORD,
            "email": "t@example.com",
        },
        format="json",
    )
    assert user.status_code == 201
    body = user.json()
    assert "password" not in body and PASSWORD not in user.content.decode()
    assert User.objects.get(pk=body["id"]).check_password(PASSWORD)

    project = root_api.post(
        "/api/projects/",
        {"domain": domain.json()["id"], "name": "release", "owner": account.json()["id"]},
        format="json",
    )
    assert project.status_code == 201
    members = root_api.get(f"/api/projects/{project.json()['id']}/members/").json()
    assert [(m["account"], m["role"]) for m in members] == [(account.json()["id"], "admin")]

    renamed = root_api.patch(
        f"/api/domains/{domain.json()['id']}/", {"name": "quality"}, format="json"
    )
    assert renamed.json()["path"] == "ROOT/eng/quality"
    assert (
        root_api.patch(f"/api/users/{body['id']}/", {"first_name": "Tess"}, format="json").json()[
            "first_name"
        ]
        == "Tess"
    )
    assert (
        root_api.post(f"/api/accounts/{account.json()['id']}/disable/").json()["state"]
        == "disabled"
    )
    assert (
        root_api.post(f"/api/accounts/{account.json()['id']}/enable/").json()["state"] == "enabled"
    )
    assert root_api.post(f"/api/users/{body['id']}/lock/").json()["state"] == "locked"
    assert (
        root_api.post(f"/api/projects/{project.json()['id']}/suspend/").json()["state"]
        == "suspended"
    )
    assert (
        root_api.post(
            f"/api/users/{body['id']}/set_password/",
            {"password": "Another-Passphrase-1"},
            format="json",
        ).status_code
        == 204
    )
    assert User.objects.get(pk=body["id"]).check_password("Another-Passphrase-1")

    assert root_api.delete(f"/api/projects/{project.json()['id']}/").status_code == 204
    assert root_api.delete(f"/api/users/{body['id']}/").status_code == 204
    assert root_api.delete(f"/api/accounts/{account.json()['id']}/").status_code == 204
    assert root_api.delete(f"/api/domains/{domain.json()['id']}/").status_code == 204
    assert not Domain.objects.filter(pk=domain.json()["id"]).exists()


def test_domain_delete_needs_cleanup_when_it_holds_accounts(root_api, eng, alice):
    before = Account.objects.count()
    response = root_api.delete(f"/api/domains/{eng.pk}/")
    assert response.status_code == 400 and "cleanup" in response.json()
    assert Account.objects.count() == before
    assert root_api.delete(f"/api/domains/{eng.pk}/?cleanup=true").status_code == 204
    assert not User.objects.filter(pk=alice.pk).exists()


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        ("/api/domains/", {"name": "x"}, "parent"),
        (
            "/api/domains/",
            {"parent": "00000000-0000-4000-8000-000000000001", "name": "a/b"},
            "name",
        ),
        ("/api/accounts/", {"domain": "00000000-0000-4000-8000-000000000001", "name": ""}, "name"),
        (
            "/api/accounts/",
            {"domain": "00000000-0000-4000-8000-000000000001", "name": "x", "type": 7},
            "type",
        ),
        ("/api/users/", {"username": "nobody", "password": PASSWORD}, "account"),
        ("/api/projects/", {"name": "p"}, "domain"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(root_api, path, payload, field):
    counts = [m.objects.count() for m in (Domain, Account, User, Project)]
    response = root_api.post(path, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert [m.objects.count() for m in (Domain, Account, User, Project)] == counts


def test_weak_password_and_duplicate_username_are_refused(root_api, alice):
    account = str(alice.account_id)
    weak = root_api.post(
        "/api/users/", {"account": account, "username": "new1", "password": "123"}, format="json"
    )
    assert weak.status_code == 400 and "password" in weak.json()
    dup = root_api.post(
        "/api/users/",
        {"account": account, "username": "ALICE", "password": PASSWORD},
        format="json",
    )
    assert dup.status_code == 400 and "username" in dup.json()
    assert not User.objects.filter(username="new1").exists()


def test_domain_admin_sees_and_manages_only_its_subtree(dadmin, alice, bob, ops, sales):
    client = api_client(dadmin)
    usernames = {u["username"] for u in client.get("/api/users/?limit=100").json()["results"]}
    assert "alice" in usernames and "bob" not in usernames
    assert client.get(f"/api/users/{bob.pk}/").status_code == 404
    assert client.post(f"/api/users/{alice.pk}/disable/").json()["state"] == "disabled"
    # An invisible parent is "does not exist", never a leak.
    response = client.post("/api/domains/", {"parent": str(sales.pk), "name": "x"}, format="json")
    assert response.status_code == 400 and "parent" in response.json()
    root_admin_type = client.post(
        "/api/accounts/", {"domain": str(ops.pk), "name": "x", "type": 1}, format="json"
    )
    assert root_admin_type.status_code in (400, 403)
    assert not Account.objects.filter(name="x").exists()


def test_user_sees_self_and_own_account_only(alice, bob, dadmin):
    client = api_client(alice)
    assert [u["username"] for u in client.get("/api/users/").json()["results"]] == ["alice"]
    assert [a["id"] for a in client.get("/api/accounts/").json()["results"]] == [
        str(alice.account_id)
    ]
    assert (
        client.patch(f"/api/users/{alice.pk}/", {"first_name": "Al"}, format="json").status_code
        == 200
    )
    assert client.get(f"/api/users/{dadmin.pk}/").status_code == 404
    assert client.post(f"/api/accounts/{alice.account_id}/disable/").status_code == 403
    assert (
        client.post(
            "/api/accounts/", {"domain": str(alice.account.domain_id), "name": "z"}, format="json"
        ).status_code
        == 403
    )
    assert Account.objects.get(pk=alice.account_id).state == AccountState.ENABLED


def test_membership_add_and_remove(root_api, ops):
    owner = factories.account(domain=ops, name="owners")
    other = factories.account(domain=ops, name="others")
    project = factories.project(owner=owner, name="shared")
    added = root_api.post(
        f"/api/projects/{project.pk}/members/", {"account": str(other.pk)}, format="json"
    )
    assert added.status_code == 201 and added.json()["role"] == "regular"
    again = root_api.post(
        f"/api/projects/{project.pk}/members/", {"account": str(other.pk)}, format="json"
    )
    assert again.status_code == 400 and "account" in again.json()
    assert (
        root_api.delete(f"/api/projects/{project.pk}/members/?account={other.pk}").status_code
        == 204
    )
    owner_leaves = root_api.delete(f"/api/projects/{project.pk}/members/?account={owner.pk}")
    assert owner_leaves.status_code == 400
    assert project.memberships.count() == 1


def test_pagination_and_filters(root_api, eng):
    for i in range(3):
        factories.account(domain=eng, name=f"page{i}")
    page = root_api.get(f"/api/accounts/?domain={eng.pk}&limit=2").json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]
    assert root_api.get("/api/accounts/?name=page1").json()["count"] == 1
