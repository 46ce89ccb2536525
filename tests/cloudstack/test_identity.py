"""Domains, accounts, users, projects and API keys through the `cs` client; the async
commands (deleteDomain, deleteAccount, disableAccount, disableUser, createProject,
deleteProject) are polled to their result as `cs` does with fetch_result."""

from __future__ import annotations

import cs
import pytest

from identity.models import Account, AccountState, Domain, Project, User, UserState
from identity.selectors import api_key_secret
from tests import factories
from tests.factories import PASSWORD


def api_error(call, *args, **kwargs) -> tuple[int, dict]:
    with pytest.raises(cs.CloudStackApiException) as caught:
        call(*args, **kwargs)
    return caught.value.response.status_code, caught.value.error


def job_error(call, *args, **kwargs) -> dict:
    """The failure of an async job, as `cs` raises it after polling."""
    with pytest.raises(cs.CloudStackApiException) as caught:
        call(*args, **kwargs)
    assert caught.value.args[0] == "Job failure"
    return caught.value.error


# --- domains -------------------------------------------------------------------------------


def test_list_domains_is_the_callers_own_unless_listall(root_cs, ops):
    assert [d["path"] for d in root_cs.listDomains()["domain"]] == ["ROOT"]
    paths = [d["path"] for d in root_cs.listDomains(listall=True)["domain"]]
    assert paths == ["ROOT", "ROOT/eng", "ROOT/eng/ops"]
    ops_listed = root_cs.listDomains(id=str(ops.pk))["domain"][0]
    assert ops_listed["level"] == 2
    assert ops_listed["parentdomainname"] == "eng"
    assert ops_listed["haschild"] is False
    assert root_cs.listDomains(name="eng")["domain"][0]["haschild"] is True


def test_create_update_and_delete_a_domain(root_cs, eng):
    created = root_cs.createDomain(name="qa", parentdomainid=str(eng.pk), networkdomain="qa.lan")
    assert created["domain"]["path"] == "ROOT/eng/qa"
    assert created["domain"]["networkdomain"] == "qa.lan"

    renamed = root_cs.updateDomain(id=created["domain"]["id"], name="quality")
    assert renamed["domain"]["path"] == "ROOT/eng/quality"
    assert Domain.objects.get(pk=created["domain"]["id"]).path == "ROOT/eng/quality"

    assert root_cs.deleteDomain(id=created["domain"]["id"]) == {"success": True}
    assert not Domain.objects.filter(pk=created["domain"]["id"]).exists()


def test_create_domain_defaults_to_a_child_of_root(root_cs, region):
    assert root_cs.createDomain(name="top")["domain"]["path"] == "ROOT/top"


def test_deleting_a_domain_with_accounts_needs_cleanup(root_cs, alice, ops):
    error = job_error(root_cs.deleteDomain, id=str(ops.pk))
    assert error["errorcode"] == 536
    assert "cleanup" in error["errortext"]
    assert Domain.objects.filter(pk=ops.pk).exists()

    assert root_cs.deleteDomain(id=str(ops.pk), cleanup=True) == {"success": True}
    assert not Domain.objects.filter(pk=ops.pk).exists()
    assert not User.objects.filter(pk=alice.pk).exists()


def test_a_duplicate_domain_name_changes_nothing(root_cs, eng):
    before = Domain.objects.count()
    status, error = api_error(root_cs.createDomain, name="ENG")
    assert status == 431
    assert error["errortext"].startswith("name: ")
    assert Domain.objects.count() == before


# --- accounts ------------------------------------------------------------------------------


def test_create_account_makes_the_account_and_its_first_user(root_cs, eng):
    answer = root_cs.createAccount(
        username="carol",
        password=PASSWORD,
        email="carol@example.com",
        firstname="Carol",
        lastname="Jones",
        accounttype=2,
        domainid=str(eng.pk),
        account="eng-ops-admins",
        timezone="Europe/Paris",
    )["account"]
    assert answer["name"] == "eng-ops-admins"
    assert (answer["accounttype"], answer["roletype"], answer["domainpath"]) == (
        2,
        "DomainAdmin",
        "ROOT/eng",
    )
    assert [u["username"] for u in answer["user"]] == ["carol"]
    carol = User.objects.get(username="carol")
    assert (carol.account.name, carol.email, carol.timezone) == (
        "eng-ops-admins",
        "carol@example.com",
        "Europe/Paris",
    )
    assert carol.check_password(PASSWORD)


def test_create_account_names_the_account_after_the_user_by_default(root_cs, region):
    answer = root_cs.createAccount(username="dave", password=PASSWORD, accounttype=0)
    assert answer["account"]["name"] == "dave"
    assert answer["account"]["domainpath"] == "ROOT"


def test_create_account_takes_a_role_id(root_cs, region):
    roles = {a["roletype"]: a["roleid"] for a in root_cs.listAccounts(listall=True)["account"]}
    answer = root_cs.createAccount(username="erin", password=PASSWORD, roleid=roles["Admin"])
    assert answer["account"]["accounttype"] == 1


