"""Async jobs: one runner for every command CloudStack runs asynchronously.

An async command is declared with its two halves (`@command(..., is_async=True, run=...)`):
the handler is the synchronous prepare step, which finds the objects and checks
permissions (so a bad id or a refusal answers 431/432 at once, as CloudStack does) and ends
in `job_start(call, instance=..., **params)`; `run(actor, **params)` is the work. The job
row stores the command and its parameters (plain JSON values), and one Celery task
(`portal.tasks.async_job_run`) runs any job: it reads the row and calls the command's run.
queryAsyncJobResult and listAsyncJobs report jobs in CloudStack's shape.

The job row is written in the command's transaction and the task is queued only after that
commits, so even an in-process (eager) task always finds its row.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from celery import shared_task
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from portal import audit
from portal.cloudstack import errors
from portal.cloudstack.calls import Call, JobStarted, success
from portal.cloudstack.registry import command_get
from portal.cloudstack.render import timestamp
from portal.models import AsyncJob, AsyncJobStatus

log = logging.getLogger(__name__)


def job_start(
    call: Call, *, instance: Any = None, instance_type: str = "", **params: Any
) -> JobStarted:
    """Record a pending job for CALL with PARAMS (for its command's run) and queue it after
    commit."""
    job = AsyncJob.objects.create(
        user=call.actor,
        command=call.command.name,
        params={key: _plain(value) for key, value in params.items()},
        instance_type=instance_type,
        instance_id="" if instance is None else str(instance.pk),
    )

    def queue() -> None:
        try:
            async_job_run.delay(job_id=str(job.pk))
        except Exception:  # a broker that is down must not lose the job silently
            log.exception("could not queue async job %s (%s)", job.pk, job.command)
            _finish(
                job.pk,
                AsyncJobStatus.FAILED,
                errors.ApiError(errors.INTERNAL_ERROR, "Could not queue the job."),
            )

    transaction.on_commit(queue)
    return JobStarted(job.pk)


def object_job_start(call: Call, obj: Model, **params: Any) -> JobStarted:
    """job_start about OBJ: the job names OBJ's type and id, and the run step gets OBJ's id as
    `<model>_id` (account_id=...) with PARAMS."""
    key = f"{obj._meta.model_name}_id"
    kind = type(obj).__name__
    return job_start(call, instance=obj, instance_type=kind, **{key: obj.pk}, **params)


def delete_run(
    model: type[Model], delete: Callable[..., None], *, keyword: str | None = None
) -> Callable[..., dict[str, Any]]:
    """The run step of an async delete of MODEL started by object_job_start: DELETE(<model>=
    the row, **the job's other params, by=actor), answered as CloudStack's success; KEYWORD
    names the row's keyword where it is not the model's name."""
    name = model._meta.model_name

    def run(actor: Any, **params: Any) -> dict[str, Any]:
        row = model._default_manager.get(pk=params.pop(f"{name}_id"))
        delete(**{keyword or name: row}, **params, by=actor)
        return success()

    return run


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, uuid.UUID) else value


@shared_task(name="portal.tasks.async_job_run", acks_late=True)
def async_job_run(job_id: str) -> None:
    """The one task behind every async command (registered through portal/tasks.py)."""
    job_run(job_id)


def job_run(job_id: str) -> None:
    """Run job JOB_ID: its command's run step with the parameters the prepare step stored."""
    job = AsyncJob.objects.filter(pk=job_id).only("command", "params").first()
    if job is None:
        return
    command = command_get(job.command)
    params = job.params or {}

    def work(actor: Any) -> dict[str, Any]:
        if command is None or command.run is None:
            raise errors.ApiError(errors.INTERNAL_ERROR, f"{job.command} cannot run as a job.")
        return command.run(actor, **params)

    job_execute(job_id, work)


def job_execute(job_id: str, work: Callable[[Any], dict[str, Any]]) -> None:
    """Run WORK(actor) for job JOB_ID in one transaction and record how it ended.

    A job that is no longer pending (a redelivered task) is left alone. The actor is read
    again, so a user disabled since the command was accepted can no longer act.
    """
    job = AsyncJob.objects.select_related("user__account__domain").filter(pk=job_id).first()
    if job is None or job.status != AsyncJobStatus.PENDING:
        return
    command = command_get(job.command)
    if job.user is None:  # never run as the system (by=None) for a user who is gone
        _finish(
            job.pk,
            AsyncJobStatus.FAILED,
            errors.ApiError(
                errors.ACCOUNT_ERROR,
                "The user who started this job no longer exists.",
                errors.CS_PERMISSION_DENIED,
            ),
        )
        return
    try:
        with transaction.atomic(), audit.acting(user=job.user, request_id=str(job.pk)):
            result = work(job.user)
    except Exception as error:
        failure = errors.from_exception(error, command=command)
        if failure.code == errors.INTERNAL_ERROR:
            log.exception("async job %s (%s) crashed", job.pk, job.command)
        _finish(job.pk, AsyncJobStatus.FAILED, failure)
        return
    _finish(job.pk, AsyncJobStatus.SUCCEEDED, result)


def _finish(job_id: Any, status: int, outcome: Any) -> None:
    if isinstance(outcome, errors.ApiError):
        values = {
            "result_code": outcome.code,
            "result": {"errorcode": outcome.code, "errortext": outcome.text},
        }
    else:
        values = {"result_code": 0, "result": outcome}
    AsyncJob.objects.filter(pk=job_id, status=AsyncJobStatus.PENDING).update(
        status=status, completed=timezone.now(), **values
    )


def job_response(job: AsyncJob) -> dict[str, Any]:
    """A job as queryAsyncJobResult and listAsyncJobs describe it."""
    user = job.user
    body: dict[str, Any] = {
        "jobid": str(job.pk),
        "accountid": str(user.account_id) if user else None,
        "account": user.account.name if user else None,
        "domainid": str(user.account.domain_id) if user else None,
        "domainpath": user.account.domain.path if user else None,
        "userid": str(user.pk) if user else None,
        "cmd": job.command,
        "jobstatus": job.status,
        "jobprocstatus": 0,
        "jobresultcode": job.result_code,
        "jobinstancetype": job.instance_type or None,
        "jobinstanceid": job.instance_id or None,
        "created": timestamp(job.created),
    }
    if job.status != AsyncJobStatus.PENDING:
        body["jobresulttype"] = "object"
        body["jobresult"] = job.result if job.result is not None else {}
        body["completed"] = timestamp(job.completed)
    return body
