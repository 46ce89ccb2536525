"""The replication engine's durable state.

- `Change`: the change log. A write to a replicated model appends one row in the same
  transaction; rows made here (origin = the local region) form this region's change feed,
  which peers pull by sequence number. Rows never expire.
- `ObjectVersion`: the newest version applied for every replicated object, deletes
  included (tombstones), so an older or duplicate change is recognised and ignored.
- `ParkedChange`: a change whose parent has not arrived yet; retried, never dropped.
"""

from __future__ import annotations

from django.db import models

from portal.declarations import Audience, Scope, declare


class ChangeOp(models.TextChoices):
    UPSERT = "upsert", "Upsert"
    DELETE = "delete", "Delete"


class VersionFields(models.Model):
    """A hybrid-logical-clock version: (wall ms, counter, origin region id), compared in order."""

    wall = models.BigIntegerField()
    counter = models.IntegerField()
    origin = models.IntegerField(help_text="Id of the region where the change was made.")

    class Meta:
        abstract = True

    @property
    def version(self) -> tuple[int, int, int]:
        return (self.wall, self.counter, self.origin)


class Change(VersionFields):
    seq = models.BigAutoField(primary_key=True)
    model = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    op = models.CharField(max_length=8, choices=ChangeOp.choices)
    payload = models.JSONField(default=dict)
    format = models.PositiveSmallIntegerField(default=1, help_text="Payload format version.")
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["origin", "seq"], name="regions_change_feed"),
            models.Index(fields=["model", "object_id"], name="regions_change_object"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.op} {self.model} {self.object_id}"


declare(Change, scope=Scope.REGION, audience=Audience.SYSTEM)


class ObjectVersion(VersionFields):
    model = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    deleted = models.BooleanField(default=False)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["model", "object_id"], name="regions_objectversion_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.model} {self.object_id} @ {self.version}"


declare(ObjectVersion, scope=Scope.REGION, audience=Audience.SYSTEM)


class ParkedChange(VersionFields):
    """A remote change waiting for its parent (or blocked by a conflict), kept until applied."""

    model = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    op = models.CharField(max_length=8, choices=ChangeOp.choices)
    payload = models.JSONField(default=dict)
    reason = models.CharField(max_length=255)
    attempts = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["wall", "counter", "origin"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "object_id", "wall", "counter", "origin"],
                name="regions_parkedchange_unique",
            )
        ]

    def __str__(self) -> str:
        return f"parked {self.op} {self.model} {self.object_id}: {self.reason}"


declare(ParkedChange, scope=Scope.REGION, audience=Audience.SYSTEM)


class OverrideKind(models.TextChoices):
    DELETE_WINS = "delete_wins", "An update lost to a concurrent delete"
    CASCADE = "cascade", "Deleted with a parent deleted concurrently elsewhere"
    NAME_CLASH = "name_clash", "Renamed: the same name was taken concurrently elsewhere"
    DUPLICATE = "duplicate", "Merged: the same row was made concurrently elsewhere"
    SCOPE = "scope", "Ignored: the setting is not global in this region"
    REGION_ID = "region_id", "Refused: a region id already used by another region"
    INVALID = "invalid", "Refused: it would break what every region keeps whole"


class Override(models.Model):
    """An acknowledged write that replication had to override, shown where admins look.

    Local bookkeeping (each region records what it resolved), never replicated: the rows
    themselves converge; this says why one of them no longer looks as its writer left it.
    """

    created = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=16, choices=OverrideKind.choices)
    model = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    #: the region whose write was overridden (0 when unknown)
    overridden_origin = models.IntegerField(default=0)
    #: the region whose write won (0 when it is this region's rule)
    winner_origin = models.IntegerField(default=0)
    detail = models.CharField(max_length=500)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.model} {self.object_id}"


declare(Override, scope=Scope.REGION, audience=Audience.ROOT, logged=False)  # a log itself


class RegionIdReservation(models.Model):
    """A region id promised to a joining region (by its UUID) before the join commits.

    Every region confirms the id before an acceptor hands it out, so two regions accepting
    joins at the same moment cannot give two new regions one id.
    """

    region_id = models.PositiveIntegerField(primary_key=True)
    region_uuid = models.UUIDField()
    acceptor = models.PositiveIntegerField()
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"region id {self.region_id} reserved for {self.region_uuid}"


declare(RegionIdReservation, scope=Scope.REGION, audience=Audience.SYSTEM)
