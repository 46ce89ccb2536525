"""Host writes: a cluster's hosts, discovered through the cluster's hypervisor driver
(zones/drivers/) from their URL as CloudStack's addHost discovers them; their resource state
(enabled, disabled, maintenance) as an admin sets it and their state (Up, Alert, Down) as
their pings find it; only in this region's zones.

A host's writes lock its cluster and then the host, so a cluster being deleted sees the
hosts added meanwhile. A password given to discover a host is handed to the driver and kept
nowhere (neither in the row nor in the change log). Every change of a host's `state` passes
through `host_state_set`.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from portal.concurrency import atomic_write
from portal.permissions import Action, require
from portal.validation import NON_FIELD, check_choice, check_length, invalid
from portal.writes import save_changed, unique_name
from regions.configuration.selectors import setting_value
from zones.drivers import DriverError, HostFacts, driver_for
from zones.models import AlertType, AllocationState, Cluster, Host, HostState, ResourceState
from zones.selectors import hosts_ping_due
from zones.services.alerts import alert_raise, alert_resolve
from zones.services.clusters import cluster_locked
from zones.services.zones import zone_is_local

if TYPE_CHECKING:
    from identity.models import User

log = logging.getLogger(__name__)

#: the resource states of a host in (or on its way into) maintenance
IN_MAINTENANCE = (
    ResourceState.MAINTENANCE,
    ResourceState.PREPARE_FOR_MAINTENANCE,
    ResourceState.ERROR_IN_MAINTENANCE,
)


def host_cluster_check(*, cluster: Cluster) -> None:
    """Refuse hosts in a cluster of another region's zone (host pages ask it too, to offer
    their buttons only for hosts of this region's zones)."""
    if not zone_is_local(cluster.pod.zone):
        raise invalid(
            "cluster", "Hosts are managed by the portal of their zone's region.", "remote"
        )


def tags_normalise(tags: str | list[str] | None) -> str:
    """TAGS (comma-separated text or a list) as stored: each tag stripped, once, in order."""
    items = tags.split(",") if isinstance(tags, str) else list(tags or [])
    unique = dict.fromkeys(str(item).strip() for item in items if str(item).strip())
    text = ",".join(unique)
    return check_length("host_tags", text, max_length=1024, required=False)


def _url(url: str) -> str:
    url = check_length("url", url, max_length=Host._meta.get_field("url").max_length)
    if urlsplit(url).password is not None:
        raise invalid("url", "Give the password in its own field: the URL is kept and shown.")
    holder = Host.objects.filter(url=url).select_related("cluster").first()
    if holder is not None:
        raise invalid(
            "url", f"Host {holder.name} of cluster {holder.cluster.name} has this URL.", "unique"
        )
    return url


def _name(cluster: Cluster, name: str, host: Host | None = None, *, field: str = "name") -> str:
    try:
        return unique_name(
            cluster.hosts.all(),
            name,
            taken=lambda name: f"A host named {name} exists in cluster {cluster.name}.",
            exclude=host,
        )
    except ValidationError as error:  # a discovered name is the URL's doing
        if field == "name":
            raise
        raise invalid(field, " ".join(error.messages), error.error_dict["name"][0].code) from None


def host_discover(
    *, cluster: Cluster, url: str, username: str = "", password: str = ""
) -> HostFacts:
    """What the driver of CLUSTER's hypervisor reads from the host at URL; refused on `url`
    with the driver's reason."""
    try:
        return driver_for(cluster.hypervisor).discover(url, username or "", password or "")
    except DriverError as error:
        raise invalid("url", str(error), "driver") from error


def host_add(
    *,
    cluster: Cluster,
    url: str,
    username: str = "",
    password: str = "",
    host_tags: str | list[str] = "",
    allocation_state: str = AllocationState.ENABLED,
    hypervisor: str | None = None,
    by: User | None,
) -> Host:
    """The host at URL, discovered through CLUSTER's driver and added to it, Up. HYPERVISOR,
    if given, must be the cluster's (CloudStack's addHost names it)."""
    require(by, Action.ADD, Host)
    host_cluster_check(cluster=cluster)
    if hypervisor is not None and hypervisor != cluster.hypervisor:
        raise invalid(
            "hypervisor", f"Cluster {cluster.name} is a cluster of {cluster.hypervisor} hosts."
        )
    url = _url(url)
    tags = tags_normalise(host_tags)
    state = check_choice("allocation_state", allocation_state, AllocationState)
    # Discovery may take a while (a remote host): it runs before the cluster is locked.
    facts = host_discover(cluster=cluster, url=url, username=username, password=password)
    return _host_create(cluster, url, facts, tags, state)


