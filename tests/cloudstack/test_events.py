"""listEvents answers from the change log, in CloudStack's event shape and list scope."""

from __future__ import annotations

import cs
import pytest

from identity.models import Domain
from portal.models import AsyncJob, ObjectChange


def events(client, **params) -> list[dict]:
    return client.listEvents(**params).get("event", [])


def test_a_command_is_an_event_with_cloudstacks_fields(root_cs, root, eng):
    made = root_cs.createDomain(name="qa", parentdomainid=str(eng.pk))["domain"]
    (event,) = [
        e
        for e in events(root_cs, type="DOMAIN.CREATE", listall=True)
        if e["resourceid"] == made["id"]
    ]
    assert set(event) == {
        "id",
        "username",
        "type",
        "level",
        "description",
        "account",
        "domainid",
        "domain",
        "created",
        "state",
        "resourceid",
        "resourcetype",
        "resourcename",
    }
    assert (event["username"], event["account"], event["domain"]) == (
        "root",
        root.account.name,
        "ROOT",
    )
    assert (event["type"], event["level"], event["state"]) == ("DOMAIN.CREATE", "INFO", "Completed")
    assert event["description"] == "Created domain ROOT/eng/qa"
    assert event["domainid"] == str(root.account.domain_id)
    assert event["created"].endswith("+0000")


def test_an_async_jobs_writes_carry_the_job_id(root_cs, alice):
    root_cs.disableAccount(id=str(alice.account_id), lock=False)
    job = AsyncJob.objects.get(command="disableAccount")
    entry = ObjectChange.objects.get(object_id=str(alice.account_id), action="update")
    assert (entry.request_id, entry.actor_name) == (str(job.pk), "root")
    (event,) = events(root_cs, type="ACCOUNT.UPDATE", listall=True)
    assert event["resourceid"] == str(alice.account_id)


def test_users_see_their_accounts_events_and_admins_their_subtree(
    root_cs, alice_cs, dadmin_cs, alice, dadmin, bob, ops
):
    alice_cs.updateUser(id=str(alice.pk), firstname="Alicia")
    dadmin_cs.createDomain(name="qa", parentdomainid=str(ops.pk))
    root_cs.createDomain(name="top")
    mine = events(alice_cs, listall=True)
    assert [e["username"] for e in mine] == [alice.username]
    theirs = {e["username"] for e in events(dadmin_cs, listall=True)}
    assert theirs == {alice.username, dadmin.username}
    assert "root" in {e["username"] for e in events(root_cs, listall=True)}
    # without listall: the caller's own domain only
    assert {e["username"] for e in events(dadmin_cs)} == {dadmin.username}


def test_filters_type_level_keyword_and_dates(root_cs, eng):
    root_cs.createDomain(name="qa", parentdomainid=str(eng.pk))
    assert events(root_cs, listall=True, type="domain.create")
    assert events(root_cs, listall=True, type="DOMAIN.DELETE") == []
    assert events(root_cs, listall=True, type="NOPE.CREATE") == []
    assert events(root_cs, listall=True, level="INFO")
    assert events(root_cs, listall=True, level="ERROR") == []
    assert events(root_cs, listall=True, keyword="eng/qa")
    assert events(root_cs, listall=True, keyword="nothing-like-it") == []
    assert events(root_cs, listall=True, startdate="2000-01-01", enddate="2999-01-01 00:00:00")
    assert events(root_cs, listall=True, startdate="2999-01-01") == []


def test_a_malformed_date_is_a_431_naming_it(root_cs):
    with pytest.raises(cs.CloudStackApiException) as caught:
        root_cs.listEvents(startdate="yesterday")
    assert caught.value.response.status_code == 431
    assert "startdate" in caught.value.error["errortext"]


def test_one_event_by_id_and_paging(root_cs, eng):
    for name in ("a", "b", "c"):
        root_cs.createDomain(name=name, parentdomainid=str(eng.pk))
    listed = root_cs.listEvents(
        listall=True, keyword="/eng/", type="DOMAIN.CREATE", page=1, pagesize=2
    )
    assert listed["count"] == 3 and len(listed["event"]) == 2
    rest = root_cs.listEvents(
        listall=True, keyword="/eng/", type="DOMAIN.CREATE", page=2, pagesize=2
    )
    assert len(rest["event"]) == 1 and rest["event"][0] not in listed["event"]
    (one,) = events(root_cs, id=listed["event"][0]["id"])
    assert one == listed["event"][0]
    assert Domain.objects.filter(name__in=["a", "b", "c"]).count() == 3
