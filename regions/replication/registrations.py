"""The region registry replicates too: every region keeps the list of all regions."""

from __future__ import annotations

import uuid
from typing import Any

from regions.models import OverrideKind, Region
from regions.replication.region_ids import region_id_holder
from regions.replication.registry import ReplicatedModel, register


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
