"""What changes capacity recomputes its zone, once the writer's transaction commits: a pod,
cluster, host, storage pool, public IP range or guest VLAN range saved or deleted (a host's
pings, which stamp only its state and ping times, change no capacity). The periodic job
(zones.tasks.capacity_check) corrects anything missed, such as a write made outside Django.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from zones.models import Cluster, GuestVlanRange, Host, Pod, StoragePool, VlanIpRange
from zones.services.capacity import capacity_refresh_after_commit

#: a host's fields whose saves alone change no capacity (its pings)
PING_FIELDS = frozenset({"state", "last_pinged", "last_ping_attempt", "updated"})


def _zone_of(instance: Any) -> Any:
    if isinstance(instance, Host):
        return instance.cluster.pod.zone_id
    if isinstance(instance, Cluster):
        return instance.pod.zone_id
    return instance.zone_id


def _changed(sender: type, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    if sender is Host and update_fields is not None and set(update_fields) <= PING_FIELDS:
        return
    capacity_refresh_after_commit(zone_id=_zone_of(instance))


def connect() -> None:
    """Listen to the inventory's writes (from zones' AppConfig.ready)."""
    for model in (Pod, Cluster, Host, StoragePool, VlanIpRange, GuestVlanRange):
        post_save.connect(_changed, sender=model, dispatch_uid=f"capacity-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"capacity-del-{model.__name__}")
