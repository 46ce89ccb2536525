"""A whole datacenter from one description, as CloudStack's Marvin deploys one: zones, their
pods, clusters and hosts, primary storage, public IP ranges and guest VLANs
(`manage.py deploy_datacenter FILE.json`, and the first-run wizard's zone step).

Idempotent: what exists (a zone or pod by name, a cluster by name in its pod, a host by URL,
a pool by name in its zone, an IP range by its first address) is kept as it is and counted,
so running a file twice changes nothing. All or nothing: a bad entry is refused with the
path of the entry and field (`zones[0].pods[1].clusters[0].hosts[2].url: ...`) and nothing
of the file is written.

The description (Marvin's shape; Marvin's `physical_networks[].vlan` is read too):

    {"zones": [{"name": "z1", "networktype": "Advanced", "dns1": "8.8.8.8",
                "internaldns1": "10.0.0.2", "guestcidraddress": "10.1.0.0/16",
                "vlan": "100-199",
                "ipranges": [{"gateway": .., "netmask": .., "startip": .., "endip": ..,
                              "vlan": "untagged"}],
                "primaryStorages": [{"name": .., "url": .., "capacitybytes": ..,
                                     "scope": "ZONE", "hypervisor": "Simulator"}],
                "pods": [{"name": .., "gateway": .., "netmask": .., "startip": ..,
                          "endip": ..,
                          "clusters": [{"clustername": .., "hypervisor": "Simulator",
                                        "hosts": [{"url": .., "username": .., "password": ..}],
                                        "primaryStorages": [{"name": .., "url": ..,
                                                             "capacitybytes": ..}]}]}]}]}
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from zones.models import AllocationState, Cluster, Host, Pod, StoragePool, VlanIpRange, Zone
from zones.services.clusters import cluster_create
from zones.services.hosts import host_add
from zones.services.pods import pod_create
from zones.services.storage_pools import storage_pool_create
from zones.services.vlan_ip_ranges import vlan_ip_range_create
from zones.services.zones import zone_create

if TYPE_CHECKING:
    from identity.models import User


class DeployError(ValueError):
    """A bad entry of a datacenter description: PATH (zones[0].pods[1].name) and why."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@contextmanager
def _at(path: str) -> Iterator[None]:
    """Errors of the services inside name PATH and the field they name."""
    try:
        yield
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            field, problems = next(iter(error.message_dict.items()))
            raise DeployError(f"{path}.{field}", " ".join(problems)) from error
        raise DeployError(path, " ".join(error.messages)) from error


