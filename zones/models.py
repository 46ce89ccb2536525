"""Availability zones, their pods, the pods' clusters and the clusters' hosts, the zones'
primary storage pools, public IP ranges (with one row per address) and guest VLAN ranges
(with one row per VLAN), alerts and capacity; a region portal manages only the zones of its
own region."""

from __future__ import annotations

from django.db import models
from django.db.models import F
from django.db.models.functions import Lower
from django.template.defaultfilters import filesizeformat
from django.urls import reverse

from portal.declarations import Audience, Menu, Scope, declare
from portal.models import UUIDModel
from regions.models import CapacityType, Setting


class NetworkType(models.TextChoices):
    BASIC = "Basic", "Basic"
    ADVANCED = "Advanced", "Advanced"


class AllocationState(models.TextChoices):
    ENABLED = "Enabled", "Enabled"
    DISABLED = "Disabled", "Disabled"


class Zone(UUIDModel):
    name = models.CharField(max_length=255, unique=True)
    description = models.CharField(max_length=1024, blank=True)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="zones")
    network_type = models.CharField(
        max_length=16, choices=NetworkType.choices, default=NetworkType.ADVANCED
    )
    dns1 = models.GenericIPAddressField(verbose_name="DNS 1")
    dns2 = models.GenericIPAddressField(null=True, blank=True, verbose_name="DNS 2")
    internal_dns1 = models.GenericIPAddressField(verbose_name="internal DNS 1")
    internal_dns2 = models.GenericIPAddressField(
        null=True, blank=True, verbose_name="internal DNS 2"
    )
    guest_cidr = models.CharField(max_length=43, blank=True, verbose_name="guest CIDR")
    allocation_state = models.CharField(
        max_length=16, choices=AllocationState.choices, default=AllocationState.DISABLED
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("zones:zone", args=[self.pk])


declare(
    Zone,
    scope=Scope.REGION,  # a zone belongs to one region; its pages lead to the zone list
    audience=Audience.EVERYONE,
    menu=Menu("Zones", "zones:zone_list", order=20),
)


class Pod(UUIDModel):
    """A pod of a zone (a rack, say): its subnet, given by its gateway and netmask, and the
    range of that subnet reserved for system VMs (CloudStack's createPod startip, endip)."""

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="pods")
    name = models.CharField(max_length=255)
    gateway = models.GenericIPAddressField(protocol="IPv4")
    netmask = models.GenericIPAddressField(protocol="IPv4")
    start_ip = models.GenericIPAddressField(protocol="IPv4", verbose_name="start IP")
    end_ip = models.GenericIPAddressField(protocol="IPv4", verbose_name="end IP")
    allocation_state = models.CharField(
        max_length=16, choices=AllocationState.choices, default=AllocationState.ENABLED
    )

    class Meta:
        ordering = ["zone__name", "name"]
        constraints = [
            models.UniqueConstraint("zone", Lower("name"), name="zones_pod_name_unique_in_zone")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("zones:pod", args=[self.pk])


declare(
    Pod,
    scope=Scope.ZONE,
    audience=Audience.ROOT,  # infrastructure: CloudStack's listPods is root admins' only
    menu=Menu("Pods", "zones:pod_list", group="Infrastructure", order=21),
    event="POD",
)


class Hypervisor(models.TextChoices):
    """The hypervisors a cluster may run (CloudStack's names)."""

    KVM = "KVM", "KVM"
    SIMULATOR = "Simulator", "Simulator"


class ClusterType(models.TextChoices):
    """CloudStack's cluster types: only clusters CloudStack manages itself (not vCenter's)."""

    CLOUD_MANAGED = "CloudManaged", "CloudManaged"


class CpuArch(models.TextChoices):
    X86_64 = "x86_64", "x86_64"


class Cluster(UUIDModel):
    """A cluster of a pod: hosts of one hypervisor (CloudStack's addCluster); its zone is
    its pod's."""

    pod = models.ForeignKey(Pod, on_delete=models.PROTECT, related_name="clusters")
    name = models.CharField(max_length=255)
    hypervisor = models.CharField(max_length=32, choices=Hypervisor.choices)
    cluster_type = models.CharField(
        max_length=32, choices=ClusterType.choices, default=ClusterType.CLOUD_MANAGED
    )
    arch = models.CharField(
        max_length=16, choices=CpuArch.choices, default=CpuArch.X86_64, verbose_name="CPU arch"
    )
    allocation_state = models.CharField(
        max_length=16, choices=AllocationState.choices, default=AllocationState.ENABLED
    )
    # CloudStack keeps them as the cluster's details cpuOvercommitRatio and
    # memoryOvercommitRatio: what its hosts offer is their capacity times the ratio
    cpu_overcommit_ratio = models.FloatField(default=1.0, verbose_name="CPU overcommit ratio")
    memory_overcommit_ratio = models.FloatField(default=1.0, verbose_name="memory overcommit ratio")

    class Meta:
        ordering = ["pod__zone__name", "pod__name", "name"]
        constraints = [
            models.UniqueConstraint("pod", Lower("name"), name="zones_cluster_name_unique_in_pod")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("zones:cluster", args=[self.pk])


declare(
    Cluster,
    scope=Scope.ZONE,
    audience=Audience.ROOT,  # infrastructure: CloudStack's listClusters is root admins' only
    menu=Menu("Clusters", "zones:cluster_list", group="Infrastructure", order=22),
    event="CLUSTER",
)


class HostType(models.TextChoices):
    """CloudStack's host types: only hypervisor hosts (Routing) are added here."""

    ROUTING = "Routing", "Routing"


class HostState(models.TextChoices):
    """CloudStack's host status: whether the host answers its pings."""

    UP = "Up", "Up"
    DOWN = "Down", "Down"
    ALERT = "Alert", "Alert"
    DISCONNECTED = "Disconnected", "Disconnected"
    CONNECTING = "Connecting", "Connecting"


class ResourceState(models.TextChoices):
    """CloudStack's resource state of a host: whether new work may go to it."""

    ENABLED = "Enabled", "Enabled"
    DISABLED = "Disabled", "Disabled"
    MAINTENANCE = "Maintenance", "Maintenance"
    PREPARE_FOR_MAINTENANCE = "PrepareForMaintenance", "PrepareForMaintenance"
    ERROR_IN_MAINTENANCE = "ErrorInMaintenance", "ErrorInMaintenance"


class Host(UUIDModel):
    """A hypervisor host of a cluster, discovered through its hypervisor's driver from its
    URL (CloudStack's addHost): what it has (CPU, memory, local storage) is read from the
    host, never typed in; its zone is its cluster's pod's."""

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="hosts")
    name = models.CharField(max_length=255)
    url = models.CharField(max_length=1024, unique=True, verbose_name="URL")
    host_type = models.CharField(max_length=32, choices=HostType.choices, default=HostType.ROUTING)
    #: the cluster's, copied when the host is added
    hypervisor = models.CharField(max_length=32, choices=Hypervisor.choices)
    state = models.CharField(max_length=16, choices=HostState.choices, default=HostState.CONNECTING)
    resource_state = models.CharField(
        max_length=32, choices=ResourceState.choices, default=ResourceState.ENABLED
    )
    cpu_sockets = models.PositiveIntegerField(verbose_name="CPU sockets")
    #: cores (logical CPUs), as CloudStack's cpunumber
    cpu_number = models.PositiveIntegerField(verbose_name="CPU cores")
    #: MHz
    cpu_speed = models.PositiveIntegerField(verbose_name="CPU speed (MHz)")
    #: bytes
    memory = models.BigIntegerField(verbose_name="memory (bytes)")
    #: bytes; 0 if the host has none
    local_storage = models.BigIntegerField(default=0, verbose_name="local storage (bytes)")
    #: what instances on the host have been given: MHz and bytes
    cpu_allocated = models.BigIntegerField(default=0, verbose_name="CPU allocated (MHz)")
    memory_allocated = models.BigIntegerField(default=0, verbose_name="memory allocated (bytes)")
    cores_allocated = models.PositiveIntegerField(default=0, verbose_name="cores allocated")
    #: what the host reports in use (its pings): MHz and bytes; local storage by volumes
    cpu_used = models.BigIntegerField(default=0, verbose_name="CPU used (MHz)")
    memory_used = models.BigIntegerField(default=0, verbose_name="memory used (bytes)")
    local_storage_used = models.BigIntegerField(
        default=0, verbose_name="local storage used (bytes)"
    )
    #: comma-separated, each tag once (zones.services.hosts.tags_normalise)
    host_tags = models.CharField(max_length=1024, blank=True)
    #: when the host last answered a ping (or its discovery)
    last_pinged = models.DateTimeField(null=True, blank=True)
    #: when it was last pinged, answered or not: the ping job's clock
    last_ping_attempt = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["cluster__pod__zone__name", "cluster__pod__name", "cluster__name", "name"]
        constraints = [
            models.UniqueConstraint(
                "cluster", Lower("name"), name="zones_host_name_unique_in_cluster"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("zones:host", args=[self.pk])

    def get_memory_display(self) -> str:
        return filesizeformat(self.memory)

    def get_local_storage_display(self) -> str:
        return filesizeformat(self.local_storage) if self.local_storage else "none"


declare(
    Host,
    scope=Scope.ZONE,
    audience=Audience.ROOT,  # infrastructure: CloudStack's listHosts is root admins' only
    menu=Menu("Hosts", "zones:host_list", group="Infrastructure", order=23),
    # pings stamp these every minute: not a change worth a line of the log
    quiet_fields=("last_pinged", "last_ping_attempt"),
    event="HOST",
)


class SimulatorHost(UUIDModel):
    """A simulated machine's own state, as the simulator driver keeps it for every process
    (gunicorn, Celery workers): keyed by its URL, made only when an admin configures a
    fault (CloudStack's configureSimulator); without a row a simulated host answers."""

    url = models.CharField(max_length=1024, unique=True, verbose_name="URL")
    #: whether it answers pings (and discovery)
    answering = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.url


declare(SimulatorHost, scope=Scope.ZONE, audience=Audience.SYSTEM, logged=False)


class StoragePoolScope(models.TextChoices):
    """Which hosts reach a pool (CloudStack's ScopeType): its cluster's, or its zone's."""

    CLUSTER = "CLUSTER", "Cluster"
    ZONE = "ZONE", "Zone"


class StoragePoolType(models.TextChoices):
    """CloudStack's pool types, of the URL schemes the portal takes (nfs://,
    SharedMountPoint://, file:// or Filesystem://)."""

    NETWORK_FILESYSTEM = "NetworkFilesystem", "NetworkFilesystem"
    SHARED_MOUNT_POINT = "SharedMountPoint", "SharedMountPoint"
    FILESYSTEM = "Filesystem", "Filesystem"


class StoragePoolState(models.TextChoices):
    """CloudStack's StoragePoolStatus, of the states a pool the portal tracks can be in."""

    UP = "Up", "Up"
    DISABLED = "Disabled", "Disabled"
    PREPARE_FOR_MAINTENANCE = "PrepareForMaintenance", "PrepareForMaintenance"
    MAINTENANCE = "Maintenance", "Maintenance"
    ERROR_IN_MAINTENANCE = "ErrorInMaintenance", "ErrorInMaintenance"


class StoragePool(UUIDModel):
    """Primary storage (CloudStack's createStoragePool): a share the hosts of a cluster
    (scope CLUSTER, with its pod and cluster) or of the whole zone (scope ZONE, of one
    hypervisor) keep volumes on. Its type, server and path come from its URL; its size is
    given (the portal does not mount the share), and volumes allocate into it."""

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="storage_pools")
    pod = models.ForeignKey(
        Pod, on_delete=models.PROTECT, null=True, blank=True, related_name="storage_pools"
    )
    cluster = models.ForeignKey(
        Cluster, on_delete=models.PROTECT, null=True, blank=True, related_name="storage_pools"
    )
    scope = models.CharField(
        max_length=16, choices=StoragePoolScope.choices, default=StoragePoolScope.CLUSTER
    )
    name = models.CharField(max_length=255)
    url = models.CharField(max_length=255, verbose_name="URL")
    pool_type = models.CharField(
        max_length=32, choices=StoragePoolType.choices, verbose_name="type"
    )
    #: the server of the share (CloudStack's host_address, answered as `ipaddress`)
    host_address = models.CharField(max_length=255, verbose_name="server")
    path = models.CharField(max_length=255)
    hypervisor = models.CharField(max_length=32, choices=Hypervisor.choices)
    #: CloudStack's capacity_bytes (disksizetotal)
    capacity_bytes = models.BigIntegerField(verbose_name="capacity (bytes)")
    #: disksizeused: what the volumes on it take
    used_bytes = models.BigIntegerField(default=0, verbose_name="used (bytes)")
    #: disksizeallocated: what volumes were given on it
    allocated_bytes = models.BigIntegerField(default=0, verbose_name="allocated (bytes)")
    #: comma-separated, each once (storage tags offerings ask for)
    tags = models.CharField(max_length=1024, blank=True)
    state = models.CharField(
        max_length=32, choices=StoragePoolState.choices, default=StoragePoolState.UP
    )

    class Meta:
        ordering = ["zone__name", "name"]
        constraints = [
            models.UniqueConstraint(
                "zone", Lower("name"), name="zones_storagepool_name_unique_in_zone"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(scope="CLUSTER", pod__isnull=False, cluster__isnull=False)
                    | models.Q(scope="ZONE", pod__isnull=True, cluster__isnull=True)
                ),
                name="zones_storagepool_scope_places",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity_bytes__gt=0, used_bytes__gte=0, allocated_bytes__gte=0),
                name="zones_storagepool_sizes",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("zones:storage_pool", args=[self.pk])


declare(
    StoragePool,
    scope=Scope.ZONE,
    audience=Audience.ROOT,  # infrastructure: CloudStack's listStoragePools is root admins' only
    menu=Menu("Primary storage", "zones:storage_pool_list", group="Infrastructure", order=24),
    event="STORAGE.POOL",
)


class ZoneSetting(UUIDModel):
    """A zone's own value for a zone-scoped setting; local to this region."""

    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="zone_values")
    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="setting_values")
    value = models.TextField()

    class Meta:
        ordering = ["setting__name", "zone__name"]
        constraints = [
            models.UniqueConstraint(fields=["setting", "zone"], name="zones_zonesetting_unique")
        ]

    def __str__(self) -> str:
        return f"{self.setting} in {self.zone}"

    def get_absolute_url(self) -> str:
        return reverse("settings:zone_setting_edit", args=[self.setting_id, self.zone_id])


