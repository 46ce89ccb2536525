"""Every write to the configuration; each function is one transaction.

Only a root admin changes settings (identity.permissions). A value is checked against its
setting's type and limits before anything is written, so bad input changes nothing. Saving
a global setting's row writes its replication change in the same transaction (the
recorder's signal); region and zone values stay here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from portal.concurrency import atomic_write
from portal.permissions import Action, require
from portal.validation import invalid
from portal.writes import save_changed
from regions.configuration.definitions import DEFINITIONS
from regions.configuration.values import value_clean
from regions.configuration.zone_values import zone_values
from regions.models.configuration import Setting, SettingScope, setting_id

if TYPE_CHECKING:
    from identity.models import User  # annotations only: identity is a layer above

DEFINITION_FIELDS = (
    "category",
    "description",
    "type",
    "scope",
    "default",
    "choices",
    "min_value",
    "max_value",
)


def _setting_for_update(name: Any) -> Setting:
    setting = None
    if isinstance(name, str) and name:
        setting = Setting.objects.select_for_update().filter(name=name).first()
    if setting is None:
        raise invalid("name", f"There is no setting named {name!r}.", "unknown")
    return setting


def _zone_for(setting: Setting, zone: Any) -> Any:
    """ZONE, if SETTING may have a value there; zones are managed only by their region."""
    if setting.scope != SettingScope.ZONE:
        raise invalid(
            "zone",
            f"{setting.name} has scope {setting.scope}; only zone-scoped settings take a "
            "value per zone.",
            "scope",
        )
    if not zone.region.is_local:
        raise invalid("zone", f"Zone {zone} belongs to another region's portal.", "remote")
    return zone


@atomic_write
def setting_update(*, name: str, value: Any, by: User | None, zone: Any = None) -> Setting:
    """Set setting NAME to VALUE, for this region (or the cloud), or for ZONE only."""
    setting = _setting_for_update(name)
    require(by, Action.CHANGE, setting)
    text = value_clean(setting, value)
    if zone is not None:
        own, made = zone_values().model.objects.get_or_create(
            setting=setting, zone=_zone_for(setting, zone), defaults={"value": text}
        )
        if not made:
            save_changed(own, value=text)
        return setting
    save_changed(setting, value=text)
    return setting


@atomic_write
def setting_reset(*, name: str, by: User | None, zone: Any = None) -> Setting:
    """Back to the default (or, with ZONE, back to this region's value in that zone)."""
    setting = _setting_for_update(name)
    require(by, Action.CHANGE, setting)
    if zone is not None:
        zone_values().model.objects.filter(setting=setting, zone=_zone_for(setting, zone)).delete()
        return setting
    if setting.value is not None:
        setting.value = None
        setting.save(update_fields=["value", "updated"])
    return setting


def definitions_sync(*, model: type[Setting] = Setting, using: str = "default") -> dict[str, int]:
    """Make a row for every definition and keep the rows' definitions in step with the code.

    Values are never touched. Rows are written with bulk_create and update(), which send no
    signals, so an upgrade records no replication change: a region upgraded later must not
    push "value unset" over a value an operator set in a region upgraded earlier. MODEL is
    the migration state's Setting when called after migrate.
    """
    rows = model.objects.using(using)
    created = updated = 0
    missing = []
    with transaction.atomic(using=using):
        existing = {row.name: row for row in rows.all()}
        for definition in DEFINITIONS:
            fields = {
                "category": definition.category,
                "description": definition.description,
                "type": definition.type,
                "scope": definition.scope,
                "default": definition.default,
                "choices": list(definition.choices),
                "min_value": definition.min_value,
                "max_value": definition.max_value,
            }
            row = existing.get(definition.name)
            if row is None:
                missing.append(
                    model(id=setting_id(definition.name), name=definition.name, **fields)
                )
            elif any(getattr(row, key) != fields[key] for key in DEFINITION_FIELDS):
                rows.filter(pk=row.pk).update(**fields)
                updated += 1
        if missing:
            rows.bulk_create(missing, ignore_conflicts=True)
            created = len(missing)
    return {"created": created, "updated": updated}


def definitions_sync_after_migrate(apps: Any = None, using: str = "default", **kwargs: Any) -> None:
    """post_migrate receiver (RegionsConfig.ready): a row for every definition, values left
    alone, with the migration state's Setting."""
    try:
        model = apps.get_model("regions", "Setting")
    except (AttributeError, LookupError):
        return  # migrated to a point before settings existed
    definitions_sync(model=model, using=using)
