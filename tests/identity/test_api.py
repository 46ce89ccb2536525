"""REST API of the identity hierarchy: CRUD, roles, field-named errors, nothing changed on error.

Roles (tests/conftest.py): `root` root admin; `dadmin` domain admin of ROOT/eng; `alice` a
user in ROOT/eng/ops; `bob` a user in ROOT/sales. Which role sees, adds, changes and deletes
which rows is tested for every model by tests/portal/test_model_contracts.py; here, the
state actions, memberships, passwords and what is particular to each model.
"""

from __future__ import annotations

import re
import uuid

import pytest

from identity.models import (
    Account,
    AccountState,
    AccountType,
    Domain,
    Project,
    ProjectMembership,
    ProjectState,
    User,
    UserState,
)
from identity.selectors import root_domain
from identity.services import project_member_add
from tests import factories
from tests.api_helpers import (
    ANONYMOUS_REFUSED,
    api_client,
    assert_names_field,
    assert_page,
    assert_refused_unchanged,
)
from tests.factories import PASSWORD

ROOT_ID = "00000000-0000-4000-8000-000000000001"


@pytest.fixture
def everyone(root, dadmin, alice, bob):
    """All four roles exist, so lists show what each may see among them."""
    return {"root": root, "dadmin": dadmin, "alice": alice, "bob": bob}


@pytest.fixture
def root_dadmin(region):
    """A domain admin of ROOT: sees root admins, may not take them over."""
    return factories.domain_admin(domain=root_domain())


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def same_error_but_the_id(first, second, field: str) -> None:
    """Two refusals whose messages differ only in the UUID they quote: nothing leaks."""
    strip = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
    assert_names_field(first, field)
    assert_names_field(second, field)
    assert [strip.sub("<id>", m) for m in first.json()[field]] == [
        strip.sub("<id>", m) for m in second.json()[field]
    ]


def no_secrets(response, *users: User) -> None:
    """No password field and no password hash anywhere in RESPONSE."""
    text = response.content.decode()
    assert '"password"' not in text
    for user in users:
        user.refresh_from_db()
        assert user.password and user.password not in text


# --- anonymous ----------------------------------------------------------------------------


def test_anonymous_is_refused_on_every_identity_action(everyone, ops_project):
    """The state actions, passwords and memberships (CRUD: tests/portal/test_model_contracts.py)."""
    alice = everyone["alice"]
    account, project = alice.account_id, ops_project.pk
    endpoints = [
        ("post", f"/api/accounts/{account}/enable/", None),
        ("post", f"/api/accounts/{account}/disable/", None),
        ("post", f"/api/accounts/{account}/lock/", None),
        ("post", f"/api/users/{alice.pk}/enable/", None),
        ("post", f"/api/users/{alice.pk}/disable/", None),
        ("post", f"/api/users/{alice.pk}/lock/", None),
        ("post", f"/api/users/{alice.pk}/set_password/", {"password": "Brand-New-Pass-77"}),
        ("post", f"/api/projects/{project}/suspend/", None),
        ("post", f"/api/projects/{project}/activate/", None),
        ("get", f"/api/projects/{project}/members/", None),
        ("post", f"/api/projects/{project}/members/", {"account": str(account)}),
        ("delete", f"/api/projects/{project}/members/?account={account}", None),
    ]
    client = api_client()
    for method, path, data in endpoints:
        response = assert_refused_unchanged(client, method, path, data, ANONYMOUS_REFUSED)
        assert "detail" in response.json(), (method, path)


def test_a_locked_user_sees_nothing(root, alice):
    root_api = api_client(root)
    assert root_api.post(f"/api/users/{alice.pk}/lock/").json()["state"] == "locked"
    alice.refresh_from_db()
    client = api_client(alice)
    for resource in ("domains", "accounts", "users", "projects"):
        assert client.get(f"/api/{resource}/").json()["count"] == 0
    assert_refused_unchanged(
        client, "patch", f"/api/users/{alice.pk}/", {"first_name": "back"}, 404
    )


# --- domains ------------------------------------------------------------------------------


def test_root_admin_domain_crud(root_api, eng, sales):
    created = root_api.post(
        "/api/domains/", {"parent": str(eng.pk), "name": "qa", "network_domain": "qa.lan"}
    )
    assert created.status_code == 201, created.content
    qa = created.json()
    assert qa["path"] == "ROOT/eng/qa" and qa["parent"] == str(eng.pk)
    assert qa["network_domain"] == "qa.lan"
    assert Domain.objects.get(pk=qa["id"]).path == "ROOT/eng/qa"

    child = root_api.post("/api/domains/", {"parent": qa["id"], "name": "night"}, format="json")
    assert child.json()["path"] == "ROOT/eng/qa/night"
    assert root_api.get(f"/api/domains/{qa['id']}/").json() == qa

    put = root_api.put(
        f"/api/domains/{qa['id']}/",
        {"name": "quality", "network_domain": "q.lan", "parent": str(sales.pk)},
        format="json",
    )
    assert put.status_code == 200
    assert put.json()["path"] == "ROOT/eng/quality"  # the parent is fixed once created
    assert put.json()["parent"] == str(eng.pk)
    assert Domain.objects.get(pk=child.json()["id"]).path == "ROOT/eng/quality/night"

    patched = root_api.patch(f"/api/domains/{qa['id']}/", {"network_domain": ""}, format="json")
    assert patched.status_code == 200 and Domain.objects.get(pk=qa["id"]).network_domain == ""

    assert root_api.delete(f"/api/domains/{child.json()['id']}/").status_code == 204
    assert root_api.delete(f"/api/domains/{qa['id']}/").status_code == 204
    assert not Domain.objects.filter(pk__in=[qa["id"], child.json()["id"]]).exists()