declare(ZoneSetting, scope=Scope.ZONE, audience=Audience.ADMINS, event="CONFIGURATION.ZONE")


class AlertType(models.IntegerChoices):
    """CloudStack's alert types (AlertService.AlertType): a capacity's alert has its
    capacity type's number."""

    MEMORY = 0, "ALERT.MEMORY"
    CPU = 1, "ALERT.CPU"
    STORAGE = 2, "ALERT.STORAGE"
    STORAGE_ALLOCATED = 3, "ALERT.STORAGE.ALLOCATED"
    PUBLIC_IP = 4, "ALERT.NETWORK.PUBLICIP"
    PRIVATE_IP = 5, "ALERT.NETWORK.PRIVATEIP"
    SECONDARY_STORAGE = 6, "ALERT.STORAGE.SECONDARY"
    HOST = 7, "ALERT.COMPUTE.HOST"
    VLAN = 18, "ALERT.NETWORK.VLAN"
    LOCAL_STORAGE = 25, "ALERT.STORAGE.LOCAL"


class Alert(UUIDModel):
    """Something in this region's infrastructure an operator should know of: a host that
    stopped answering, a capacity past its threshold. One open alert per subject (`key`):
    raising it again only counts (`last_sent`); it closes when what it is about recovers."""

    alert_type = models.PositiveSmallIntegerField(choices=AlertType.choices, verbose_name="type")
    #: what the alert is about, e.g. "host:<id>" or "capacity:1:cluster:<id>"
    key = models.CharField(max_length=255)
    subject = models.CharField(max_length=999)
    zone = models.ForeignKey(
        Zone, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )
    pod = models.ForeignKey(
        Pod, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )
    cluster = models.ForeignKey(
        Cluster, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )
    last_sent = models.DateTimeField()
    #: how many times it was raised while open
    count = models.PositiveIntegerField(default=1)
    resolved = models.DateTimeField(null=True, blank=True)
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["-last_sent"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(resolved__isnull=True),
                name="zones_alert_one_open_per_key",
            )
        ]
        indexes = [models.Index(fields=["-last_sent"], name="zones_alert_last_sent")]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("zones:alert", args=[self.pk])

    @property
    def name(self) -> str:
        return AlertType(self.alert_type).label

    @property
    def state(self) -> str:
        if self.archived:
            return "Archived"
        return "Resolved" if self.resolved else "Open"


