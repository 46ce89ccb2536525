"""CloudStack commands for projects: listProjects, createProject, deleteProject."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from identity import services
from identity.cloudstack.lookups import projects_of
from identity.cloudstack.responses import PROJECT_FIELDS, project_response
from identity.models import Project, User
from identity.selectors import projects_filtered
from portal.cloudstack.calls import SUCCESS_FIELDS, Call, JobStarted, ListResult
from portal.cloudstack.jobs import delete_run, object_job_start
from portal.cloudstack.params import id_param, list_id_param, list_name_param
from portal.cloudstack.registry import Param, command
from portal.cloudstack.scope import LIST_SCOPE, account_by_name, domain_param, scoped


@command(
    "listProjects",
    description="Lists projects: the caller's, or with listall=true every one it may see.",
    params=[
        list_id_param("project"),
        list_name_param("projects"),
        Param("displaytext", description="List projects by display text.", field="display_text"),
        Param(
            "account", description="List the projects owned by this account.", field="owner_name"
        ),
        Param("state", description="Active or Suspended."),
        *LIST_SCOPE,
    ],
    list_key="project",
    response=PROJECT_FIELDS,
)
def list_projects(call: Call) -> ListResult:
    filters = call.fields("name", "displaytext", "account", "state")
    projects = projects_filtered(actor=call.actor, filters=filters, lenient=True)
    if call.has("id"):
        projects = projects.filter(pk=call.get("id"))
    elif call.has("domainid") or call.listall() or call.get("isrecursive"):
        projects = scoped(call, projects)
    else:
        mine = call.actor.account_id
        projects = projects.filter(Q(owner_id=mine) | Q(memberships__account_id=mine)).distinct()
    return call.page(projects, project_response, keyword=("name", "display_text"))


def _run_create_project(actor: User, *, project_id: str) -> dict[str, Any]:
    """CloudStack's create commands make the object at once (so bad input is refused in the
    answer) and report it through the job."""
    return {"project": project_response(Project.objects.get(pk=project_id))}


@command(
    "createProject",
    description="Creates a project owned by an account (the caller's if not given).",
    params=[
        Param("name", required=True, description="The name of the project."),
        Param("displaytext", description="The display text of the project.", field="display_text"),
        Param("account", description="The owner account (with domainid).", field="owner"),
        Param("domainid", "uuid", description="The domain of the project."),
    ],
    is_async=True,
    run=_run_create_project,
    response=PROJECT_FIELDS,
)
def create_project(call: Call) -> JobStarted:
    owner = account_by_name(call, required=False) or call.actor.account
    domain = domain_param(call) or owner.domain
    project = services.project_create(
        domain=domain,
        name=call.get("name"),
        owner=owner,
        display_text=call.get("displaytext", ""),
        by=call.actor,
    )
    started = object_job_start(call, project)
    return JobStarted(started.job_id, object_id=str(project.pk))


@command(
    "deleteProject",
    description="Deletes a project.",
    params=[
        id_param("project"),
        Param("cleanup", "boolean", description="Accepted for compatibility."),
    ],
    is_async=True,
    run=delete_run(Project, services.project_delete),
    response=SUCCESS_FIELDS,
)
def delete_project(call: Call) -> JobStarted:
    return object_job_start(call, call.find(projects_of(call)))
