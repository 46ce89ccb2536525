"""Global configuration (CloudStack's "Global Settings"): definitions, values, zone overrides.

A `Setting` row mirrors one definition from `regions.configuration.definitions` (kept in
step on every migrate) and holds the operator's value; `value` NULL means "the default".
Values are stored as text, as CloudStack stores them, and parsed by the setting's type.

Scope decides where a value lives:
- global: one value for the whole cloud; replicated to every region.
- region: one value for this region; never leaves it.
- zone: this region's value, overridable per zone (`zones.ZoneSetting`); never leaves it.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.urls import reverse

from portal.declarations import Audience, Menu, Scope, declare

#: Settings are keyed by uuid5(SETTING_NAMESPACE, name), so every region makes the same row
#: for the same setting without asking anyone, and replication finds it by that key.
SETTING_NAMESPACE = uuid.UUID("0d7f3b8e-4a51-5c3e-9f0a-2b6c1e8d9a47")


def setting_id(name: str) -> uuid.UUID:
    return uuid.uuid5(SETTING_NAMESPACE, name)


class SettingScope(models.TextChoices):
    GLOBAL = "global", "Global"
    REGION = "region", "Region"
    ZONE = "zone", "Zone"


class SettingType(models.TextChoices):
    STRING = "string", "String"
    INTEGER = "integer", "Integer"
    FLOAT = "float", "Float"
    BOOLEAN = "boolean", "Boolean"
    CHOICE = "choice", "Choice"


class Setting(models.Model):
    id = models.UUIDField(primary_key=True, editable=False)
    name = models.CharField(max_length=255, unique=True)
    category = models.CharField(max_length=64, blank=True)
    description = models.TextField(blank=True)
    type = models.CharField(max_length=16, choices=SettingType.choices, default=SettingType.STRING)
    # Only global settings replicate, so a row that arrives from a peer is a global one.
    scope = models.CharField(
        max_length=16, choices=SettingScope.choices, default=SettingScope.GLOBAL
    )
    default = models.TextField(blank=True)
    choices = models.JSONField(default=list, blank=True)
    min_value = models.FloatField(null=True, blank=True)
    max_value = models.FloatField(null=True, blank=True)
    # NULL is "not set: use the default", which an empty string (a valid value) cannot say.
    value = models.TextField(null=True, blank=True, help_text="NULL: the default.")  # noqa: DJ001
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("settings:setting", args=[self.pk])


declare(
    Setting,
    scope=Scope.CLOUD,  # cloud-wide rows replicate; a region's and a zone's stay here
    audience=Audience.ADMINS,
    replicated=True,
    menu=Menu("Settings", "settings:setting_list", order=30),
    event="CONFIGURATION",
)
