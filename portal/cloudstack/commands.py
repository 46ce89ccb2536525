"""Commands about the API itself: listApis, listCapabilities, and the async job queries."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from identity.selectors import users_visible_to
from portal.cloudstack.calls import Call, ListResult
from portal.cloudstack.jobs import job_response
from portal.cloudstack.registry import Param, command, commands_all
from portal.cloudstack.render import CLOUDSTACK_VERSION
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


def _api_response(spec: Any) -> dict[str, Any]:
    return {
        "name": spec.name,
        "description": spec.description,
        "isasync": spec.is_async,
        "related": "",
        "params": [
            {
                "name": p.name,
                "description": p.description,
                "type": p.type,
                "length": p.length,
                "required": p.required,
                "related": "",
            }
            for p in spec.params
        ],
        "response": [{"name": name} for name in spec.response],
    }


@command(
    "listApis",
    description="Lists the APIs available to the caller, with their parameters.",
    params=[Param("name", description="An API name.")],
    response=("name", "description", "isasync", "related", "params", "response"),
)
def list_apis(call: Call) -> dict[str, Any]:
    account_type = call.actor.account.type
    apis = [spec for spec in commands_all() if spec.allows(account_type)]
    if call.has("name"):
        apis = [spec for spec in apis if spec.name == call.get("name")]
    rendered = [_api_response(spec) for spec in apis]
    return ListResult("api", rendered, len(rendered)).payload()


@command(
    "listCapabilities",
    description="Lists the capabilities of this cloud.",
    response=("capability",),
)
def list_capabilities(call: Call) -> dict[str, Any]:
    from regions.configuration.selectors import setting_value

    return {
        "capability": {
            "cloudstackversion": CLOUDSTACK_VERSION,
            "securitygroupsenabled": False,
            "dynamicrolesenabled": False,
            "projectinviterequired": False,
            "allowusercreateprojects": bool(setting_value("allow.user.create.projects")),
            "regionsecondaryenabled": False,
            "userpublictemplateenabled": False,
            "kvmsnapshotenabled": False,
            "kubernetesserviceenabled": False,
            "apilimitinterval": 0,
            "apilimitmax": 0,
            "defaultuipagesize": 20,
            "sessiontimeout": int(setting_value("session.timeout")) * 60,
        }
    }
