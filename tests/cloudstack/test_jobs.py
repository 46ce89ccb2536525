"""Async jobs as queryAsyncJobResult and listAsyncJobs report them, so pollers work."""

from __future__ import annotations

from unittest import mock

import cs
import pytest

from identity import tasks
from identity.models import Account
from portal.cloudstack.jobs import async_job_run
from portal.models import AsyncJob, AsyncJobStatus


@pytest.fixture
def root_async(client_for, root):
    """A client that does not poll: it sees the job id, as Terraform's provider does."""
    return client_for(root, fetch_result=False)


def test_an_async_command_answers_a_job_id_and_the_job_its_result(root_async, root, alice):
    started = root_async.disableAccount(id=str(alice.account_id), lock=False)
    assert set(started) == {"jobid"}
    job = AsyncJob.objects.get(pk=started["jobid"])
    assert (job.command, job.user_id, job.instance_id) == (
        "disableAccount",
        root.pk,
        str(alice.account_id),
    )
    result = root_async.queryAsyncJobResult(jobid=started["jobid"])
    assert result["jobid"] == started["jobid"]
    assert (result["jobstatus"], result["jobresultcode"], result["jobresulttype"]) == (
        1,
        0,
        "object",
    )
    assert result["cmd"] == "disableAccount"
    assert result["userid"] == str(root.pk)
    assert result["jobinstancetype"] == "Account"
    assert result["jobresult"]["account"]["state"] == "disabled"
    assert result["created"].endswith("+0000") and result["completed"].endswith("+0000")


def test_a_failed_job_reports_the_error(root_async, alice):
    from tests import factories

    factories.project(owner=alice.account, name="blocker")
    started = root_async.deleteAccount(id=str(alice.account_id))
    result = root_async.queryAsyncJobResult(jobid=started["jobid"])
    assert (result["jobstatus"], result["jobresultcode"]) == (2, 536)
    assert result["jobresult"]["errorcode"] == 536
    assert "owns projects" in result["jobresult"]["errortext"]
    assert Account.objects.filter(pk=alice.account_id).exists()


def test_a_pending_job_has_no_result_yet(root_async, root):
    job = AsyncJob.objects.create(user=root, command="deleteAccount")
    result = root_async.queryAsyncJobResult(jobid=str(job.pk))
    assert (result["jobstatus"], result["jobresultcode"]) == (0, 0)
    assert "jobresult" not in result and "completed" not in result


def test_list_async_jobs_lists_the_callers_jobs(root_async, client_for, root, alice, bob):
    root_async.disableAccount(id=str(bob.account_id), lock=True)
    alice_client = client_for(alice, fetch_result=False)
    alice_client.createProject(name="mine")
    assert [j["cmd"] for j in root_async.listAsyncJobs()["asyncjobs"]] == ["disableAccount"]
    assert len(root_async.listAsyncJobs(listall=True)["asyncjobs"]) == 2
    assert [j["cmd"] for j in alice_client.listAsyncJobs(listall=True)["asyncjobs"]] == [
        "createProject"
    ]


def test_nobody_reads_the_jobs_of_users_they_cannot_see(root_async, client_for, alice, bob):
    started = root_async.disableAccount(id=str(bob.account_id), lock=True)
    with pytest.raises(cs.CloudStackApiException) as caught:
        client_for(alice).queryAsyncJobResult(jobid=started["jobid"])
    assert caught.value.response.status_code == 431


def test_the_job_row_exists_before_its_task_runs(root_async, alice):
    seen = []

    def delay(**kwargs):
        seen.append(AsyncJob.objects.filter(pk=kwargs["job_id"]).exists())
        async_job_run.apply(kwargs=kwargs)

    with mock.patch.object(async_job_run, "delay", side_effect=delay):
        started = root_async.disableAccount(id=str(alice.account_id), lock=False)
    assert seen == [True]
    assert AsyncJob.objects.get(pk=started["jobid"]).status == AsyncJobStatus.SUCCEEDED


def test_a_job_that_cannot_be_queued_fails_instead_of_hanging(root_async, alice):
    with mock.patch.object(async_job_run, "delay", side_effect=ConnectionError("broker")):
        started = root_async.deleteAccount(id=str(alice.account_id))
    result = root_async.queryAsyncJobResult(jobid=started["jobid"])
    assert (result["jobstatus"], result["jobresultcode"]) == (2, 530)
    assert Account.objects.filter(pk=alice.account_id).exists()


def test_a_redelivered_task_does_not_run_twice(root, alice):
    params = {"account_id": str(alice.account_id), "lock": False}
    job = AsyncJob.objects.create(user=root, command="disableAccount", params=params)
    async_job_run(job_id=str(job.pk))
    job.refresh_from_db()
    first = (job.status, job.completed)
    AsyncJob.objects.filter(pk=job.pk).update(params={**params, "lock": True})
    async_job_run(job_id=str(job.pk))
    job.refresh_from_db()
    assert (job.status, job.completed) == first
    alice.account.refresh_from_db()
    assert alice.account.state == "disabled"


def test_a_job_whose_user_is_gone_does_not_run_as_the_system(alice):
    job = AsyncJob.objects.create(
        user=None, command="deleteAccount", params={"account_id": str(alice.account_id)}
    )
    async_job_run(job_id=str(job.pk))
    job.refresh_from_db()
    assert (job.status, job.result_code) == (AsyncJobStatus.FAILED, 531)
    assert Account.objects.filter(pk=alice.account_id).exists()


# --- one runner --------------------------------------------------------------------------


def test_a_job_stores_its_command_and_parameters_and_one_task_runs_it(root_async, alice):
    queued = []
    with mock.patch.object(async_job_run, "delay", side_effect=lambda **kw: queued.append(kw)):
        started = root_async.disableAccount(id=str(alice.account_id), lock=True)
    job = AsyncJob.objects.get(pk=started["jobid"])
    assert queued == [{"job_id": str(job.pk)}]
    assert (job.command, job.params) == (
        "disableAccount",
        {"account_id": str(alice.account_id), "lock": True},
    )
    async_job_run(job_id=str(job.pk))
    alice.account.refresh_from_db()
    assert alice.account.state == "locked"
    result = root_async.queryAsyncJobResult(jobid=str(job.pk))
    assert result["jobstatus"] == 1
    assert result["jobresult"]["account"]["state"] == "locked"


def test_every_async_command_names_its_run_step():
    from portal.cloudstack.registry import command, commands_all

    asynchronous = [c for c in commands_all() if c.is_async]
    assert len(asynchronous) >= 6 and all(callable(c.run) for c in asynchronous)
    assert all(c.run is None for c in commands_all() if not c.is_async)
    with pytest.raises(ValueError, match="run step"):
        command("frobnicate", description="-", is_async=True)
    with pytest.raises(ValueError, match="run step"):
        command("frobnicate", description="-", run=lambda actor: {})


def test_a_job_queued_by_an_older_release_still_runs(root, alice):
    """Before the one runner each async command had its own task, with the parameters in
    the message; a message still in the queue at the upgrade reaches its old name."""
    job = AsyncJob.objects.create(user=root, command="deleteAccount")
    tasks.account_delete.apply(kwargs={"job_id": str(job.pk), "account_id": str(alice.account_id)})
    job.refresh_from_db()
    assert (job.status, job.result) == (AsyncJobStatus.SUCCEEDED, {"success": True})
    assert not Account.objects.filter(pk=alice.account_id).exists()
    assert {f"identity.tasks.{name}" for name in tasks.LEGACY_TASKS} <= set(
        tasks.account_delete.app.tasks
    )