declare(
    Alert,
    scope=Scope.ZONE,
    audience=Audience.ROOT,  # CloudStack's listAlerts is root admins' only
    menu=Menu("Alerts", "zones:alert_list", order=29),
    logged=False,  # the system's own notices; archiving one is no change to the cloud
)


#: how a range without a VLAN tag names its VLAN (CloudStack's Vlan.UNTAGGED)
UNTAGGED = "untagged"


class VlanIpRange(UUIDModel):
    """A range of public IP addresses of a zone (CloudStack's createVlanIpRange): its VLAN,
    its subnet (gateway and netmask) and the addresses start_ip to end_ip, each a row of
    PublicIpAddress. A Basic zone's direct ranges belong to a pod, as in CloudStack."""

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="ip_ranges")
    pod = models.ForeignKey(
        Pod, on_delete=models.PROTECT, null=True, blank=True, related_name="ip_ranges"
    )
    # "untagged" or "vlan://<id>", as CloudStack keeps and answers it
    vlan = models.CharField(max_length=32, default=UNTAGGED, verbose_name="VLAN")
    gateway = models.GenericIPAddressField(protocol="IPv4")
    netmask = models.GenericIPAddressField(protocol="IPv4")
    start_ip = models.GenericIPAddressField(protocol="IPv4", verbose_name="start IP")
    end_ip = models.GenericIPAddressField(protocol="IPv4", verbose_name="end IP")
    # CloudStack's forvirtualnetwork: for guest networks' source NAT and elastic IPs (true) or
    # for VMs attached directly to the public network (false)
    for_virtual_network = models.BooleanField(default=True, verbose_name="for virtual network")

    class Meta:
        ordering = ["zone__name", "start_ip"]
        verbose_name = "public IP range"

    def __str__(self) -> str:
        return f"{self.start_ip}-{self.end_ip}"

    def get_absolute_url(self) -> str:
        return reverse("zones:vlan_ip_range", args=[self.pk])