def test_domain_delete_needs_cleanup_when_it_holds_accounts(root_api, eng, ops, alice):
    response = assert_refused_unchanged(root_api, "delete", f"/api/domains/{eng.pk}/", None, 400)
    assert_names_field(response, "cleanup")
    response = assert_refused_unchanged(
        root_api, "delete", f"/api/domains/{eng.pk}/?cleanup=false", None, 400
    )
    assert_names_field(response, "cleanup")
    response = assert_refused_unchanged(
        root_api, "delete", f"/api/domains/{eng.pk}/?cleanup=maybe", None, 400
    )
    assert_names_field(response, "cleanup")
    assert root_api.delete(f"/api/domains/{eng.pk}/?cleanup=true").status_code == 204
    assert not Domain.objects.filter(pk__in=[eng.pk, ops.pk]).exists()
    assert not User.objects.filter(pk=alice.pk).exists()


def test_an_unreadable_cleanup_is_refused_even_for_an_empty_domain(root_api, sales):
    for value in ("maybe", "2", "truthy"):
        response = assert_refused_unchanged(
            root_api, "delete", f"/api/domains/{sales.pk}/?cleanup={value}", None, 400
        )
        assert_names_field(response, "cleanup")
    assert root_api.delete(f"/api/domains/{sales.pk}/?cleanup=0").status_code == 204
    assert not Domain.objects.filter(pk=sales.pk).exists()


def test_root_domain_is_neither_renamed_nor_deleted(root_api, region):
    response = assert_refused_unchanged(
        root_api, "patch", f"/api/domains/{ROOT_ID}/", {"name": "TOP"}, 400
    )
    assert_names_field(response, "name")
    response = assert_refused_unchanged(
        root_api, "delete", f"/api/domains/{ROOT_ID}/?cleanup=true", None, 400
    )
    assert_names_field(response, "domain")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "x"}, "parent"),
        ({"parent": None, "name": "x"}, "parent"),
        ({"parent": "not-a-uuid", "name": "x"}, "parent"),
        ({"parent": str(uuid.uuid4()), "name": "x"}, "parent"),
        ({"parent": ROOT_ID}, "name"),
        ({"parent": ROOT_ID, "name": ""}, "name"),
        ({"parent": ROOT_ID, "name": "a/b"}, "name"),
        ({"parent": ROOT_ID, "name": "n" * 65}, "name"),
        ({"parent": ROOT_ID, "name": "ENG"}, "name"),  # a sibling's name
        ({"parent": ROOT_ID, "name": "x", "network_domain": "d" * 256}, "network_domain"),
    ],
)
def test_bad_domain_input_names_the_field_and_changes_nothing(root_api, eng, payload, field):
    response = assert_refused_unchanged(root_api, "post", "/api/domains/", payload, 400)
    assert_names_field(response, field)


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"name": "SALES"}, "name"), ({"name": ""}, "name"), ({"name": "x/y"}, "name")],
)
def test_bad_domain_update_names_the_field_and_changes_nothing(
    root_api, eng, sales, changes, field
):
    response = assert_refused_unchanged(root_api, "patch", f"/api/domains/{eng.pk}/", changes, 400)
    assert_names_field(response, field)


def test_domain_admin_manages_only_below_its_domain(everyone, eng, ops, sales):
    client = api_client(everyone["dadmin"])
    assert [d["path"] for d in results(client.get("/api/domains/"))] == ["ROOT/eng", "ROOT/eng/ops"]
    for parent in (eng, ops):
        created = client.post("/api/domains/", {"parent": str(parent.pk), "name": "sub"})
        assert created.status_code == 201, created.content
    assert Domain.objects.filter(name="sub").count() == 2
    assert client.patch(f"/api/domains/{ops.pk}/", {"network_domain": "ops.lan"}).status_code == 200
    assert Domain.objects.get(pk=ops.pk).network_domain == "ops.lan"
    # Its own domain it may see but not change; outside its subtree nothing exists.
    assert_refused_unchanged(client, "patch", f"/api/domains/{eng.pk}/", {"name": "x"}, 403)
    assert_refused_unchanged(client, "delete", f"/api/domains/{eng.pk}/?cleanup=true", None, 403)
    for method, data in (("get", None), ("patch", {"name": "x"}), ("delete", None)):
        assert_refused_unchanged(client, method, f"/api/domains/{sales.pk}/", data, 404)
        assert_refused_unchanged(client, method, f"/api/domains/{ROOT_ID}/", data, 404)
    invisible = assert_refused_unchanged(
        client, "post", "/api/domains/", {"parent": str(sales.pk), "name": "x"}, 400
    )
    unknown = client.post("/api/domains/", {"parent": str(uuid.uuid4()), "name": "x"})
    same_error_but_the_id(invisible, unknown, "parent")
    assert client.delete(f"/api/domains/{ops.pk}/?cleanup=true").status_code == 204
    assert not User.objects.filter(pk=everyone["alice"].pk).exists()


def test_domain_filters_and_search(root_api, eng, ops, sales):
    def paths(query):
        return [d["path"] for d in results(root_api.get(f"/api/domains/?{query}"))]

    assert paths(f"parent={eng.pk}") == ["ROOT/eng/ops"]
    assert paths(f"parent={ROOT_ID}") == ["ROOT/eng", "ROOT/sales"]
    assert paths("name=OPS") == ["ROOT/eng/ops"]
    assert paths("path=root/sales") == ["ROOT/sales"]
    assert paths("search=eng") == ["ROOT/eng", "ROOT/eng/ops"]
    assert_names_field(root_api.get("/api/domains/?parent=nope"), "parent")


