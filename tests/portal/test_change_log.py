"""The change log (portal.audit): every write, with who made it and in which request or job."""

from __future__ import annotations

import datetime

import pytest

from identity.models import Domain, User
from identity.services import (
    domain_create,
    domain_delete,
    domain_update,
    user_password_change,
    user_update,
)
from identity.services.imports import users_import
from portal import audit
from portal.declarations import declaration
from portal.models import AsyncJob, ChangeAction, ObjectChange
from regions.federation.replication.recorder import applying_remote, deciding_here
from regions.models import PeerLink
from tests.api_helpers import api_client

pytestmark = pytest.mark.django_db


def changes_of(obj) -> list[ObjectChange]:
    return list(ObjectChange.objects.filter(object_id=str(obj.pk)).order_by("time"))


def test_a_page_write_is_logged_with_the_user_and_the_request_id(root_client, root, eng):
    response = root_client.post("/identity/domains/add/", {"parent": eng.pk, "name": "qa"})
    assert response.status_code == 302
    domain = Domain.objects.get(name="qa")
    (entry,) = changes_of(domain)
    assert (entry.action, entry.model, entry.object_repr) == (
        "create",
        "identity.Domain",
        "ROOT/eng/qa",
    )
    assert (entry.actor_id, entry.actor_name) == (root.pk, root.username)
    assert entry.actor_account_id == root.account_id
    assert entry.actor_domain_id == root.account.domain_id
    assert entry.request_id == response["X-Request-ID"]
    assert entry.data["name"] == "qa" and entry.data["parent"] == str(eng.pk)


def test_a_rest_write_is_logged_with_the_token_or_session_user(dadmin, alice):
    client = api_client(dadmin)
    response = client.patch(f"/api/users/{alice.pk}/", {"first_name": "Alicia"}, format="json")
    assert response.status_code == 200, response.content
    (entry,) = [c for c in changes_of(alice) if c.action == ChangeAction.UPDATE]
    assert entry.actor_id == dadmin.pk
    assert entry.request_id == response["X-Request-ID"]
    assert entry.data["first_name"] == "Alicia"


def test_every_request_gets_its_own_id(anon_client):
    first, second = anon_client.get("/health/"), anon_client.get("/health/")
    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_a_client_cannot_choose_the_request_id(root_client, eng):
    response = root_client.post(
        "/identity/domains/add/", {"parent": eng.pk, "name": "qa"}, HTTP_X_REQUEST_ID="forged"
    )
    assert response["X-Request-ID"] != "forged"
    assert not ObjectChange.objects.filter(request_id="forged").exists()


def test_a_write_with_nobody_acting_is_the_systems(eng):
    domain = domain_create(parent=eng, name="qa", by=None)
    (entry,) = changes_of(domain)
    assert (entry.actor_id, entry.actor_name, entry.actor_region) == (None, "", None)
    assert entry.request_id == ""


def test_an_edit_that_changes_nothing_logs_nothing(root, ops):
    before = ObjectChange.objects.count()
    domain_update(domain=ops, by=root, name=ops.name)
    user_update(user=root, by=root, first_name=root.first_name)
    assert ObjectChange.objects.count() == before


def test_a_password_is_named_but_never_shown(root, alice):
    user_password_change(
        user=alice, password="An0ther-long-secret!", current_password=None, by=root
    )
    entry = ObjectChange.objects.filter(object_id=str(alice.pk)).latest("time")
    assert entry.data["password"] == audit.HIDDEN
    assert "pbkdf2" not in str(entry.data) and "An0ther" not in str(entry.data)


def test_a_sign_in_stamp_is_no_change(alice):
    before = ObjectChange.objects.count()
    alice.last_login = datetime.datetime.now(datetime.UTC)
    alice.save(update_fields=["last_login"])
    assert ObjectChange.objects.count() == before


def test_a_delete_is_logged_and_its_rows_outlive_the_object(root, ops):
    domain = domain_create(parent=ops, name="gone", by=root)
    key = str(domain.pk)
    domain_delete(domain=domain, by=root)
    actions = [c.action for c in ObjectChange.objects.filter(object_id=key)]
    assert sorted(actions) == ["create", "delete"]


def test_a_refused_write_logs_nothing(alice_client, ops):
    before = ObjectChange.objects.count()
    response = alice_client.post("/identity/domains/add/", {"parent": ops.pk, "name": "qa"})
    assert response.status_code == 403
    assert ObjectChange.objects.count() == before


def test_a_peers_change_applied_here_is_not_logged_again_but_what_we_decide_is(eng):
    with applying_remote():
        applied = domain_create(parent=eng, name="from-peer", by=None)
        with audit.acting(region=7), deciding_here():
            decided = domain_update(domain=applied, by=None, name="from-peer-renamed")
    entries = ObjectChange.objects.filter(object_id=str(decided.pk))
    assert [(e.action, e.actor_region, e.actor_name) for e in entries] == [("update", 7, "")]


def test_bulk_imported_users_are_logged_in_one_go(root, alice):
    rows = [{"username": f"imp{i}", "password": "A-long-enough-pass-1"} for i in range(5)]
    with audit.acting(user=root, request_id="req-1"):
        users = users_import(account=alice.account, rows=rows, by=root)
    logged = ObjectChange.objects.filter(object_id__in=[str(u.pk) for u in users])
    assert logged.count() == 5
    assert {(e.action, e.actor_id, e.request_id) for e in logged} == {("create", root.pk, "req-1")}
    assert all(e.data["password"] == audit.HIDDEN for e in logged)


def test_bookkeeping_models_are_not_logged():
    assert not declaration(AsyncJob).logs_changes
    assert not declaration(PeerLink).logs_changes
    assert not declaration(ObjectChange).logs_changes
    assert declaration(User).logs_changes