declare(
    VlanIpRange,
    scope=Scope.ZONE,
    audience=Audience.ROOT,  # infrastructure: CloudStack's listVlanIpRanges is root admins'
    menu=Menu("Public IP ranges", "zones:vlan_ip_range_list", group="Infrastructure", order=26),
    event="VLAN.IP.RANGE",
)


class IpAddressState(models.TextChoices):
    """CloudStack's states of a public IP address (user_ip_address.state)."""

    FREE = "Free", "Free"
    ALLOCATED = "Allocated", "Allocated"
    RELEASING = "Releasing", "Releasing"


class PublicIpAddress(UUIDModel):
    """One address of a public IP range (CloudStack's user_ip_address), made with its range:
    free, or allocated to an account."""

    range = models.ForeignKey(VlanIpRange, on_delete=models.CASCADE, related_name="addresses")
    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="public_ip_addresses")
    address = models.GenericIPAddressField(protocol="IPv4")
    state = models.CharField(
        max_length=16, choices=IpAddressState.choices, default=IpAddressState.FREE
    )
    allocated = models.DateTimeField(null=True, blank=True)
    # PROTECT: an account cannot go while it holds an address here (its addresses are
    # released first, as CloudStack's account cleanup releases them)
    account = models.ForeignKey(
        "identity.Account",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="public_ip_addresses",
    )

    class Meta:
        ordering = ["zone__name", "address"]
        verbose_name = "public IP address"
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "address"], name="zones_publicipaddress_unique_in_zone"
            )
        ]
        indexes = [models.Index(fields=["range", "state"], name="zones_publicip_range_state")]

    def __str__(self) -> str:
        return self.address

    def get_absolute_url(self) -> str:
        return self.range.get_absolute_url()