# --- accounts -----------------------------------------------------------------------------


def test_root_admin_account_crud_and_states(root_api, ops, sales):
    created = root_api.post(
        "/api/accounts/", {"domain": str(ops.pk), "name": "testers", "type": 0}, format="json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["state"], body["type"], body["domain_path"]) == ("enabled", 0, "ROOT/eng/ops")
    account_id = body["id"]
    assert Account.objects.get(pk=account_id).name == "testers"
    assert root_api.get(f"/api/accounts/{account_id}/").json() == body

    admins = root_api.post(
        "/api/accounts/", {"domain": ROOT_ID, "name": "ops-root", "type": 1}, format="json"
    )
    assert admins.status_code == 201 and Account.objects.get(name="ops-root").is_root_admin
    dom_admins = root_api.post(
        "/api/accounts/", {"domain": str(ops.pk), "name": "leads", "type": 2}, format="json"
    )
    assert dom_admins.status_code == 201 and Account.objects.get(name="leads").is_domain_admin

    put = root_api.put(
        f"/api/accounts/{account_id}/",
        {"name": "qa", "network_domain": "qa.lan", "type": 1, "domain": str(sales.pk)},
        format="json",
    )
    assert put.status_code == 200
    stored = Account.objects.get(pk=account_id)
    # Type and domain are fixed once the account exists.
    assert (stored.name, stored.network_domain, stored.type, stored.domain_id) == (
        "qa",
        "qa.lan",
        AccountType.USER,
        ops.pk,
    )
    assert root_api.patch(f"/api/accounts/{account_id}/", {"name": "qa2"}).json()["name"] == "qa2"

    for action, state in (("disable", "disabled"), ("lock", "locked"), ("enable", "enabled")):
        response = root_api.post(f"/api/accounts/{account_id}/{action}/")
        assert response.status_code == 200 and response.json()["state"] == state
        assert Account.objects.get(pk=account_id).state == state

    user = factories.user(account=stored, username="member")
    assert root_api.delete(f"/api/accounts/{account_id}/").status_code == 204
    assert not Account.objects.filter(pk=account_id).exists()
    assert not User.objects.filter(pk=user.pk).exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "x"}, "domain"),
        ({"domain": "nope", "name": "x"}, "domain"),
        ({"domain": str(uuid.uuid4()), "name": "x"}, "domain"),
        ({"domain": ROOT_ID}, "name"),
        ({"domain": ROOT_ID, "name": ""}, "name"),
        ({"domain": ROOT_ID, "name": "n" * 101}, "name"),
        ({"domain": ROOT_ID, "name": "x", "type": 7}, "type"),
        ({"domain": ROOT_ID, "name": "x", "type": "admin"}, "type"),
        ({"domain": ROOT_ID, "name": "x", "network_domain": "d" * 256}, "network_domain"),
    ],
)
def test_bad_account_input_names_the_field_and_changes_nothing(root_api, payload, field):
    response = assert_refused_unchanged(root_api, "post", "/api/accounts/", payload, 400)
    assert_names_field(response, field)


def test_account_name_clash_and_root_admins_outside_root(root_api, alice, ops):
    clash = assert_refused_unchanged(
        root_api, "post", "/api/accounts/", {"domain": str(ops.pk), "name": "OPS-TEAM"}, 400
    )
    assert_names_field(clash, "name")
    outside_root = assert_refused_unchanged(
        root_api, "post", "/api/accounts/", {"domain": str(ops.pk), "name": "r", "type": 1}, 400
    )
    assert_names_field(outside_root, "type")
    other = factories.account(domain=ops, name="other")
    rename = assert_refused_unchanged(
        root_api, "patch", f"/api/accounts/{other.pk}/", {"name": "Ops-Team"}, 400
    )
    assert_names_field(rename, "name")
    empty = assert_refused_unchanged(
        root_api, "put", f"/api/accounts/{other.pk}/", {"name": ""}, 400
    )
    assert_names_field(empty, "name")


def test_nobody_disables_locks_or_deletes_their_own_account(root_api, root):
    for action in ("disable", "lock"):
        response = assert_refused_unchanged(
            root_api, "post", f"/api/accounts/{root.account_id}/{action}/", None, 400
        )
        assert_names_field(response, "state")
    response = assert_refused_unchanged(
        root_api, "delete", f"/api/accounts/{root.account_id}/", None, 400
    )
    assert_names_field(response, "account")


def test_an_account_owning_projects_is_not_deleted(root_api, ops_project):
    response = assert_refused_unchanged(
        root_api, "delete", f"/api/accounts/{ops_project.owner_id}/", None, 400
    )
    assert_names_field(response, "account")