@atomic_write
def _host_create(cluster: Cluster, url: str, facts: HostFacts, tags: str, state: str) -> Host:
    cluster = cluster_locked(cluster)
    now = timezone.now()
    return Host.objects.create(
        cluster=cluster,
        name=_name(cluster, facts.hostname, field="url"),
        url=_url(url),
        hypervisor=cluster.hypervisor,
        state=HostState.UP,  # discovery found it answering
        resource_state=state,
        **{field: value for field, value in asdict(facts).items() if field != "hostname"},
        host_tags=tags,
        last_pinged=now,
        last_ping_attempt=now,
    )


def _locked(host: Host) -> Host:
    """HOST, its cluster locked first (see the module), locked for this transaction."""
    host_cluster_check(cluster=host.cluster)
    cluster_locked(host.cluster)
    locked = Host.objects.select_for_update().filter(pk=host.pk).first()
    if locked is None:
        raise invalid(NON_FIELD, "This host was deleted meanwhile.", "gone")
    return locked


@atomic_write
def host_update(
    *,
    host: Host,
    by: User | None,
    name: str | None = None,
    host_tags: str | list[str] | None = None,
    allocation_state: str | None = None,
) -> Host:
    """Rename HOST, change its tags, or enable or disable it (not while in maintenance)."""
    require(by, Action.CHANGE, host)
    host = _locked(host)
    values = {}
    if name is not None:
        values["name"] = _name(host.cluster, name, host)
    if host_tags is not None:
        values["host_tags"] = tags_normalise(host_tags)
    if allocation_state is not None:
        state = check_choice("allocation_state", allocation_state, AllocationState)
        if host.resource_state in IN_MAINTENANCE and state != host.resource_state:
            raise invalid(
                "allocation_state",
                f"Host {host.name} is in {host.resource_state}; cancel its maintenance first.",
                "state",
            )
        values["resource_state"] = state
    save_changed(host, **values)
    return host


def host_delete_check(*, host: Host, forced: bool = False) -> None:
    """Refuse deleting HOST while instances have CPU or memory on it, and (unless FORCED,
    as CloudStack's deleteHost) while it is not in maintenance."""
    if host.cpu_allocated or host.memory_allocated:
        raise invalid(
            NON_FIELD,
            f"Host {host.name} still runs instances ({host.cpu_allocated} MHz, "
            f"{host.memory_allocated} bytes allocated); stop or migrate them first.",
            "in_use",
        )
    if not forced and host.resource_state != ResourceState.MAINTENANCE:
        raise invalid(
            NON_FIELD,
            f"Host {host.name} is not in maintenance: put it into maintenance first, or "
            "delete it forced.",
            "state",
        )


@atomic_write
def host_delete(*, host: Host, forced: bool = False, by: User | None) -> None:
    require(by, Action.DELETE, host)
    locked = _locked(host)
    host_delete_check(host=locked, forced=forced)
    locked.delete()


def host_maintenance_check(*, host: Host) -> None:
    """Refuse putting HOST into maintenance when it is in (or on its way into) it."""
    if host.resource_state in (ResourceState.MAINTENANCE, ResourceState.PREPARE_FOR_MAINTENANCE):
        raise invalid(NON_FIELD, f"Host {host.name} is already in {host.resource_state}.", "state")


def host_maintenance_cancel_check(*, host: Host) -> None:
    """Refuse cancelling the maintenance of a host that is not in maintenance."""
    if host.resource_state not in IN_MAINTENANCE:
        raise invalid(NON_FIELD, f"Host {host.name} is not in maintenance.", "state")


