"""Where zone-scoped settings keep their per-zone values, as the zones app tells.

Configuration sits below zones (docs/architecture.md, "Layers"): it knows that a setting
may have a value per zone, but not what a zone is. The zones app owns the rows
(`zones.ZoneSetting`: setting, zone, value) and which zones an actor may name, and
registers both here from its `AppConfig.ready`, as it registers the zone tables of other
pages (`portal.generic.related`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, QuerySet


@dataclass(frozen=True)
class ZoneValues:
    #: the model of a zone's own value: fields `setting`, `zone` and `value`
    model: type[Model]
    #: zones(actor=..., region_id=None): the zones ACTOR may name (of one region, if given)
    zones: Callable[..., QuerySet[Any]]


_registered: list[ZoneValues] = []


def register(values: ZoneValues) -> None:
    """Called once, by the zones app; a second registration replaces the first."""
    _registered[:] = [values]


def zone_values() -> ZoneValues:
    if not _registered:
        raise ImproperlyConfigured("No app registered where zone-scoped settings keep values.")
    return _registered[0]