def test_domain_admin_accounts_within_its_subtree(everyone, ops, sales):
    dadmin, alice, bob = everyone["dadmin"], everyone["alice"], everyone["bob"]
    client = api_client(dadmin)
    assert [a["name"] for a in results(client.get("/api/accounts/"))] == ["eng-admins", "ops-team"]
    created = client.post("/api/accounts/", {"domain": str(ops.pk), "name": "ops2", "type": 2})
    assert created.status_code == 201 and Account.objects.get(name="ops2").is_domain_admin
    root_type = assert_refused_unchanged(
        client, "post", "/api/accounts/", {"domain": str(ops.pk), "name": "r", "type": 1}, 400
    )
    assert_names_field(root_type, "type")
    invisible = assert_refused_unchanged(
        client, "post", "/api/accounts/", {"domain": str(sales.pk), "name": "x"}, 400
    )
    unknown = client.post("/api/accounts/", {"domain": str(uuid.uuid4()), "name": "x"})
    same_error_but_the_id(invisible, unknown, "domain")

    mine = alice.account_id
    assert client.patch(f"/api/accounts/{mine}/", {"network_domain": "o.lan"}).status_code == 200
    assert Account.objects.get(pk=mine).network_domain == "o.lan"
    assert client.post(f"/api/accounts/{mine}/lock/").json()["state"] == "locked"
    assert client.post(f"/api/accounts/{mine}/enable/").json()["state"] == "enabled"
    assert client.post(f"/api/accounts/{mine}/disable/").json()["state"] == "disabled"

    own = dadmin.account_id  # visible, never changed by itself
    assert client.get(f"/api/accounts/{own}/").status_code == 200
    for method, path, data in (
        ("patch", f"/api/accounts/{own}/", {"name": "x"}),
        ("post", f"/api/accounts/{own}/disable/", None),
        ("post", f"/api/accounts/{own}/lock/", None),
        ("delete", f"/api/accounts/{own}/", None),
    ):
        assert_refused_unchanged(client, method, path, data, 403)
    for method, suffix, data in (
        ("get", "", None),
        ("patch", "", {"name": "x"}),
        ("delete", "", None),
        ("post", "disable/", None),
        ("post", "enable/", None),
        ("post", "lock/", None),
    ):
        assert_refused_unchanged(
            client, method, f"/api/accounts/{bob.account_id}/{suffix}", data, 404
        )

    assert client.delete(f"/api/accounts/{mine}/").status_code == 204
    assert not User.objects.filter(pk=alice.pk).exists()


def test_domain_admin_of_root_only_views_root_admin_accounts(root, root_dadmin):
    client = api_client(root_dadmin)
    assert client.get(f"/api/accounts/{root.account_id}/").json()["type"] == 1
    for method, path, data in (
        ("patch", f"/api/accounts/{root.account_id}/", {"name": "mine"}),
        ("post", f"/api/accounts/{root.account_id}/disable/", None),
        ("post", f"/api/accounts/{root.account_id}/lock/", None),
        ("delete", f"/api/accounts/{root.account_id}/", None),
        ("post", "/api/accounts/", {"domain": ROOT_ID, "name": "more-root", "type": 1}),
    ):
        response = assert_refused_unchanged(client, method, path, data, (400, 403))
        assert response.json()


@pytest.mark.parametrize("role", ["alice", "bob"])
def test_users_change_the_state_of_no_account(everyone, role):
    me = everyone[role]
    other = everyone["bob" if role == "alice" else "alice"]
    client = api_client(me)
    own = f"/api/accounts/{me.account_id}/"
    for action in ("enable", "disable", "lock"):
        assert_refused_unchanged(client, "post", f"{own}{action}/", None, 403)
    assert_refused_unchanged(client, "post", f"/api/accounts/{other.account_id}/lock/", None, 404)
    assert Account.objects.get(pk=me.account_id).state == AccountState.ENABLED


def test_account_filters_search_and_pagination(root_api, everyone, eng, ops):
    for i in range(3):
        factories.account(domain=eng, name=f"page{i}")

    def names(query):
        return [a["name"] for a in results(root_api.get(f"/api/accounts/?{query}"))]

    page = root_api.get(f"/api/accounts/?domain={eng.pk}&limit=2").json()
    assert_page(page, count=4, size=2)
    assert page["next"] and page["previous"] is None
    rest = root_api.get(f"/api/accounts/?domain={eng.pk}&limit=2&offset=2").json()
    assert_page(rest, count=4, size=2)
    assert rest["next"] is None and rest["previous"]
    assert {a["name"] for a in page["results"] + rest["results"]} == {
        "eng-admins",
        "page0",
        "page1",
        "page2",
    }
    assert names("name=PAGE1") == ["page1"]
    assert names("type=2") == ["eng-admins"]
    assert names(f"type=1&domain={ROOT_ID}") == [everyone["root"].account.name]
    factories.account(domain=ops, name="gone")
    Account.objects.filter(name="gone").update(state=AccountState.LOCKED)
    assert names("state=locked") == ["gone"]
    assert names("search=sales") == ["sales-team"]
    assert_names_field(root_api.get("/api/accounts/?domain=xyz"), "domain")
    assert_names_field(root_api.get("/api/accounts/?type=9"), "type")


def test_filters_never_tell_invisible_from_unknown(everyone, sales):
    client = api_client(everyone["dadmin"])
    invisible = client.get(f"/api/accounts/?domain={sales.pk}")
    unknown = client.get(f"/api/accounts/?domain={uuid.uuid4()}")
    assert invisible.status_code == unknown.status_code == 200
    assert (
        invisible.json()
        == unknown.json()
        == {
            "count": 0,
            "next": None,
            "previous": None,
            "results": [],
        }
    )


# --- users --------------------------------------------------------------------------------