def test_a_bad_first_user_leaves_no_account_behind(root_cs, eng):
    status, error = api_error(
        root_cs.createAccount, username="frank", password="123", accounttype=0, domainid=str(eng.pk)
    )
    assert status == 431
    assert error["errortext"].startswith("password: ")
    assert not Account.objects.filter(name="frank").exists()
    assert not User.objects.filter(username="frank").exists()


def test_create_account_needs_a_type_or_role(root_cs, region):
    status, error = api_error(root_cs.createAccount, username="gina", password=PASSWORD)
    assert status == 431
    assert "accounttype" in error["errortext"]
    assert not User.objects.filter(username="gina").exists()


def test_list_accounts_scope_and_filters(root_cs, alice, bob, dadmin):
    own_domain = root_cs.listAccounts()
    assert {a["domainpath"] for a in own_domain["account"]} == {"ROOT"}
    everything = {a["name"] for a in root_cs.listAccounts(listall=True)["account"]}
    assert {"ops-team", "sales-team", "eng-admins"} <= everything
    eng = dadmin.account.domain
    in_eng = root_cs.listAccounts(domainid=str(eng.pk))["account"]
    assert [a["name"] for a in in_eng] == ["eng-admins"]
    below = root_cs.listAccounts(domainid=str(eng.pk), isrecursive=True)["account"]
    assert {a["name"] for a in below} == {"eng-admins", "ops-team"}
    assert root_cs.listAccounts(listall=True, name="sales-team")["count"] == 1
    assert root_cs.listAccounts(listall=True, accounttype=2)["account"][0]["name"] == "eng-admins"


def test_update_enable_disable_lock_and_delete_an_account(root_cs, alice):
    account = alice.account
    renamed = root_cs.updateAccount(id=str(account.pk), newname="ops-people")
    assert renamed["account"]["name"] == "ops-people"

    disabled = root_cs.disableAccount(id=str(account.pk), lock=False)
    assert disabled["account"]["state"] == "disabled"
    account.refresh_from_db()
    assert account.state == AccountState.DISABLED

    locked = root_cs.disableAccount(
        account="ops-people", domainid=str(account.domain_id), lock=True
    )
    assert locked["account"]["state"] == "locked"

    enabled = root_cs.enableAccount(id=str(account.pk))
    assert enabled["account"]["state"] == "enabled"

    assert root_cs.deleteAccount(id=str(account.pk)) == {"success": True}
    assert not Account.objects.filter(pk=account.pk).exists()


def test_disable_account_requires_lock(root_cs, alice):
    status, error = api_error(root_cs.disableAccount, id=str(alice.account_id))
    assert status == 431
    assert error["errortext"].endswith("missing parameter lock")
    alice.account.refresh_from_db()
    assert alice.account.state == AccountState.ENABLED


def test_deleting_an_account_that_owns_projects_fails_in_the_job(root_cs, alice):
    factories.project(owner=alice.account, name="keep")
    error = job_error(root_cs.deleteAccount, id=str(alice.account_id))
    assert error["errorcode"] == 536
    assert Account.objects.filter(pk=alice.account_id).exists()


# --- users ---------------------------------------------------------------------------------


def test_create_update_enable_disable_and_delete_a_user(root_cs, alice):
    created = root_cs.createUser(
        username="henry",
        password=PASSWORD,
        account="ops-team",
        domainid=str(alice.account.domain_id),
        firstname="Henry",
    )["user"]
    assert (created["account"], created["firstname"], created["state"]) == (
        "ops-team",
        "Henry",
        "enabled",
    )
    henry = User.objects.get(pk=created["id"])

    updated = root_cs.updateUser(id=created["id"], lastname="Ford", email="h@example.com")
    assert (updated["user"]["lastname"], updated["user"]["email"]) == ("Ford", "h@example.com")

    assert root_cs.disableUser(id=created["id"])["user"]["state"] == "disabled"
    henry.refresh_from_db()
    assert henry.state == UserState.DISABLED
    assert root_cs.enableUser(id=created["id"])["user"]["state"] == "enabled"

    assert root_cs.deleteUser(id=created["id"]) == {"success": True}
    assert not User.objects.filter(pk=henry.pk).exists()


def test_update_user_password_then_log_in_with_it(root_cs, alice):
    root_cs.updateUser(id=str(alice.pk), password="a-new-long-passphrase-7")
    alice.refresh_from_db()
    assert alice.check_password("a-new-long-passphrase-7")


def test_update_user_is_all_or_nothing(root_cs, alice):
    status, error = api_error(root_cs.updateUser, id=str(alice.pk), firstname="Al", password="1")
    assert status == 431
    assert error["errortext"].startswith("password: ")
    alice.refresh_from_db()
    assert alice.first_name == ""
    assert alice.check_password(PASSWORD)


