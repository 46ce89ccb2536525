"""Test data: build objects through the real services, so tests see what users would."""

from __future__ import annotations

import itertools

from identity import services as identity
from identity.models import Account, AccountType, Domain, Project, User
from identity.selectors import root_domain
from regions.models import ParkedChange, Region
from regions.services import region_create
from zones.models import (
    Alert,
    AlertType,
    Cluster,
    Host,
    Pod,
    StoragePool,
    StoragePoolScope,
    VlanIpRange,
    Zone,
)
from zones.services import (
    alert_raise,
    cluster_create,
    host_add,
    host_maintenance_prepare,
    pod_create,
    storage_pool_create,
    vlan_ip_range_create,
    zone_create,
)

PASSWORD = "correct-horse-battery-9"
TIB = 2**40
CLOSED_ENDPOINT = "http://127.0.0.1:9"  # the discard port: no peer ever answers there
_seq = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_seq)}"


def local_region(
    *, id: int = 1, name: str = "east", endpoint: str = "http://127.0.0.1:8000"
) -> Region:
    return region_create(id=id, name=name, endpoint=endpoint, is_local=True, by=None)


def region(*, id: int | None = None, name: str | None = None) -> Region:
    """Another region of the cloud (not this portal's)."""
    number = id or 100 + next(_seq)
    return region_create(
        id=number,
        name=name or f"region{number}",
        endpoint=f"https://region{number}.example.com",
        by=None,
    )


def domain(*, parent: Domain | None = None, name: str | None = None) -> Domain:
    return identity.domain_create(
        parent=parent or root_domain(), name=name or unique("dom"), by=None
    )


def account(
    *, domain: Domain | None = None, name: str | None = None, type: int = AccountType.USER
) -> Account:
    return identity.account_create(
        domain=domain or root_domain(), name=name or unique("acct"), type=type, by=None
    )


def user(
    *,
    account: Account | None = None,
    username: str | None = None,
    password: str = PASSWORD,
    **fields,
) -> User:
    return identity.user_create(
        account=account or globals()["account"](),
        username=username or unique("user"),
        password=password,
        by=None,
        **fields,
    )


def root_admin(*, username: str | None = None) -> User:
    return user(account=account(type=AccountType.ROOT_ADMIN), username=username)


def domain_admin(*, domain: Domain) -> User:
    return user(account=account(domain=domain, type=AccountType.DOMAIN_ADMIN))


def project(
    *, domain: Domain | None = None, owner: Account | None = None, name: str | None = None
) -> Project:
    owner = owner or account(domain=domain)
    return identity.project_create(
        domain=owner.domain, name=name or unique("proj"), owner=owner, by=None
    )


def zone(*, name: str | None = None, **fields) -> Zone:
    fields.setdefault("dns1", "8.8.8.8")
    fields.setdefault("internal_dns1", "10.0.0.2")
    return zone_create(name=name or unique("zone"), by=None, **fields)


_new_zone = zone  # for pod(), whose `zone` keyword hides the function


def pod(*, zone: Zone | None = None, name: str | None = None, **fields) -> Pod:
    """A pod of ZONE (a new zone if not given), in a /24 of its own unless told: gateway .1,
    range .10 to .20."""
    number = next(_seq)
    subnet = f"10.{100 + number // 256 % 150}.{number % 256}"
    fields.setdefault("gateway", f"{subnet}.1")
    fields.setdefault("netmask", "255.255.255.0")
    fields.setdefault("start_ip", f"{subnet}.10")
    fields.setdefault("end_ip", f"{subnet}.20")
    return pod_create(zone=zone or _new_zone(), name=name or unique("pod"), by=None, **fields)


def remote_pod(*, name: str = "far-pod", zone_name: str = "far-zone") -> Pod:
    """A pod of a zone of another region (west, id 2), as replication of the registry would
    show one; made directly, as this region's services refuse it."""
    west = Region.objects.filter(pk=2).first() or region_create(
        id=2, name="west", endpoint="https://west.example.com", by=None
    )
    far = Zone.objects.create(region=west, name=zone_name, dns1="8.8.8.8", internal_dns1="10.0.0.2")
    return Pod.objects.create(
        zone=far,
        name=name,
        gateway="10.0.0.1",
        netmask="255.255.255.0",
        start_ip="10.0.0.10",
        end_ip="10.0.0.20",
    )


_new_pod = pod  # for cluster(), whose `pod` keyword hides the function


