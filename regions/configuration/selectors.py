"""Reads of the configuration: effective values, typed, and the lists the pages show.

Resolution: a zone's own value (zone-scoped settings only) overrides this region's value,
which overrides the definition's default. For a global setting "this region's value" is the
cloud-wide one, since replication keeps it the same everywhere.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db.models import Case, F, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from portal.filtering import filtered
from portal.permissions import visible
from regions.configuration.definitions import BY_NAME
from regions.configuration.filtersets import SettingFilterSet
from regions.configuration.values import value_parse
from regions.configuration.zone_values import zone_values
from regions.models.configuration import Setting, SettingScope, setting_id

log = logging.getLogger(__name__)


class Source:
    """Where an effective value comes from (shown on the pages and in the API)."""

    ZONE = "zone"
    REGION = "region"
    GLOBAL = "global"
    DEFAULT = "default"


def _setting(name: str) -> Setting:
    """The row for NAME, or an unsaved one built from its definition (before migrate ran)."""
    setting = Setting.objects.filter(name=name).first()
    if setting is not None:
        return setting
    definition = BY_NAME.get(name)
    if definition is None:
        raise LookupError(f"No setting named {name!r}.")
    return Setting(
        id=setting_id(name),
        name=name,
        category=definition.category,
        description=definition.description,
        type=definition.type,
        scope=definition.scope,
        default=definition.default,
        choices=list(definition.choices),
        min_value=definition.min_value,
        max_value=definition.max_value,
    )


def _zone_id(zone: Any) -> Any:
    return getattr(zone, "pk", zone)


def setting_text(name: str, *, zone: Any = None) -> tuple[str, str]:
    """The effective value of NAME as stored text, and its source."""
    setting = _setting(name)
    if zone is not None and setting.scope == SettingScope.ZONE and setting.pk:
        override = (
            zone_values()
            .model.objects.filter(setting_id=setting.pk, zone_id=_zone_id(zone))
            .values_list("value", flat=True)
            .first()
        )
        if override is not None:
            return override, Source.ZONE
    if setting.value is not None:
        return (
            setting.value,
            Source.GLOBAL if setting.scope == SettingScope.GLOBAL else Source.REGION,
        )
    return setting.default, Source.DEFAULT


def setting_value(name: str, *, zone: Any = None) -> Any:
    """The effective, typed value of setting NAME (in ZONE, for zone-scoped settings).

    A stored value that no longer parses (a peer on other code, a hand edit) falls back to
    the default rather than breaking whoever asks.
    """
    setting = _setting(name)
    text, _ = setting_text(name, zone=zone)
    try:
        return value_parse(setting, text)
    except ValueError:
        log.warning("setting %s has an unusable value %r; using the default", name, text)
        return value_parse(setting, setting.default)


def settings_visible_to(*, actor: Any) -> QuerySet[Setting]:
    condition = visible(actor, Setting)
    if condition is None:
        return Setting.objects.none()
    return Setting.objects.filter(condition)


def settings_list(*, actor: Any, zone: Any = None) -> QuerySet[Setting]:
    """Settings ACTOR may see, each annotated with `effective` and `source`.

    With ZONE, zone-scoped settings show that zone's effective value (`zone_value` is its
    own override, if any).
    """
    return _effective(settings_visible_to(actor=actor), zone)


def settings_filtered(
    *,
    actor: Any,
    filters: Any = None,
    search: str = "",
    lenient: bool = False,
    zone: Any = None,
) -> QuerySet[Setting]:
    """settings_list narrowed by FILTERS (SettingFilterSet's names) and SEARCH."""
    settings = filtered(
        settings_visible_to(actor=actor), SettingFilterSet, filters, search=search, lenient=lenient
    )
    return _effective(settings, zone)


def _effective(settings: QuerySet[Setting], zone: Any) -> QuerySet[Setting]:
    if zone is not None:
        override = zone_values().model.objects.filter(
            setting=OuterRef("pk"), zone_id=_zone_id(zone)
        )
        settings = settings.annotate(zone_value=Subquery(override.values("value")[:1]))
    else:
        settings = settings.annotate(zone_value=Value(None, output_field=Setting.value.field))
    return settings.annotate(
        effective=Coalesce("zone_value", "value", "default"),
        source=Case(
            When(zone_value__isnull=False, then=Value(Source.ZONE)),
            When(value__isnull=False, scope=SettingScope.GLOBAL, then=Value(Source.GLOBAL)),
            When(value__isnull=False, then=Value(Source.REGION)),
            default=Value(Source.DEFAULT),
        ),
    ).order_by(F("category").asc(), "name")


def setting_categories() -> list[str]:
    return list(Setting.objects.order_by("category").values_list("category", flat=True).distinct())


def zone_settings(*, setting: Setting) -> QuerySet[Any]:
    """SETTING's own values in zones (rows with `zone` and `value`)."""
    return zone_values().model.objects.filter(setting=setting).select_related("zone")


def local_zones(*, actor: Any, region_id: Any = None) -> QuerySet[Any]:
    """The zones ACTOR may name for a zone's value (of REGION_ID, if given)."""
    return zone_values().zones(actor=actor, region_id=region_id)