def test_an_unknown_time_zone_is_refused_by_name(root_cs, alice):
    """Issue #11, item 9: the model has no time zone choices; the service refuses them."""
    before = User.objects.count()
    status, error = api_error(
        root_cs.createUser,
        username="ivy",
        password=PASSWORD,
        account="ops-team",
        domainid=str(alice.account.domain_id),
        timezone="Mars/Olympus",
    )
    assert (status, error["errortext"]) == (
        431,
        "timezone: Unknown time zone 'Mars/Olympus': give an IANA name such as Europe/Paris.",
    )
    assert User.objects.count() == before
    status, error = api_error(root_cs.updateUser, id=str(alice.pk), timezone="utc+2")
    assert status == 431 and error["errortext"].startswith("timezone: Unknown time zone")
    alice.refresh_from_db()
    assert alice.timezone == "UTC"
    updated = root_cs.updateUser(id=str(alice.pk), timezone="Asia/Kathmandu")
    assert updated["user"]["timezone"] == "Asia/Kathmandu"


def test_list_users_filters(root_cs, alice, bob):
    assert [u["username"] for u in root_cs.listUsers()["user"]] == ["root"]
    assert root_cs.listUsers(listall=True, username="ALICE")["user"][0]["id"] == str(alice.pk)
    assert root_cs.listUsers(listall=True, keyword="bo")["user"][0]["username"] == "bob"
    assert root_cs.listUsers(listall=True, state="disabled") == {}


def test_a_taken_username_is_refused_by_name(root_cs, alice):
    status, error = api_error(
        root_cs.createUser,
        username="Alice",
        password=PASSWORD,
        account="ops-team",
        domainid=str(alice.account.domain_id),
    )
    assert status == 431
    assert error["errortext"].startswith("username: ")
    assert User.objects.filter(username__iexact="alice").count() == 1


# --- keys ----------------------------------------------------------------------------------


def test_register_user_keys_gives_a_working_pair(root_cs, cs_client, alice, zone):
    keys = root_cs.registerUserKeys(id=str(alice.pk))["userkeys"]
    assert len(keys["apikey"]) >= 80 and len(keys["secretkey"]) >= 80
    assert api_key_secret(api_key=keys["apikey"]) == keys["secretkey"]
    assert cs_client(keys["apikey"], keys["secretkey"]).listZones()["count"] == 1
    assert root_cs.listUsers(id=str(alice.pk))["user"][0]["apikey"] == keys["apikey"]


def test_get_user_keys_returns_the_current_pair(root_cs, alice_cs, alice, alice_keys):
    expected = {"apikey": alice_keys.api_key, "secretkey": alice_keys.secret_key}
    assert root_cs.getUserKeys(id=str(alice.pk)) == {"userkeys": expected}
    assert alice_cs.getUserKeys(id=str(alice.pk)) == {"userkeys": expected}


def test_a_user_without_keys_gets_an_empty_pair(root_cs, bob):
    assert root_cs.getUserKeys(id=str(bob.pk)) == {"userkeys": {}}


# --- projects ------------------------------------------------------------------------------


def test_create_list_and_delete_a_project(root_cs, alice_cs, alice):
    created = alice_cs.createProject(name="apollo", displaytext="To the moon")["project"]
    assert (created["name"], created["account"], created["state"]) == (
        "apollo",
        "ops-team",
        "Active",
    )
    project = Project.objects.get(pk=created["id"])
    assert project.owner_id == alice.account_id

    assert [p["name"] for p in alice_cs.listProjects()["project"]] == ["apollo"]
    assert root_cs.listProjects() == {}  # root is no member
    assert root_cs.listProjects(listall=True)["project"][0]["id"] == created["id"]

    assert alice_cs.deleteProject(id=created["id"]) == {"success": True}
    assert not Project.objects.filter(pk=created["id"]).exists()


def test_create_project_answers_the_id_and_the_job(client_for, alice):
    client = client_for(alice, fetch_result=False)
    started = client.createProject(name="gemini")
    project = Project.objects.get(name="gemini")
    assert started["id"] == str(project.pk)
    result = client.queryAsyncJobResult(jobid=started["jobid"])
    assert result["jobstatus"] == 1
    assert result["jobresult"]["project"]["id"] == str(project.pk)


def test_a_duplicate_project_is_refused_at_once_without_a_job(root_cs, alice_cs, alice):
    factories.project(owner=alice.account, name="mercury")
    status, error = api_error(alice_cs.createProject, name="MERCURY")
    assert status == 431
    assert error["errortext"].startswith("name: ")
    assert root_cs.listAsyncJobs(listall=True) == {}


def test_users_changing_their_own_password_give_the_current_one(alice_cs, alice):
    status, error = api_error(alice_cs.updateUser, id=str(alice.pk), password="a-new-passphrase-8")
    assert status == 431
    assert error["errortext"].startswith("currentpassword: ")
    status, _ = api_error(
        alice_cs.updateUser,
        id=str(alice.pk),
        password="a-new-passphrase-8",
        currentpassword="not-my-password",
    )
    assert status == 431
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
    alice_cs.updateUser(id=str(alice.pk), password="a-new-passphrase-8", currentpassword=PASSWORD)
    alice.refresh_from_db()
    assert alice.check_password("a-new-passphrase-8")
