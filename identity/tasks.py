"""The task names identity's async commands had before the one job runner
(portal/cloudstack/jobs.py): a job queued by an older release and delivered after an
upgrade still runs, with the parameters its message carries."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from portal.cloudstack.jobs import job_run
from portal.models import AsyncJob


def _legacy_job(job_id: str, **params: Any) -> None:
    job = AsyncJob.objects.filter(pk=job_id).first()
    if job is not None and not job.params:
        AsyncJob.objects.filter(pk=job_id).update(params=params)
    job_run(job_id)


def _legacy(name: str) -> Any:
    return shared_task(name=f"identity.tasks.{name}", acks_late=True)(_legacy_job)


account_delete = _legacy("account_delete")
account_disable = _legacy("account_disable")
domain_delete = _legacy("domain_delete")
user_disable = _legacy("user_disable")
project_create = _legacy("project_create")
project_delete = _legacy("project_delete")
LEGACY_TASKS = (
    "account_delete",
    "account_disable",
    "domain_delete",
    "user_disable",
    "project_create",
    "project_delete",
)
