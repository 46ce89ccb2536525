"""Regions' own replicated models: the region registry (every region keeps the list of all
regions) and the global settings.

Global settings opt into replication; region- and zone-scoped ones stay in their region.
A setting row is keyed by its UUID primary key, which is uuid5 of the setting's name, so
every region made the same row on migrate and a change finds it everywhere. Only the
operator's value crosses (with the name, for a region that has not upgraded to a new
setting yet): the definition fields come from each region's own code, so a peer on older
code never rewrites a description, type or limit here.
"""

from __future__ import annotations

import uuid
from typing import Any

from regions.configuration.services import DEFINITION_FIELDS
from regions.federation.replication.region_ids import region_id_holder
from regions.federation.replication.registry import ReplicatedModel, register
from regions.models import OverrideKind, Region, RegionCapacity
from regions.models.configuration import Setting, SettingScope


def region_refuse(object_id: str, payload: dict[str, Any]) -> tuple[str, str] | None:
    """Refuse a region whose id is another region's here, or promised to another joiner.

    Reservations keep two joins from getting one id; should it happen anyway (a region that
    did not confirm, a purged reservation), the first region an id reached keeps it
    everywhere it arrived first, and the clash is recorded instead of silently merged.
    """
    region_id = payload.get("id")
    if isinstance(region_id, bool) or not isinstance(region_id, int):
        return None  # not a clash of ids; the apply path refuses a malformed payload itself
    try:
        region_uuid = uuid.UUID(str(object_id))
    except ValueError:
        return None
    known = Region.objects.filter(uuid=region_uuid).values_list("pk", flat=True).first()
    if known is not None and known != region_id:
        name = payload.get("name") or "?"
        return (
            OverrideKind.REGION_ID,
            f"Region {name} ({region_uuid}) came with id {region_id}, but it is region "
            f"{known} here: a region's id never changes.",
        )
    taken = region_id_holder(region_id=region_id, region_uuid=region_uuid)
    if taken is None:
        return None
    name = payload.get("name") or "?"
    detail = f"Region {name} ({region_uuid}) came with id {region_id}: {taken.detail}"
    return OverrideKind.REGION_ID, detail[:500]  # Override.detail's length


register(
    ReplicatedModel(
        Region,
        key="uuid",
        exclude=frozenset({"created", "updated", "is_local"}),
        refuse=region_refuse,
    )
)


def _not_global_here(object_id: str, payload: dict[str, Any]) -> tuple[str, str] | None:
    """A peer's value for a setting this region's code scopes to the region or its zones
    (another version of the portal, or a forged change) is ignored: it is ours to set."""
    scope = Setting.objects.filter(pk=object_id).values_list("scope", flat=True).first()
    if scope is None or scope == SettingScope.GLOBAL:
        return None
    name = payload.get("name") or object_id
    return (
        OverrideKind.SCOPE,
        f"A peer's value for setting {name} was ignored: it is {scope}-scoped in this region.",
    )


register(
    ReplicatedModel(
        Setting,
        exclude=frozenset({"created", "updated", *DEFINITION_FIELDS}),
        applies_to=lambda setting: setting.scope == SettingScope.GLOBAL,
        refuse=_not_global_here,
    )
)


def _reported_by_its_region(object_id: str, payload: dict[str, Any]) -> tuple[str, str] | None:
    """A region's capacity is written by that region alone: a peer's change to this
    region's own rows (another version of the portal, or a forged change) is ignored."""
    local = Region.objects.filter(is_local=True).values_list("pk", flat=True).first()
    if local is None or payload.get("region_id") != local:
        return None
    return (
        OverrideKind.INVALID,
        f"A peer's figures for this region's capacity ({object_id}) were ignored: "
        "only this region reports them.",
    )


register(ReplicatedModel(RegionCapacity, refuse=_reported_by_its_region))