def test_root_admin_user_crud_and_never_a_password(root_api, root, alice):
    created = root_api.post(
        "/api/users/",
        {
            "account": str(alice.account_id),
            "username": "tess",
            "password": PASSWORD,
            "email": "t@example.com",
            "timezone": "Europe/Berlin",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    tess = User.objects.get(pk=body["id"])
    assert tess.check_password(PASSWORD) and tess.timezone == "Europe/Berlin"
    assert body["state"] == "enabled" and body["account"] == str(alice.account_id)
    assert PASSWORD not in created.content.decode()
    no_secrets(created, tess)

    listing = root_api.get("/api/users/")
    assert {u["username"] for u in listing.json()["results"]} == {"root", "alice", "tess"}
    no_secrets(listing, root, alice, tess)
    retrieved = root_api.get(f"/api/users/{tess.pk}/")
    assert retrieved.json() == body
    no_secrets(retrieved, tess)

    put = root_api.put(
        f"/api/users/{tess.pk}/",
        {"username": "tessa", "first_name": "Tessa", "password": "ignored-Here-99"},
        format="json",
    )
    assert put.status_code == 200 and put.json()["username"] == "tessa"
    tess.refresh_from_db()
    assert tess.first_name == "Tessa" and tess.check_password(PASSWORD)  # not via PUT
    no_secrets(put, tess)
    patched = root_api.patch(f"/api/users/{tess.pk}/", {"last_name": "Ng"}, format="json")
    assert patched.json()["last_name"] == "Ng"
    no_secrets(patched, tess)

    for action, state in (("disable", "disabled"), ("lock", "locked"), ("enable", "enabled")):
        response = root_api.post(f"/api/users/{tess.pk}/{action}/")
        assert response.status_code == 200 and response.json()["state"] == state
        assert User.objects.get(pk=tess.pk).state == state
        no_secrets(response, tess)

    new = root_api.post(
        f"/api/users/{tess.pk}/set_password/", {"password": "Another-Passphrase-1"}, format="json"
    )
    assert new.status_code == 204 and not new.content
    assert User.objects.get(pk=tess.pk).check_password("Another-Passphrase-1")

    assert root_api.delete(f"/api/users/{tess.pk}/").status_code == 204
    assert not User.objects.filter(pk=tess.pk).exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"password": None}, "password"),
        ({"password": ""}, "password"),
        ({"password": "123"}, "password"),
        ({"password": "password"}, "password"),
        ({"password": "12345678901234"}, "password"),
        ({"username": None}, "username"),
        ({"username": ""}, "username"),
        ({"username": "bad name!"}, "username"),
        ({"username": "u" * 151}, "username"),
        ({"username": "ALICE"}, "username"),  # taken, case-insensitively
        ({"email": "not-an-email"}, "email"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"first_name": "f" * 151}, "first_name"),
        ({"account": None}, "account"),
        ({"account": "nope"}, "account"),
        ({"account": str(uuid.uuid4())}, "account"),
    ],
)
def test_bad_user_input_names_the_field_and_changes_nothing(root_api, alice, overrides, field):
    payload = {"account": str(alice.account_id), "username": "newbie", "password": PASSWORD}
    payload = {k: v for k, v in (payload | overrides).items() if v is not None}
    response = assert_refused_unchanged(root_api, "post", "/api/users/", payload, 400)
    assert_names_field(response, field)
    assert PASSWORD not in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"username": "BOB"}, "username"),
        ({"username": ""}, "username"),
        ({"email": "x@"}, "email"),
        ({"timezone": "Nowhere"}, "timezone"),
    ],
)
def test_bad_user_update_names_the_field_and_changes_nothing(root_api, alice, bob, changes, field):
    response = assert_refused_unchanged(root_api, "patch", f"/api/users/{alice.pk}/", changes, 400)
    assert_names_field(response, field)


@pytest.mark.parametrize(
    "body", [{}, {"password": ""}, {"password": "short"}, {"password": "qwertyuiop"}]
)
def test_bad_new_password_names_the_field_and_changes_nothing(root_api, alice, body):
    response = assert_refused_unchanged(
        root_api, "post", f"/api/users/{alice.pk}/set_password/", body, 400
    )
    assert_names_field(response, "password")
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_nobody_disables_or_deletes_themselves(root_api, root):
    for action in ("disable", "lock"):
        response = assert_refused_unchanged(
            root_api, "post", f"/api/users/{root.pk}/{action}/", None, 400
        )
        assert_names_field(response, "state")
    response = assert_refused_unchanged(root_api, "delete", f"/api/users/{root.pk}/", None, 400)
    assert_names_field(response, "user")


def test_domain_admin_users_within_its_subtree(everyone):
    dadmin, alice, bob, root = (everyone[r] for r in ("dadmin", "alice", "bob", "root"))
    client = api_client(dadmin)
    listing = client.get("/api/users/")
    assert [u["username"] for u in results(listing)] == ["alice", "dadmin"]
    no_secrets(listing, alice, dadmin)
    created = client.post(
        "/api/users/",
        {"account": str(alice.account_id), "username": "carol", "password": PASSWORD},
        format="json",
    )
    assert (
        created.status_code == 201 and User.objects.get(username="carol").account == alice.account
    )
    for account in (bob.account_id, root.account_id):
        invisible = assert_refused_unchanged(
            client,
            "post",
            "/api/users/",
            {"account": str(account), "username": "x", "password": PASSWORD},
            400,
        )
        assert_names_field(invisible, "account")
    assert client.post(f"/api/users/{alice.pk}/disable/").json()["state"] == "disabled"
    assert client.post(f"/api/users/{alice.pk}/enable/").json()["state"] == "enabled"
    assert client.patch(f"/api/users/{alice.pk}/", {"email": "a@example.com"}).status_code == 200
    assert User.objects.get(pk=alice.pk).email == "a@example.com"
    pw = client.post(f"/api/users/{alice.pk}/set_password/", {"password": "Fresh-Phrase-42"})
    assert pw.status_code == 204 and User.objects.get(pk=alice.pk).check_password("Fresh-Phrase-42")
    self_disable = assert_refused_unchanged(
        client, "post", f"/api/users/{dadmin.pk}/disable/", None, 400
    )
    assert_names_field(self_disable, "state")
    for target in (bob, root):
        for method, suffix, data in (
            ("get", "", None),
            ("patch", "", {"first_name": "x"}),
            ("put", "", {"username": "x"}),
            ("delete", "", None),
            ("post", "disable/", None),
            ("post", "enable/", None),
            ("post", "lock/", None),
            ("post", "set_password/", {"password": "Fresh-Phrase-42"}),
        ):
            assert_refused_unchanged(client, method, f"/api/users/{target.pk}/{suffix}", data, 404)
    assert client.delete(f"/api/users/{alice.pk}/").status_code == 204
    assert not User.objects.filter(pk=alice.pk).exists()


