"""Region registry writes."""

from __future__ import annotations

import datetime
import uuid as uuid_module
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.db import transaction

from portal.permissions import Action, require
from portal.validation import check_length, invalid
from portal.writes import require_unique, save_changed, unique_name
from regions.models import Region, RegionCapacity, region_capacity_id

if TYPE_CHECKING:
    from identity.models import User  # annotations only: identity is a layer above

MAX_REGION_ID = 2**31 - 1


def endpoint_normalize(endpoint: str, *, field: str = "endpoint") -> str:
    """An absolute http(s) URL of a portal, without a trailing slash, query or fragment."""
    endpoint = check_length(field, endpoint, max_length=255)
    parts = urlsplit(endpoint)
    blank_inside = any(ch.isspace() or not ch.isprintable() for ch in endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname or blank_inside:
        raise invalid(
            field, "Enter an absolute http:// or https:// URL, such as https://east.example.com."
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise invalid(field, "The endpoint cannot carry credentials, a query or a fragment.")
    try:
        parts.port  # noqa: B018  (raises on a malformed port)
    except ValueError as error:
        raise invalid(field, "The endpoint has an invalid port.") from error
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def _check_id(region_id: Any) -> int:
    try:
        region_id = int(region_id)
    except (TypeError, ValueError) as error:
        raise invalid("id", "The region id must be a whole number.") from error
    if not 1 <= region_id <= MAX_REGION_ID:
        raise invalid("id", f"The region id must be between 1 and {MAX_REGION_ID}.")
    if Region.objects.filter(pk=region_id).exists():
        raise invalid("id", f"Region id {region_id} is taken.", "unique")
    return region_id


def _check_endpoint(endpoint: str, *, exclude: Region | None = None) -> str:
    return require_unique(
        Region.objects.all(),
        field="endpoint",
        value=endpoint_normalize(endpoint),
        message=lambda holder: f"Region {holder.name} already has this endpoint.",
        exclude=exclude,
    )


def region_new_check(*, name: str, endpoint: str, description: str = "") -> None:
    """Refuse a new region's name, endpoint or description as region_create would, writing
    nothing: a join refuses bad input before other regions are asked to reserve an id."""
    unique_name(Region.objects.all(), name)
    _check_endpoint(endpoint)
    check_length("description", description, max_length=1024, required=False)


@transaction.atomic
def region_create(
    *,
    id: Any,
    name: str,
    endpoint: str,
    description: str = "",
    is_local: bool = False,
    uuid: uuid_module.UUID | None = None,
    by: User | None,
) -> Region:
    """A new region row; UUID when its id was agreed with the cloud under that UUID (a join)."""
    require(by, Action.ADD, Region)
    if is_local and Region.objects.filter(is_local=True).exists():
        raise invalid("is_local", "This portal already serves a region.", "unique")
    if uuid is not None and Region.objects.filter(uuid=uuid).exists():
        raise invalid("uuid", f"A region with UUID {uuid} exists.", "unique")
    return Region.objects.create(
        id=_check_id(id),
        uuid=uuid or uuid_module.uuid4(),
        name=unique_name(Region.objects.all(), name),
        endpoint=_check_endpoint(endpoint),
        description=check_length("description", description, max_length=1024, required=False),
        is_local=is_local,
    )


@transaction.atomic
def region_update(
    *,
    region: Region,
    by: User | None,
    name: str | None = None,
    endpoint: str | None = None,
    description: str | None = None,
) -> Region:
    require(by, Action.CHANGE, region)
    values = {}
    if name is not None:
        values["name"] = unique_name(Region.objects.all(), name, exclude=region)
    if endpoint is not None:
        values["endpoint"] = _check_endpoint(endpoint, exclude=region)
    if description is not None:
        values["description"] = check_length(
            "description", description, max_length=1024, required=False
        )
    save_changed(region, **values)
    return region


def region_delete_check(*, region: Region) -> None:
    """Refuse deleting the region this portal serves (region pages ask it too). Zones left
    are refused by the delete itself, which says how many."""
    if region.is_local:
        raise invalid("region", "The region this portal serves cannot be deleted.", "local")


@transaction.atomic
def region_delete(*, region: Region, by: User | None) -> None:
    require(by, Action.DELETE, region)
    region_delete_check(region=region)
    zones = region.zones.count()
    if zones:
        raise invalid("region", f"Region {region.name} still has {zones} zone(s).", "in_use")
    region.delete()


@transaction.atomic
def region_capacity_report(
    *, figures: list[tuple[int, int, int, int]], at: datetime.datetime
) -> int:
    """This region's capacities (type, total, used, allocated) as computed AT, for every
    region to show; the rows of types no longer reported go. Returns how many were written.
    Only this region writes its rows, so they never conflict."""
    local = Region.objects.filter(is_local=True).first()
    if local is None:
        return 0
    kinds = set()
    for kind, total, used, allocated in figures:
        kinds.add(kind)
        RegionCapacity.objects.update_or_create(
            id=region_capacity_id(local.uuid, kind),
            defaults={
                "region": local,
                "capacity_type": kind,
                "total": total,
                "used": used,
                "allocated": allocated,
                "reported": at,
            },
        )
    for gone in RegionCapacity.objects.filter(region=local).exclude(capacity_type__in=kinds):
        gone.delete()  # one by one: each delete is a change the peers receive
    return len(kinds)
