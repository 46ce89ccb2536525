"""The async job queries: queryAsyncJobResult and listAsyncJobs, over the jobs of the users
the caller may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from identity.selectors import users_visible_to
from portal.cloudstack.calls import Call, ListResult
from portal.cloudstack.jobs import job_response
from portal.cloudstack.registry import Param, command
from portal.models import AsyncJob

JOB_FIELDS = (
    "jobid",
    "accountid",
    "account",
    "domainid",
    "domainpath",
    "userid",
    "cmd",
    "jobstatus",
    "jobprocstatus",
    "jobresultcode",
    "jobresulttype",
    "jobresult",
    "jobinstancetype",
    "jobinstanceid",
    "created",
    "completed",
)


def jobs_visible_to(*, actor: Any) -> QuerySet[AsyncJob]:
    """Root admins see every job; others the jobs of the users they can see."""
    jobs = AsyncJob.objects.select_related("user__account__domain")
    if actor.is_root_admin:
        return jobs
    return jobs.filter(user__in=users_visible_to(actor=actor))


@command(
    "queryAsyncJobResult",
    description="Retrieves the current status of an asynchronous job.",
    params=[Param("jobid", "uuid", required=True, description="The ID of the asynchronous job.")],
    response=JOB_FIELDS,
)
def query_async_job_result(call: Call) -> dict[str, Any]:
    return job_response(call.find(jobs_visible_to(actor=call.actor), "jobid"))


@command(
    "listAsyncJobs",
    description="Lists all pending asynchronous jobs for the account.",
    params=[
        Param("listall", "boolean", description="List the jobs of every user you can see."),
    ],
    list_key="asyncjobs",
    response=JOB_FIELDS,
)
def list_async_jobs(call: Call) -> ListResult:
    jobs = jobs_visible_to(actor=call.actor)
    if not call.listall():
        jobs = jobs.filter(user=call.actor)
    return call.page(jobs, job_response, keyword=("command",))
