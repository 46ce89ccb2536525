"""The region registry: every region of the cloud and its portal endpoint."""

from __future__ import annotations

import uuid

from django.db import models
from django.urls import reverse

from portal.declarations import Audience, Menu, Scope, declare


class Region(models.Model):
    """A region; exactly one row is the region this portal serves (`is_local`)."""

    id = models.PositiveIntegerField(
        primary_key=True, help_text="Cloud-wide region id, as in CloudStack."
    )
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=255, unique=True)
    description = models.CharField(max_length=1024, blank=True)
    endpoint = models.URLField(
        max_length=255, unique=True, help_text="Public URL of the region's portal."
    )
    is_local = models.BooleanField(default=False, editable=False)
    gslb_service_enabled = models.BooleanField(default=True)
    portable_ip_service_enabled = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_local"],
                condition=models.Q(is_local=True),
                name="regions_one_local_region",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("regions:region", args=[self.pk])


declare(
    Region,
    scope=Scope.CLOUD,
    audience=Audience.EVERYONE,
    replicated=True,
    menu=Menu("Regions", "regions:region_list", order=10),
)
