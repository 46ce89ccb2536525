"""The change log's pages: the cloud-wide list (root admins) and every object's Changes tab."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from identity.services import domain_create, domain_update
from portal import audit
from portal.models import ObjectChange
from regions.configuration.services import setting_update
from regions.federation.change_log.selectors import PAGE_SIZE
from regions.federation.change_log.services import change_log_purge
from regions.models import Region
from tests.api_helpers import api_client
from tests.db_state import db_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def qa(root, eng):
    with audit.acting(user=root, request_id="req-qa"):
        return domain_create(parent=eng, name="qa", by=root)


def ids_on(response) -> list[str]:
    return [row["id"] for row in response.context["changes"]]


def test_root_admins_see_every_change_with_who_and_which_request(root_client, root, qa):
    response = root_client.get("/changes/")
    assert response.status_code == 200
    (row,) = [r for r in response.context["changes"] if r["object_id"] == str(qa.pk)]
    assert (row["actor"], row["action"], row["request_id"]) == ("root", "create", "req-qa")
    assert row["region_name"] == "east"
    body = response.content.decode()
    assert "req-qa" in body and f"/changes/identity.Domain/{qa.pk}/" in body


@pytest.mark.parametrize("who", ["dadmin_client", "alice_client"])
def test_others_are_refused(request, who, qa):
    client = request.getfixturevalue(who)
    for path in ("/changes/", f"/changes/identity.Domain/{qa.pk}/"):
        assert client.get(path).status_code == 403


def test_signed_out_goes_to_sign_in(anon_client, qa):
    response = anon_client.get("/changes/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_filters_by_user_type_action_and_time(root_client, root, dadmin, qa, ops):
    with audit.acting(user=dadmin):
        domain_update(domain=qa, by=dadmin, name="qa2")
    by_dadmin = root_client.get("/changes/", {"user": dadmin.username.upper()})
    assert {r["actor"] for r in by_dadmin.context["changes"]} == {dadmin.username}
    by_id = root_client.get("/changes/", {"user": str(dadmin.pk)})
    assert ids_on(by_id) == ids_on(by_dadmin)
    updates = root_client.get("/changes/", {"model": "identity.Domain", "action": "update"})
    assert [r["object_repr"] for r in updates.context["changes"]] == ["ROOT/eng/qa2"]
    future = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)).isoformat()
    assert root_client.get("/changes/", {"since": future}).context["changes"] == []
    assert root_client.get("/changes/", {"until": future}).context["changes"]


def test_bad_filters_are_named_and_list_nothing(root_client, qa):
    response = root_client.get(
        "/changes/", {"since": "last tuesday", "region": "east", "action": "explode"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"since", "region", "action"}
    assert response.context["changes"] == []


@pytest.mark.parametrize(
    "query",
    [
        {"model": "nope.Model"},
        {"region": "99"},
        {"user": "nobody-at-all"},
        {"since": "2026-12-05T10:00", "until": "2026-12-01T00:00"},
    ],
)
def test_filters_that_name_nothing_list_nothing(root_client, qa, query):
    response = root_client.get("/changes/", query)
    assert response.status_code == 200
    assert not response.context["form"].errors
    assert response.context["changes"] == []


def test_pages_follow_a_cursor_without_repeating_or_skipping(root_client, root, eng):
    with audit.acting(user=root):
        for index in range(PAGE_SIZE + 7):
            domain_create(parent=eng, name=f"d{index}", by=root)
    total = ObjectChange.objects.count()
    seen, query = [], {}
    while True:
        response = root_client.get("/changes/", query)
        seen += ids_on(response)
        if not response.context["next_cursor"]:
            break
        query = {"before": response.context["next_cursor"]}
    assert len(seen) == len(set(seen)) == total


def test_a_region_that_does_not_answer_is_named_and_the_rest_listed(root_client, qa):
    Region.objects.create(id=9, name="down", endpoint="http://127.0.0.1:9")
    response = root_client.get("/changes/")
    assert [r.name for r in response.context["unreachable"]] == ["down"]
    assert str(qa.pk) in {r["object_id"] for r in response.context["changes"]}
    assert "Region down did not answer" in response.content.decode()


def test_the_object_page_has_a_changes_tab_showing_what_changed(root_client, root, qa):
    with audit.acting(user=root):
        domain_update(domain=qa, by=root, name="qa-renamed")
    detail = root_client.get(f"/identity/domains/{qa.pk}/")
    tab = f"/changes/identity.Domain/{qa.pk}/"
    assert tab in detail.content.decode()
    response = root_client.get(tab)
    assert response.status_code == 200
    newest, oldest = response.context["changes"]
    assert (newest["action"], oldest["action"]) == ("update", "create")
    assert ("name", "qa", "qa-renamed") in newest["differences"]
    assert ("name", None, "qa") in oldest["differences"]


def test_the_tab_is_only_for_those_who_may_read_the_log(dadmin_client, qa):
    detail = dadmin_client.get(f"/identity/domains/{qa.pk}/")
    assert detail.status_code == 200
    assert "/changes/" not in detail.content.decode()


def test_an_unknown_type_is_not_found(root_client):
    assert root_client.get("/changes/nope.Model/1/").status_code == 404
    assert root_client.get("/changes/portal.AsyncJob/1/").status_code == 404  # not logged


def test_the_peer_endpoint_refuses_unsigned_calls_and_changes_nothing(region, qa):
    before = db_state()
    response = Client().get("/api/peer/change-log/")
    assert response.status_code == 403
    assert db_state() == before


def test_changes_older_than_the_purge_delay_go(root, qa):
    setting_update(name="event.purge.delay", value=10, by=root)
    ObjectChange.objects.filter(object_id=str(qa.pk)).update(
        time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=11)
    )
    kept = ObjectChange.objects.exclude(object_id=str(qa.pk)).count()
    assert change_log_purge() == 1
    assert ObjectChange.objects.count() == kept
    setting_update(name="event.purge.delay", value=0, by=root)
    ObjectChange.objects.update(time=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC))
    assert change_log_purge() == 0 and ObjectChange.objects.count() == kept + 1


def test_the_rest_list_is_the_pages(root, dadmin, qa):
    answer = api_client(root).get("/api/changes/", {"model": "identity.Domain"})
    assert answer.status_code == 200
    body = answer.json()
    (row,) = [r for r in body["results"] if r["object_id"] == str(qa.pk)]
    assert (row["actor_name"], row["request_id"], row["region"]) == ("root", "req-qa", 1)
    assert body["unreachable"] == [] and body["next"] is None
    assert api_client(dadmin).get("/api/changes/").status_code == 403
    assert api_client(None).get("/api/changes/").status_code in (401, 403)


def test_the_rest_list_names_a_bad_filter(root, qa):
    client = api_client(root)
    answer = client.get("/api/changes/", {"action": "explode", "since": "soon"})
    assert answer.status_code == 400
    assert set(answer.json()) == {"action", "since"}
    answer = client.get("/api/changes/", {"before": "yesterday"})
    assert answer.status_code == 404 and set(answer.json()) == {"before"}


def test_the_rest_list_refuses_an_empty_filter(root, qa):
    answer = api_client(root).get("/api/changes/?until=&user=")
    assert answer.status_code == 400
    assert set(answer.json()) == {"until", "user"}


def test_the_dashboard_shows_root_admins_this_regions_newest_changes(
    root_client, dadmin_client, qa
):
    page = root_client.get("/")
    assert page.status_code == 200
    assert str(qa.pk) in {row["object_id"] for row in page.context["changes"]}
    assert "Recent changes in this region" in page.content.decode()
    other = dadmin_client.get("/")
    assert other.context["changes"] is None
    assert "Recent changes in this region" not in other.content.decode()
