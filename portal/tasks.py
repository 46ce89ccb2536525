"""The kernel's Celery tasks (found by the worker's autodiscovery): the one async job runner."""

from portal.cloudstack.jobs import async_job_run

__all__ = ["async_job_run"]