# Written in bulk with their range (whose own creation and deletion are logged), one row per
# address: bookkeeping, not each a change of its own.
declare(PublicIpAddress, scope=Scope.ZONE, audience=Audience.ROOT, logged=False)


#: the VLAN ids a guest VLAN range may hold (802.1Q)
VLAN_MIN, VLAN_MAX = 1, 4094


class GuestVlanRange(UUIDModel):
    """A range of VLAN ids (start to end) a zone gives its guest networks: CloudStack's
    physical network's vnet range, set by createZone's and updateZone's `vlan`."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="guest_vlan_ranges")
    start = models.PositiveSmallIntegerField()
    end = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["zone__name", "start"]
        verbose_name = "guest VLAN range"
        constraints = [
            models.UniqueConstraint(fields=["zone", "start"], name="zones_guestvlanrange_unique"),
            models.CheckConstraint(
                condition=models.Q(start__gte=VLAN_MIN, end__lte=VLAN_MAX, start__lte=F("end")),
                name="zones_guestvlanrange_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start}-{self.end}"

    def get_absolute_url(self) -> str:
        return self.zone.get_absolute_url()


declare(GuestVlanRange, scope=Scope.ZONE, audience=Audience.ROOT, event="GUEST.VLAN.RANGE")


class GuestVlan(UUIDModel):
    """One VLAN of a zone's guest VLAN ranges (CloudStack's op_dc_vnet_alloc): free, or
    allocated to an account's guest network."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="guest_vlans")
    vnet = models.PositiveSmallIntegerField(verbose_name="VLAN")
    # PROTECT: an account cannot go while it holds a VLAN here (see PublicIpAddress.account)
    account = models.ForeignKey(
        "identity.Account",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="guest_vlans",
    )
    allocated = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["zone__name", "vnet"]
        verbose_name = "guest VLAN"
        constraints = [
            models.UniqueConstraint(fields=["zone", "vnet"], name="zones_guestvlan_unique")
        ]

    def __str__(self) -> str:
        return str(self.vnet)

    def get_absolute_url(self) -> str:
        return self.zone.get_absolute_url()