@atomic_write
def host_maintenance_prepare(*, host: Host, by: User | None) -> Host:
    """Put HOST into maintenance: at once when no instance has anything on it (there is
    nothing to move), else PrepareForMaintenance until they have been moved."""
    require(by, Action.CHANGE, host)
    host = _locked(host)
    host_maintenance_check(host=host)
    empty = not (host.cpu_allocated or host.memory_allocated)
    target = ResourceState.MAINTENANCE if empty else ResourceState.PREPARE_FOR_MAINTENANCE
    save_changed(host, resource_state=target)
    return host


@atomic_write
def host_maintenance_cancel(*, host: Host, by: User | None) -> Host:
    """Take HOST out of maintenance: Enabled again."""
    require(by, Action.CHANGE, host)
    host = _locked(host)
    host_maintenance_cancel_check(host=host)
    save_changed(host, resource_state=ResourceState.ENABLED)
    return host


# --- state: what pings find ------------------------------------------------------------------


@atomic_write
def host_state_set(*, host: Host, state: str, reason: str) -> bool:
    """The one place HOST's state (Up, Alert, Down ...) changes, for REASON (logged); what
    follows a change (an alert) belongs here. Whether it changed."""
    state = check_choice("state", state, HostState)
    previous = host.state
    if not save_changed(host, state=state):
        return False
    log.info("host %s (%s): %s -> %s: %s", host.name, host.pk, previous, state, reason)
    key = f"host:{host.pk}"
    if state == HostState.UP:
        alert_resolve(key=key)
    elif state in (HostState.ALERT, HostState.DOWN, HostState.DISCONNECTED):
        cluster = host.cluster
        alert_raise(
            alert_type=AlertType.HOST,
            key=key,
            subject=(
                f"Host {host.name} of cluster {cluster.name} in zone {cluster.pod.zone.name} "
                f"is {state}: {reason}"
            ),
            zone=cluster.pod.zone,
            pod=cluster.pod,
            cluster=cluster,
        )
    return True


def ping_grace(host: Host) -> timedelta:
    """How long HOST may go unanswered before it is Down: its zone's ping.interval times
    ping.timeout (CloudStack's rule)."""
    zone = host.cluster.pod.zone_id
    return timedelta(
        seconds=setting_value("ping.interval", zone=zone) * setting_value("ping.timeout", zone=zone)
    )


def host_ping(*, host: Host, now: datetime | None = None) -> str | None:
    """Ping HOST through its driver and record it: an answer makes it Up (last_pinged NOW); no
    answer makes it Alert, or Down once it has not answered for longer than its ping grace.
    Its state afterwards; None if it was deleted meanwhile."""
    answered = driver_for(host.hypervisor).ping(host)  # may take a while: nothing locked yet
    return _ping_record(host, answered, now or timezone.now())


@atomic_write
def _ping_record(host: Host, answered: bool, now: datetime) -> str | None:
    # the host's row only (not its cluster's: host writes lock that one first)
    rows = Host.objects.select_for_update(of=("self",)).select_related("cluster__pod")
    locked = rows.filter(pk=host.pk).first()
    if locked is None:
        return None
    if answered:
        locked.last_pinged, state, reason = now, HostState.UP, "it answered its ping"
    else:
        silent = locked.last_pinged is None or now - locked.last_pinged > ping_grace(locked)
        state = HostState.DOWN if silent else HostState.ALERT
        reason = f"no answer to its ping; it last answered at {locked.last_pinged}"
    locked.last_ping_attempt = now
    locked.save(update_fields=["last_pinged", "last_ping_attempt"])  # quiet: not logged
    host_state_set(host=locked, state=state, reason=reason)
    return locked.state


def hosts_ping_sweep(*, now: datetime | None = None) -> int:
    """Ping every host of this region that is due (its zone's ping.interval since its last
    ping); the number pinged. Each is claimed first (its last_ping_attempt set), so a sweep
    that overlaps this one leaves it alone."""
    now = now or timezone.now()
    with transaction.atomic():
        due = hosts_ping_due(now=now).order_by().select_for_update(skip_locked=True, of=("self",))
        ids = list(due.values_list("pk", flat=True))
        Host.objects.filter(pk__in=ids).update(last_ping_attempt=now)
    for host in Host.objects.filter(pk__in=ids).select_related("cluster__pod"):
        host_ping(host=host, now=now)
    return len(ids)