def _list(entry: dict[str, Any], key: str, path: str) -> list[dict[str, Any]]:
    items = entry.get(key, [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise DeployError(f"{path}.{key}", "A list of objects is expected.")
    return items


def _text(entry: dict[str, Any], key: str, path: str, *, required: bool = True) -> str:
    value = entry.get(key)
    if value is None:
        if required:
            raise DeployError(f"{path}.{key}", "This field is required.")
        return ""
    if not isinstance(value, str | int):
        raise DeployError(f"{path}.{key}", "A text is expected.")
    return str(value)


class _Deployment:
    def __init__(self, by: User | None) -> None:
        self.by = by
        self.made: Counter[str] = Counter()
        self.kept: Counter[str] = Counter()

    def zone(self, entry: dict[str, Any], path: str) -> None:
        name = _text(entry, "name", path)
        zone = Zone.objects.filter(name__iexact=name).first()
        if zone is None:
            vlan = entry.get("vlan") or next(
                (n.get("vlan") for n in entry.get("physical_networks", []) if n.get("vlan")), ""
            )
            with _at(path):
                zone = zone_create(
                    name=name,
                    network_type=entry.get("networktype", "Advanced"),
                    dns1=_text(entry, "dns1", path),
                    internal_dns1=_text(entry, "internaldns1", path),
                    dns2=entry.get("dns2"),
                    internal_dns2=entry.get("internaldns2"),
                    guest_cidr=entry.get("guestcidraddress", ""),
                    vlan=vlan,
                    allocation_state=entry.get("allocationstate", AllocationState.ENABLED),
                    by=self.by,
                )
            self.made["zones"] += 1
        else:
            self.kept["zones"] += 1
        for i, ip_range in enumerate(_list(entry, "ipranges", path)):
            self.ip_range(zone, None, ip_range, f"{path}.ipranges[{i}]")
        for i, pool in enumerate(_list(entry, "primaryStorages", path)):
            self.pool(
                zone,
                None,
                None,
                pool | {"scope": pool.get("scope", "ZONE")},
                f"{path}.primaryStorages[{i}]",
            )
        for i, pod in enumerate(_list(entry, "pods", path)):
            self.pod(zone, pod, f"{path}.pods[{i}]")

    def pod(self, zone: Zone, entry: dict[str, Any], path: str) -> None:
        name = _text(entry, "name", path)
        pod = Pod.objects.filter(zone=zone, name__iexact=name).first()
        if pod is None:
            with _at(path):
                pod = pod_create(
                    zone=zone,
                    name=name,
                    gateway=_text(entry, "gateway", path),
                    netmask=_text(entry, "netmask", path),
                    start_ip=_text(entry, "startip", path),
                    end_ip=entry.get("endip"),
                    by=self.by,
                )
            self.made["pods"] += 1
        else:
            self.kept["pods"] += 1
        for i, ip_range in enumerate(_list(entry, "vlanipranges", path)):
            self.ip_range(zone, pod, ip_range, f"{path}.vlanipranges[{i}]")
        for i, cluster in enumerate(_list(entry, "clusters", path)):
            self.cluster(pod, cluster, f"{path}.clusters[{i}]")

    def cluster(self, pod: Pod, entry: dict[str, Any], path: str) -> None:
        name = _text(entry, "clustername", path)
        cluster = Cluster.objects.filter(pod=pod, name__iexact=name).first()
        if cluster is None:
            with _at(path):
                cluster = cluster_create(
                    pod=pod,
                    name=name,
                    hypervisor=_text(entry, "hypervisor", path),
                    cluster_type=entry.get("clustertype", "CloudManaged"),
                    by=self.by,
                )
            self.made["clusters"] += 1
        else:
            self.kept["clusters"] += 1
        for i, host in enumerate(_list(entry, "hosts", path)):
            self.host(cluster, host, f"{path}.hosts[{i}]")
        for i, pool in enumerate(_list(entry, "primaryStorages", path)):
            self.pool(
                pod.zone, pod, cluster, pool | {"scope": "CLUSTER"}, f"{path}.primaryStorages[{i}]"
            )

    def host(self, cluster: Cluster, entry: dict[str, Any], path: str) -> None:
        url = _text(entry, "url", path)
        if Host.objects.filter(url=url).exists():
            self.kept["hosts"] += 1
            return
        with _at(path):
            host_add(
                cluster=cluster,
                url=url,
                username=entry.get("username") or "",
                password=entry.get("password") or "",
                host_tags=entry.get("hosttags") or "",
                by=self.by,
            )
        self.made["hosts"] += 1

    def pool(
        self,
        zone: Zone,
        pod: Pod | None,
        cluster: Cluster | None,
        entry: dict[str, Any],
        path: str,
    ) -> None:
        name = _text(entry, "name", path)
        if StoragePool.objects.filter(zone=zone, name__iexact=name).exists():
            self.kept["storage pools"] += 1
            return
        with _at(path):
            storage_pool_create(
                zone=zone,
                pod=pod,
                cluster=cluster,
                name=name,
                url=_text(entry, "url", path),
                capacity_bytes=entry.get("capacitybytes"),
                scope=entry.get("scope", "CLUSTER"),
                hypervisor=entry.get("hypervisor"),
                tags=entry.get("tags") or "",
                by=self.by,
            )
        self.made["storage pools"] += 1

    def ip_range(self, zone: Zone, pod: Pod | None, entry: dict[str, Any], path: str) -> None:
        start = _text(entry, "startip", path)
        if VlanIpRange.objects.filter(zone=zone, start_ip=start).exists():
            self.kept["IP ranges"] += 1
            return
        with _at(path):
            vlan_ip_range_create(
                zone=zone,
                pod=pod,
                gateway=_text(entry, "gateway", path),
                netmask=_text(entry, "netmask", path),
                start_ip=start,
                end_ip=entry.get("endip"),
                vlan=entry.get("vlan"),
                for_virtual_network=bool(entry.get("forvirtualnetwork", True)),
                by=self.by,
            )
        self.made["IP ranges"] += 1


def datacenter_deploy(*, description: Any, by: User | None) -> dict[str, dict[str, int]]:
    """Make what DESCRIPTION (the parsed JSON) describes and is not there yet; returns how
    many of each were made and how many were there already. Raises DeployError, having
    written nothing, for a bad entry."""
    if not isinstance(description, dict):
        raise DeployError("(top)", "An object with a list of zones is expected.")
    deployment = _Deployment(by)
    with transaction.atomic():
        for i, zone in enumerate(_list(description, "zones", "(top)")):
            deployment.zone(zone, f"zones[{i}]")
    return {"made": dict(deployment.made), "kept": dict(deployment.kept)}