def test_domain_admin_of_root_only_views_root_admins(root, root_dadmin):
    client = api_client(root_dadmin)
    assert client.get(f"/api/users/{root.pk}/").json()["username"] == "root"
    for method, suffix, data in (
        ("patch", "", {"first_name": "x"}),
        ("delete", "", None),
        ("post", "disable/", None),
        ("post", "lock/", None),
        ("post", "set_password/", {"password": "Takeover-Phrase-1"}),
    ):
        assert_refused_unchanged(client, method, f"/api/users/{root.pk}/{suffix}", data, 403)
    assert_refused_unchanged(
        client,
        "post",
        "/api/users/",
        {"account": str(root.account_id), "username": "root2", "password": PASSWORD},
        403,
    )
    assert root.check_password(PASSWORD)


def test_user_manages_only_itself(everyone):
    alice, bob, dadmin = everyone["alice"], everyone["bob"], everyone["dadmin"]
    client = api_client(alice)
    listing = client.get("/api/users/")
    assert [u["username"] for u in results(listing)] == ["alice"]
    no_secrets(listing, alice)
    assert (
        client.patch(f"/api/users/{alice.pk}/", {"first_name": "Al"}).json()["first_name"] == "Al"
    )
    put = client.put(f"/api/users/{alice.pk}/", {"username": "alice", "timezone": "Asia/Tokyo"})
    assert put.status_code == 200 and User.objects.get(pk=alice.pk).timezone == "Asia/Tokyo"
    url = f"/api/users/{alice.pk}/set_password/"
    response = assert_refused_unchanged(client, "post", url, {"password": "Own-Choice-Pass-5"}, 400)
    assert_names_field(response, "current_password")
    pw = client.post(url, {"password": "Own-Choice-Pass-5", "current_password": PASSWORD})
    assert pw.status_code == 204
    assert User.objects.get(pk=alice.pk).check_password("Own-Choice-Pass-5")
    for action in ("disable", "lock"):
        response = assert_refused_unchanged(
            client, "post", f"/api/users/{alice.pk}/{action}/", None, 400
        )
        assert_names_field(response, "state")
    assert_refused_unchanged(client, "delete", f"/api/users/{alice.pk}/", None, 403)
    assert_refused_unchanged(
        client,
        "post",
        "/api/users/",
        {"account": str(alice.account_id), "username": "x", "password": PASSWORD},
        403,
    )
    invisible = assert_refused_unchanged(
        client,
        "post",
        "/api/users/",
        {"account": str(bob.account_id), "username": "x", "password": PASSWORD},
        400,
    )
    assert_names_field(invisible, "account")
    for target in (bob, dadmin):
        for method, suffix, data in (
            ("get", "", None),
            ("patch", "", {"first_name": "x"}),
            ("delete", "", None),
            ("post", "enable/", None),
            ("post", "set_password/", {"password": "Hijack-Phrase-123"}),
        ):
            assert_refused_unchanged(client, method, f"/api/users/{target.pk}/{suffix}", data, 404)


def test_user_filters_search_and_pagination(root_api, everyone, ops, eng):
    for i in range(3):
        factories.user(account=everyone["alice"].account, username=f"ops{i}", email=f"o{i}@x.org")

    def names(query):
        return [u["username"] for u in results(root_api.get(f"/api/users/?{query}"))]

    assert names(f"account={everyone['alice'].account_id}") == ["alice", "ops0", "ops1", "ops2"]
    assert names(f"domain={ops.pk}") == ["alice", "ops0", "ops1", "ops2"]
    assert names(f"domain={eng.pk}") == ["dadmin"]
    assert names("username=BOB") == ["bob"]
    assert names("search=o1@x") == ["ops1"]
    User.objects.filter(username="ops2").update(state=UserState.DISABLED)
    assert names("state=disabled") == ["ops2"]
    page = root_api.get("/api/users/?limit=3&offset=3").json()
    assert_page(page, count=7, size=3)
    assert page["next"] and page["previous"]
    assert_names_field(root_api.get("/api/users/?account=1"), "account")
    assert_names_field(root_api.get("/api/users/?state=sleepy"), "state")


# --- projects -----------------------------------------------------------------------------


