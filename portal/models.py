"""Shared model bases."""

import uuid

from django.db import models

from portal.declarations import Audience, Menu, Scope, declare


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


class ChangeAction(models.TextChoices):
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    DELETE = "delete", "Deleted"


class ObjectChange(models.Model):
    """One write to one object, made in this region: what, when, by whom, in which request.

    The change log (`portal.audit` records it for every model declared `logged`). A region
    keeps the writes made here; the cloud-wide list asks every region for its own
    (`regions/federation/changes`). Rows are never edited.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    time = models.DateTimeField(db_index=True)
    action = models.CharField(max_length=8, choices=ChangeAction.choices)
    #: the model's label (identity.User) and the object's key
    model = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    #: who: a user (their id, and their username, account and domain then), or nobody: the
    #: system, or, with `actor_region`, this region deciding while applying a peer's change
    actor_id = models.UUIDField(null=True, blank=True, db_index=True)
    actor_name = models.CharField(max_length=150, blank=True)
    actor_account_id = models.UUIDField(null=True, blank=True)
    actor_domain_id = models.UUIDField(null=True, blank=True)
    actor_region = models.PositiveIntegerField(null=True, blank=True)
    #: the request's id (X-Request-ID), or the async job's
    request_id = models.CharField(max_length=64, blank=True, db_index=True)
    #: the object's fields after the change (secrets named but never shown); {} for a delete
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["model", "object_id"], name="portal_change_object")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.model} {self.object_repr}"


declare(
    ObjectChange,
    scope=Scope.REGION,  # each region's own writes; the cloud-wide list asks every region
    audience=Audience.ROOT,
    logged=False,
    menu=Menu("Changes", "changes:change_list", order=95),
)
