"""Zones keep the per-zone values of zone-scoped settings (`ZoneSetting`): told to the
configuration, a layer below, which reads and writes them without importing zones."""

from __future__ import annotations

from regions.configuration.zone_values import ZoneValues, register
from zones.models import ZoneSetting
from zones.selectors import zones_visible_to

register(ZoneValues(model=ZoneSetting, zones=zones_visible_to))