def test_root_admin_project_crud_members_and_states(root_api, alice, ops, sales):
    owner = alice.account
    other = factories.account(domain=ops, name="others")
    created = root_api.post(
        "/api/projects/",
        {"domain": str(ops.pk), "name": "release", "owner": str(owner.pk), "display_text": "R"},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["state"] == "active" and body["owner"] == str(owner.pk)
    project = Project.objects.get(pk=body["id"])
    assert root_api.get(f"/api/projects/{project.pk}/").json() == body
    members = root_api.get(f"/api/projects/{project.pk}/members/")
    assert [(m["account"], m["role"]) for m in members.json()] == [(str(owner.pk), "admin")]

    put = root_api.put(
        f"/api/projects/{project.pk}/",
        {"name": "release-2", "display_text": "", "domain": str(sales.pk)},
        format="json",
    )
    assert put.status_code == 200
    project.refresh_from_db()
    assert (project.name, project.display_text, project.domain_id) == ("release-2", "", ops.pk)
    new_owner = root_api.patch(
        f"/api/projects/{project.pk}/", {"owner": str(other.pk)}, format="json"
    )
    assert new_owner.status_code == 200 and new_owner.json()["owner"] == str(other.pk)
    assert project.memberships.get(account=other).role == "admin"

    for action, state in (("suspend", "suspended"), ("activate", "active")):
        response = root_api.post(f"/api/projects/{project.pk}/{action}/")
        assert response.status_code == 200 and response.json()["state"] == state
        assert Project.objects.get(pk=project.pk).state == state

    guest = factories.account(domain=ops, name="guests")
    added = root_api.post(
        f"/api/projects/{project.pk}/members/",
        {"account": str(guest.pk), "role": "admin"},
        format="json",
    )
    assert added.status_code == 201
    assert (added.json()["account_name"], added.json()["role"]) == ("guests", "admin")
    assert project.memberships.get(account=guest).role == "admin"
    removed = root_api.delete(f"/api/projects/{project.pk}/members/?account={guest.pk}")
    assert removed.status_code == 204 and not project.memberships.filter(account=guest).exists()

    assert root_api.delete(f"/api/projects/{project.pk}/").status_code == 204
    assert not Project.objects.filter(pk=project.pk).exists()
    assert not ProjectMembership.objects.filter(project_id=project.pk).exists()


@pytest.fixture
def project_payload(alice, ops):
    return {"domain": str(ops.pk), "name": "fresh", "owner": str(alice.account_id)}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"domain": None}, "domain"),
        ({"domain": "nope"}, "domain"),
        ({"domain": str(uuid.uuid4())}, "domain"),
        ({"owner": None}, "owner"),
        ({"owner": str(uuid.uuid4())}, "owner"),
        ({"name": None}, "name"),
        ({"name": ""}, "name"),
        ({"name": "p" * 101}, "name"),
        ({"name": "OPS-PROJ"}, "name"),  # taken in the domain, case-insensitively
        ({"display_text": "d" * 256}, "display_text"),
    ],
)
def test_bad_project_input_names_the_field_and_changes_nothing(
    root_api, ops_project, project_payload, overrides, field
):
    payload = {k: v for k, v in (project_payload | overrides).items() if v is not None}
    response = assert_refused_unchanged(root_api, "post", "/api/projects/", payload, 400)
    assert_names_field(response, field)


def test_project_owner_must_belong_to_its_domain(root_api, ops_project, bob, ops):
    response = assert_refused_unchanged(
        root_api,
        "post",
        "/api/projects/",
        {"domain": str(ops.pk), "name": "x", "owner": str(bob.account_id)},
        400,
    )
    assert_names_field(response, "owner")
    response = assert_refused_unchanged(
        root_api, "patch", f"/api/projects/{ops_project.pk}/", {"owner": str(bob.account_id)}, 400
    )
    assert_names_field(response, "owner")
    factories.project(owner=ops_project.owner, name="taken")
    response = assert_refused_unchanged(
        root_api, "patch", f"/api/projects/{ops_project.pk}/", {"name": "TAKEN"}, 400
    )
    assert_names_field(response, "name")


def test_bad_membership_input_names_the_field_and_changes_nothing(
    root_api, ops_project, bob, dadmin
):
    members = f"/api/projects/{ops_project.pk}/members/"
    owner = ops_project.owner_id
    for body, field in (
        ({}, "account"),
        ({"account": "nope"}, "account"),
        ({"account": str(uuid.uuid4())}, "account"),
        ({"account": str(owner)}, "account"),  # already a member
        ({"account": str(bob.account_id)}, "account"),  # outside the project's domain tree
        ({"account": str(dadmin.account_id), "role": "boss"}, "role"),
    ):
        response = assert_refused_unchanged(root_api, "post", members, body, 400)
        assert_names_field(response, field)
    for query in (
        "",
        "?account=",
        "?account=nope",
        f"?account={uuid.uuid4()}",
        f"?account={owner}",  # the owner cannot leave
        f"?account={dadmin.account_id}",  # not a member
    ):
        response = assert_refused_unchanged(root_api, "delete", members + query, None, 400)
        assert_names_field(response, "account")


