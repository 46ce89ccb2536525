"""Each role through the API: root admin, domain admin (of eng) and user (alice in eng/ops).

Commands a role may not call at all are 432 (as CloudStack's role checker answers); a
command it may call on an object it may not touch is 531; an object it cannot see is an
unknown id (431), so nothing leaks.
"""

from __future__ import annotations

import cs
import pytest

from identity.models import Account, AccountState, Domain, Project, User, UserState
from identity.services import project_member_add
from regions.models import Region
from tests import factories
from tests.factories import PASSWORD


def status_of(call, *args, **kwargs) -> int:
    with pytest.raises(cs.CloudStackApiException) as caught:
        call(*args, **kwargs)
    return caught.value.response.status_code


def job_status(call, *args, **kwargs) -> int:
    with pytest.raises(cs.CloudStackApiException) as caught:
        call(*args, **kwargs)
    return caught.value.error["errorcode"]


@pytest.mark.parametrize(
    ("command", "params"),
    [
        ("addRegion", {"id": 5, "name": "r5", "endpoint": "http://r5.example"}),
        ("updateRegion", {"id": 1, "name": "x"}),
        ("removeRegion", {"id": 1}),
        ("createZone", {"name": "z", "networktype": "Basic", "dns1": "1.1.1.1"}),
        ("deleteZone", {"id": "00000000-0000-4000-8000-000000000009"}),
    ],
)
def test_only_root_admins_manage_regions_and_zones(dadmin_cs, alice_cs, command, params):
    for client in (dadmin_cs, alice_cs):
        assert status_of(getattr(client, command), **params) == 432
    assert Region.objects.count() == 1


def test_a_refused_command_names_itself_and_the_account(dadmin_cs, region):
    with pytest.raises(cs.CloudStackApiException) as caught:
        dadmin_cs.addRegion(id=5, name="r5", endpoint="http://r5.example")
    assert caught.value.error == {
        "uuidList": [],
        "errorcode": 432,
        "cserrorcode": 4555,
        "errortext": "The API [addRegion] does not exist or is not available for the account "
        "eng-admins.",
    }


def test_everyone_lists_regions_and_zones(dadmin_cs, alice_cs, zone):
    for client in (dadmin_cs, alice_cs):
        assert client.listRegions()["count"] == 1
        assert client.listZones()["count"] == 1


def test_a_domain_admin_manages_below_their_domain(dadmin_cs, dadmin, eng, ops, alice, bob):
    created = dadmin_cs.createDomain(name="qa", parentdomainid=str(eng.pk))["domain"]
    assert created["path"] == "ROOT/eng/qa"
    account = dadmin_cs.createAccount(
        username="ivan", password=PASSWORD, accounttype=0, domainid=created["id"]
    )["account"]
    assert account["domainpath"] == "ROOT/eng/qa"
    assert dadmin_cs.disableUser(id=str(alice.pk))["user"]["state"] == "disabled"
    visible = {a["name"] for a in dadmin_cs.listAccounts(listall=True)["account"]}
    assert visible == {"eng-admins", "ops-team", "ivan"}
    assert "sales-team" not in visible


def test_a_domain_admin_cannot_reach_outside_their_tree(dadmin_cs, bob, sales):
    # Invisible objects are unknown ids; ROOT as a parent is visible to nobody but root.
    assert status_of(dadmin_cs.updateUser, id=str(bob.pk), firstname="x") == 431
    assert status_of(dadmin_cs.createDomain, name="x", parentdomainid=str(sales.pk)) == 431
    assert status_of(dadmin_cs.createDomain, name="x") == 531  # default parent: ROOT
    assert not Domain.objects.filter(name="x").exists()
    bob.refresh_from_db()
    assert bob.first_name == ""


def test_a_domain_admin_cannot_change_their_own_domain_or_account(dadmin_cs, dadmin, eng):
    assert status_of(dadmin_cs.updateDomain, id=str(eng.pk), name="renamed") == 531
    assert job_status(dadmin_cs.deleteAccount, id=str(dadmin.account_id)) == 531
    assert job_status(dadmin_cs.disableAccount, id=str(dadmin.account_id), lock=True) == 531
    eng.refresh_from_db()
    assert eng.name == "eng"
    assert Account.objects.get(pk=dadmin.account_id).state == AccountState.ENABLED


def test_a_domain_admin_of_root_cannot_take_over_root_admins(client_for, root):
    admin = factories.domain_admin(domain=root.account.domain)
    client = client_for(admin)
    assert status_of(client.updateUser, id=str(root.pk), firstname="x") == 531
    assert status_of(client.registerUserKeys, id=str(root.pk)) == 531
    assert status_of(client.getUserKeys, id=str(root.pk)) == 531
    assert job_status(client.disableUser, id=str(root.pk)) == 531
    root.refresh_from_db()
    assert (root.first_name, root.state) == ("", UserState.ENABLED)


@pytest.mark.parametrize(
    ("command", "params"),
    [
        ("createDomain", {"name": "x"}),
        ("createAccount", {"username": "x", "password": PASSWORD, "accounttype": 0}),
        ("createUser", {"username": "x", "password": PASSWORD, "account": "ops-team"}),
        ("enableUser", {"id": "00000000-0000-4000-8000-000000000009"}),
        ("deleteAccount", {"id": "00000000-0000-4000-8000-000000000009"}),
    ],
)
def test_users_cannot_call_admin_commands(alice_cs, alice, command, params):
    assert status_of(getattr(alice_cs, command), **params) == 432
    assert not User.objects.filter(username="x").exists()


def test_a_user_sees_and_edits_only_themselves(alice_cs, alice, bob):
    assert [u["username"] for u in alice_cs.listUsers(listall=True)["user"]] == ["alice"]
    assert [a["name"] for a in alice_cs.listAccounts(listall=True)["account"]] == ["ops-team"]
    assert [d["path"] for d in alice_cs.listDomains(listall=True)["domain"]] == ["ROOT/eng/ops"]
    assert alice_cs.updateUser(id=str(alice.pk), firstname="Alice")["user"]["firstname"] == "Alice"
    assert status_of(alice_cs.updateUser, id=str(bob.pk), firstname="x") == 431
    assert status_of(alice_cs.getUserKeys, id=str(bob.pk)) == 431


def test_a_user_manages_their_own_keys(alice_cs, cs_client, alice, zone):
    keys = alice_cs.registerUserKeys(id=str(alice.pk))["userkeys"]
    assert cs_client(keys["apikey"], keys["secretkey"]).listZones()["count"] == 1
    # alice_cs signed with the pair that was just replaced.
    assert status_of(alice_cs.listZones) == 401


def test_a_user_cannot_create_projects_for_another_account(alice_cs, bob):
    assert (
        status_of(
            alice_cs.createProject,
            name="p",
            account="sales-team",
            domainid=str(bob.account.domain_id),
        )
        == 431  # sales is not alice's to see
    )


def test_a_user_cannot_delete_a_project_they_only_belong_to(alice_cs, alice):
    neighbour = factories.account(domain=alice.account.domain, name="neighbours")
    project = factories.project(owner=neighbour, name="shared")
    project_member_add(project=project, account=alice.account, by=None)
    assert [p["name"] for p in alice_cs.listProjects()["project"]] == ["shared"]
    assert job_status(alice_cs.deleteProject, id=str(project.pk)) == 531
    assert Project.objects.filter(pk=project.pk).exists()