def cluster(*, pod: Pod | None = None, name: str | None = None, **fields) -> Cluster:
    """A KVM cluster of POD (a new pod, in a new zone, if not given)."""
    fields.setdefault("hypervisor", "KVM")
    return cluster_create(pod=pod or _new_pod(), name=name or unique("cluster"), by=None, **fields)


_new_cluster = cluster  # for host(), whose `cluster` keyword hides the function


def host(
    *,
    cluster: Cluster | None = None,
    url: str | None = None,
    maintenance: bool = False,
    **fields,
) -> Host:
    """A simulated host of CLUSTER (a new Simulator cluster if not given), discovered from URL
    (a new simulator URL of 4 cores at 2000 MHz and 8 GiB if not given); in MAINTENANCE if
    told."""
    cluster = cluster or _new_cluster(hypervisor="Simulator")
    made = host_add(cluster=cluster, url=url or f"http://sim/{unique('h')}", by=None, **fields)
    return host_maintenance_prepare(host=made, by=None) if maintenance else made


_new_cluster = cluster  # for storage_pool(), whose `cluster` keyword hides the function


def storage_pool(
    *, cluster: Cluster | None = None, name: str | None = None, **fields
) -> StoragePool:
    """A 1 TiB NFS pool (a share of its own) of CLUSTER (a new cluster, in a new pod and
    zone, if not given); with scope="ZONE", a zone-wide KVM pool of `zone` (a new zone if
    not given)."""
    fields.setdefault("url", f"nfs://10.0.0.5/export/{unique('primary')}")
    fields.setdefault("capacity_bytes", TIB)
    if fields.get("scope") == StoragePoolScope.ZONE:
        fields.setdefault("hypervisor", "KVM")
        fields["zone"] = fields.get("zone") or _new_zone()
    else:
        cluster = cluster or _new_cluster()
        fields.update(zone=cluster.pod.zone, pod=cluster.pod, cluster=cluster)
    return storage_pool_create(name=name or unique("pool"), by=None, **fields)


def remote_storage_pool() -> StoragePool:
    """A pool of a cluster of remote_pod(), made directly (this region's services refuse it)."""
    far = remote_pod()
    cluster = Cluster.objects.create(pod=far, name="far-cluster", hypervisor="KVM")
    return StoragePool.objects.create(
        zone=far.zone,
        pod=far,
        cluster=cluster,
        name="far-pool",
        url="nfs://far/x",
        pool_type="NetworkFilesystem",
        host_address="far",
        path="/x",
        hypervisor="KVM",
        capacity_bytes=1,
    )


#: a public IP range's fields (tests that make one by hand start from them)
PUBLIC_RANGE = {
    "vlan": "100",
    "gateway": "203.0.113.1",
    "netmask": "255.255.255.0",
    "start_ip": "203.0.113.10",
    "end_ip": "203.0.113.20",
}


def vlan_ip_range(*, zone: Zone | None = None, **fields) -> VlanIpRange:
    """A public IP range of ZONE (a new zone if not given) on a VLAN and in a /24 of its own
    unless told: gateway .1, addresses .10 to .20 (11 of them), for virtual networks."""
    number = next(_seq)
    subnet = f"100.{64 + number // 256 % 64}.{number % 256}"
    fields.setdefault("vlan", str(3000 + number % 1000))
    fields.setdefault("gateway", f"{subnet}.1")
    fields.setdefault("netmask", "255.255.255.0")
    fields.setdefault("start_ip", f"{subnet}.10")
    fields.setdefault("end_ip", f"{subnet}.20")
    return vlan_ip_range_create(zone=zone or _new_zone(), by=None, **fields)


def parked_change(
    *, attempts: int = 0, origin: int = 2, object_id: str = "u", wall: int = 1
) -> ParkedChange:
    """A user's change from region ORIGIN parked here (waiting for its parent), tried
    ATTEMPTS times (three or more: a dead letter)."""
    return ParkedChange.objects.create(
        model="identity.user",
        object_id=object_id,
        op="upsert",
        wall=wall,
        counter=0,
        origin=origin,
        reason="waiting",
        attempts=attempts,
    )


def alert(*, key: str | None = None, zone: Zone | None = None, **fields) -> Alert:
    """An open host alert (about a host that does not exist: alerts outlive what they name)."""
    fields.setdefault("alert_type", AlertType.HOST)
    fields.setdefault("subject", "Host h1 is not answering")
    created, _ = alert_raise(key=key or unique("host:"), zone=zone, **fields)
    return created