def test_domain_admin_projects_within_its_subtree(everyone, ops, sales, ops_project, sales_project):
    dadmin, alice, bob = everyone["dadmin"], everyone["alice"], everyone["bob"]
    client = api_client(dadmin)
    assert [p["name"] for p in results(client.get("/api/projects/"))] == ["ops-proj"]
    created = client.post(
        "/api/projects/",
        {"domain": str(ops.pk), "name": "by-admin", "owner": str(alice.account_id)},
    )
    assert created.status_code == 201 and Project.objects.filter(name="by-admin").exists()
    invisible = assert_refused_unchanged(
        client,
        "post",
        "/api/projects/",
        {"domain": str(sales.pk), "name": "x", "owner": str(bob.account_id)},
        400,
    )
    assert_names_field(invisible, "domain")
    assert_names_field(invisible, "owner")
    assert client.post(f"/api/projects/{ops_project.pk}/suspend/").json()["state"] == "suspended"
    added = client.post(
        f"/api/projects/{ops_project.pk}/members/", {"account": str(dadmin.account_id)}
    )
    assert added.status_code == 201
    assert ops_project.memberships.filter(account_id=dadmin.account_id).exists()
    for method, suffix, data in (
        ("get", "", None),
        ("patch", "", {"name": "x"}),
        ("delete", "", None),
        ("post", "suspend/", None),
        ("get", "members/", None),
        ("post", "members/", {"account": str(dadmin.account_id)}),
        ("delete", f"members/?account={bob.account_id}", None),
    ):
        assert_refused_unchanged(
            client, method, f"/api/projects/{sales_project.pk}/{suffix}", data, 404
        )
    assert client.delete(f"/api/projects/{ops_project.pk}/").status_code == 204


def test_user_creates_and_runs_its_own_projects(everyone, ops, eng):
    alice = everyone["alice"]
    client = api_client(alice)
    created = client.post(
        "/api/projects/", {"domain": str(ops.pk), "name": "mine", "owner": str(alice.account_id)}
    )
    assert created.status_code == 201, created.content
    project = Project.objects.get(pk=created.json()["id"])
    assert client.patch(f"/api/projects/{project.pk}/", {"display_text": "D"}).status_code == 200
    assert client.post(f"/api/projects/{project.pk}/suspend/").json()["state"] == "suspended"
    assert Project.objects.get(pk=project.pk).state == ProjectState.SUSPENDED
    other = factories.account(domain=ops, name="neighbours")
    for payload, field in (
        ({"domain": str(ops.pk), "name": "x", "owner": str(other.pk)}, "owner"),  # invisible
        ({"domain": str(eng.pk), "name": "x", "owner": str(alice.account_id)}, "domain"),
    ):
        response = assert_refused_unchanged(client, "post", "/api/projects/", payload, 400)
        assert_names_field(response, field)
    assert client.delete(f"/api/projects/{project.pk}/").status_code == 204


def test_project_admin_removes_a_member_it_cannot_otherwise_see(everyone, ops_project, bob):
    alice, dadmin = everyone["alice"], everyone["dadmin"]
    project_member_add(project=ops_project, account=dadmin.account, by=None)
    client = api_client(alice)
    members = f"/api/projects/{ops_project.pk}/members/"
    listed = client.get(members).json()
    assert {m["account_name"] for m in listed} == {"ops-team", "eng-admins"}
    # bob's account is neither visible to alice nor a member: exactly like an unknown id.
    invisible = assert_refused_unchanged(
        client, "delete", f"{members}?account={bob.account_id}", None, 400
    )
    unknown = client.delete(f"{members}?account={uuid.uuid4()}")
    same_error_but_the_id(invisible, unknown, "account")
    assert client.delete(f"{members}?account={dadmin.account_id}").status_code == 204
    assert not ops_project.memberships.filter(account=dadmin.account).exists()


def test_regular_member_only_looks(everyone, ops_project, ops):
    dadmin = everyone["dadmin"]
    project = factories.project(owner=factories.account(domain=ops, name="leads"), name="led")
    project_member_add(project=project, account=everyone["alice"].account, by=None)
    client = api_client(everyone["alice"])
    assert [p["name"] for p in results(client.get("/api/projects/"))] == ["led", "ops-proj"]
    assert client.get(f"/api/projects/{project.pk}/").json()["name"] == "led"
    assert len(client.get(f"/api/projects/{project.pk}/members/").json()) == 2
    for method, suffix, data in (
        ("patch", "", {"name": "x"}),
        ("put", "", {"name": "x"}),
        ("delete", "", None),
        ("post", "suspend/", None),
        ("post", "activate/", None),
        ("post", "members/", {"account": str(everyone["alice"].account_id)}),
        ("delete", f"members/?account={everyone['alice'].account_id}", None),
    ):
        assert_refused_unchanged(client, method, f"/api/projects/{project.pk}/{suffix}", data, 403)
    assert client.get(f"/api/projects/{project.pk}/members/").status_code == 200
    assert dadmin  # the domain admin exists, yet alice's view stays hers


def test_projects_of_others_do_not_exist_for_their_actions(everyone, sales_project):
    client = api_client(everyone["alice"])
    for method, suffix in (("post", "activate/"), ("get", "members/")):
        assert_refused_unchanged(
            client, method, f"/api/projects/{sales_project.pk}/{suffix}", None, 404
        )


def test_project_filters_search_and_pagination(root_api, everyone, ops, ops_project, sales):
    bob = everyone["bob"]
    for i in range(3):
        factories.project(owner=bob.account, name=f"s{i}")
    Project.objects.filter(name="s1").update(state=ProjectState.SUSPENDED, display_text="frozen")

    def names(query):
        return [p["name"] for p in results(root_api.get(f"/api/projects/?{query}"))]

    assert names(f"domain={ops.pk}") == ["ops-proj"]
    assert names(f"owner={bob.account_id}") == ["s0", "s1", "s2"]
    assert names("state=suspended") == ["s1"]
    assert names("name=S2") == ["s2"]
    assert names("search=frozen") == ["s1"]
    page = root_api.get(f"/api/projects/?domain={sales.pk}&limit=1&offset=1").json()
    assert_page(page, count=3, size=1)
    assert page["results"][0]["name"] == "s1" and page["next"] and page["previous"]
    assert_names_field(root_api.get("/api/projects/?owner=abc"), "owner")
