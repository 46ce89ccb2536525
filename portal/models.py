"""Shared model bases."""

import uuid

from django.db import models

from portal.declarations import Audience, Scope, declare


class UUIDModel(models.Model):
    """A row whose identity is a UUID made once, where it was created, valid cloud-wide."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AsyncJobStatus(models.IntegerChoices):
    """CloudStack's job status codes, as queryAsyncJobResult reports them."""

    PENDING = 0, "Pending"
    SUCCEEDED = 1, "Succeeded"
    FAILED = 2, "Failed"


class AsyncJob(models.Model):
    """A CloudStack API command that runs as a Celery task; clients poll it by its id.

    Local to the region that ran it: jobs are bookkeeping, never replicated.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        "identity.User", null=True, on_delete=models.SET_NULL, related_name="async_jobs"
    )
    command = models.CharField(max_length=100)
    #: what the command's prepare step handed to its run step (plain JSON values)
    params = models.JSONField(default=dict, blank=True)
    status = models.PositiveSmallIntegerField(
        choices=AsyncJobStatus.choices, default=AsyncJobStatus.PENDING
    )
    #: 0 while pending or on success, else the error code (431, 531 ...) the command failed with
    result_code = models.PositiveIntegerField(default=0)
    result = models.JSONField(null=True, blank=True)
    instance_type = models.CharField(max_length=32, blank=True)
    instance_id = models.CharField(max_length=64, blank=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    completed = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = "async job"

    def __str__(self) -> str:
        return f"{self.command} {self.pk}"


declare(AsyncJob, scope=Scope.REGION, audience=Audience.SYSTEM)
