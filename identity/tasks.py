"""Celery tasks behind the identity commands CloudStack runs asynchronously.

Each is a thin wrapper: it runs one service as the job's user inside
`portal.cloudstack.jobs.job_execute`, which records the outcome for queryAsyncJobResult.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from identity import services
from identity.models import Account, Domain, Project, User
from portal.cloudstack.jobs import job_execute


def _responses() -> Any:
    from identity.cloudstack import commands  # the answer shapes; imported late (it imports us)

    return commands


@shared_task(acks_late=True)
def account_delete(job_id: str, account_id: str) -> None:
    def work(actor: User | None) -> dict[str, Any]:
        services.account_delete(account=Account.objects.get(pk=account_id), by=actor)
        return {"success": True}

    job_execute(job_id, work)


@shared_task(acks_late=True)
def account_disable(job_id: str, account_id: str, lock: bool) -> None:
    def work(actor: User | None) -> dict[str, Any]:
        service = services.account_lock if lock else services.account_disable
        account = service(account=Account.objects.get(pk=account_id), by=actor)
        return {"account": _responses().account_response(account)}

    job_execute(job_id, work)


@shared_task(acks_late=True)
def domain_delete(job_id: str, domain_id: str, cleanup: bool) -> None:
    def work(actor: User | None) -> dict[str, Any]:
        domain = Domain.objects.get(pk=domain_id)
        services.domain_delete(domain=domain, cleanup=cleanup, by=actor)
        return {"success": True}

    job_execute(job_id, work)


@shared_task(acks_late=True)
def user_disable(job_id: str, user_id: str) -> None:
    def work(actor: User | None) -> dict[str, Any]:
        user = services.user_disable(user=User.objects.get(pk=user_id), by=actor)
        return {"user": _responses().user_response(user)}

    job_execute(job_id, work)


@shared_task(acks_late=True)
def project_create(job_id: str, project_id: str) -> None:
    """The async half of createProject: CloudStack's create-commands make the object at
    once (so bad input is refused in the answer) and report it through the job."""

    def work(actor: User | None) -> dict[str, Any]:
        return {"project": _responses().project_response(Project.objects.get(pk=project_id))}

    job_execute(job_id, work)


@shared_task(acks_late=True)
def project_delete(job_id: str, project_id: str) -> None:
    def work(actor: User | None) -> dict[str, Any]:
        services.project_delete(project=Project.objects.get(pk=project_id), by=actor)
        return {"success": True}

    job_execute(job_id, work)