# Made and removed in bulk with the zone's ranges (whose changes are logged): bookkeeping.
declare(GuestVlan, scope=Scope.ZONE, audience=Audience.ROOT, logged=False)


class DedicatedGuestVlanRange(UUIDModel):
    """Guest VLANs start to end of a zone dedicated to an account (CloudStack's
    dedicateGuestVlanRange): only that account's networks get them."""

    zone = models.ForeignKey(
        Zone, on_delete=models.CASCADE, related_name="dedicated_guest_vlan_ranges"
    )
    start = models.PositiveSmallIntegerField()
    end = models.PositiveSmallIntegerField()
    # CASCADE: an account's dedications go with it, as CloudStack's account cleanup
    # releases them
    account = models.ForeignKey(
        "identity.Account", on_delete=models.CASCADE, related_name="dedicated_guest_vlan_ranges"
    )

    class Meta:
        ordering = ["zone__name", "start"]
        verbose_name = "dedicated guest VLAN range"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__gte=VLAN_MIN, end__lte=VLAN_MAX, start__lte=F("end")),
                name="zones_dedicatedguestvlanrange_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start}-{self.end}"

    def get_absolute_url(self) -> str:
        return self.zone.get_absolute_url()


declare(
    DedicatedGuestVlanRange,
    scope=Scope.ZONE,
    audience=Audience.ROOT,  # CloudStack's listDedicatedGuestVlanRanges is root admins'
    event="GUEST.VLAN.RANGE.DEDICATION",
)


class CapacityLevel(models.TextChoices):
    ZONE = "zone", "Zone"
    POD = "pod", "Pod"
    CLUSTER = "cluster", "Cluster"


class Capacity(models.Model):
    """One capacity of a cluster, a pod or a zone (its `level`): what there is (`total`,
    overprovisioning included), what is in use (`used`) and what is promised (`allocated`).

    Rows are recomputed from the inventory by a periodic job (zones.services.capacity) and
    moved in the same transaction as anything that allocates, at every level at once; a
    pod's and a zone's rows are their clusters' and pods' sums plus what is theirs alone.
    """

    capacity_type = models.PositiveSmallIntegerField(choices=CapacityType.choices)
    level = models.CharField(max_length=8, choices=CapacityLevel.choices)
    #: the zone's, pod's or cluster's id (the row's key with the type)
    object_id = models.UUIDField()
    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="capacities")
    pod = models.ForeignKey(
        Pod, null=True, blank=True, on_delete=models.CASCADE, related_name="capacities"
    )
    cluster = models.ForeignKey(
        Cluster, null=True, blank=True, on_delete=models.CASCADE, related_name="capacities"
    )
    total = models.BigIntegerField(default=0)
    used = models.BigIntegerField(default=0)
    allocated = models.BigIntegerField(default=0)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["zone__name", "level", "capacity_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["object_id", "capacity_type"], name="zones_capacity_unique"
            )
        ]
        indexes = [models.Index(fields=["level", "capacity_type"], name="zones_capacity_level")]
        verbose_name_plural = "capacities"

    def __str__(self) -> str:
        return f"{CapacityType(self.capacity_type).label} of {self.level} {self.object_id}"


declare(
    Capacity,
    scope=Scope.ZONE,
    audience=Audience.ROOT,  # infrastructure: CloudStack's listCapacity is root admins' only
    logged=False,  # figures the system keeps, not changes anyone makes
)
