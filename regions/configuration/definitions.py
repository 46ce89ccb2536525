"""Every setting the portal knows, in one list; names follow CloudStack where it has one.

`definitions_sync` (run after every migrate) creates a row for each definition and keeps its
description, type, default and limits in step with this list; it never touches a value an
operator has set. Identity-related settings are global, so they hold cloud-wide (the
functional spec's "consistent values across all regions"); what an operator tunes per
region or per zone has that scope.
"""

from __future__ import annotations

from dataclasses import dataclass

from regions.models.configuration import SettingScope, SettingType


@dataclass(frozen=True)
class SettingDefinition:
    name: str
    category: str
    description: str
    type: str
    default: str
    scope: str = SettingScope.GLOBAL
    choices: tuple[str, ...] = ()
    min_value: float | None = None
    max_value: float | None = None


G, R, Z = SettingScope.GLOBAL, SettingScope.REGION, SettingScope.ZONE
STRING, INTEGER, FLOAT, BOOLEAN, CHOICE = (
    SettingType.STRING,
    SettingType.INTEGER,
    SettingType.FLOAT,
    SettingType.BOOLEAN,
    SettingType.CHOICE,
)

PASSWORD = "Password policy"
SIGN_IN = "Sign-in"
ACCOUNTS = "Accounts"
PROJECTS = "Projects"
API = "API"
REGION = "Region"
ALLOCATION = "Allocation"
CAPACITY = "Capacity"
HOSTS = "Hosts"

DEFINITIONS: tuple[SettingDefinition, ...] = (
    # Identity: global, the same in every region.
    SettingDefinition(
        "password.policy.minimum.length",
        PASSWORD,
        "Minimum number of characters of a user's password.",
        INTEGER,
        "8",
        min_value=1,
        max_value=128,
    ),
    SettingDefinition(
        "password.policy.minimum.uppercase.letters",
        PASSWORD,
        "Minimum number of upper-case letters (A-Z) in a password.",
        INTEGER,
        "0",
        min_value=0,
        max_value=64,
    ),
    SettingDefinition(
        "password.policy.minimum.lowercase.letters",
        PASSWORD,
        "Minimum number of lower-case letters (a-z) in a password.",
        INTEGER,
        "0",
        min_value=0,
        max_value=64,
    ),
    SettingDefinition(
        "password.policy.minimum.digits",
        PASSWORD,
        "Minimum number of digits (0-9) in a password.",
        INTEGER,
        "0",
        min_value=0,
        max_value=64,
    ),
    SettingDefinition(
        "password.policy.minimum.special.characters",
        PASSWORD,
        "Minimum number of characters that are neither letters nor digits in a password.",
        INTEGER,
        "0",
        min_value=0,
        max_value=64,
    ),
    SettingDefinition(
        "password.policy.allowPasswordToContainUsername",
        PASSWORD,
        "Whether a password may contain the user's username.",
        BOOLEAN,
        "true",
    ),
    SettingDefinition(
        "incorrect.login.attempts.allowed",
        SIGN_IN,
        "Failed sign-ins in a row after which a user is locked until an admin enables them; "
        "0 (the default) never locks. Guessing is throttled either way; a lock lets anyone "
        "who knows a username keep its user out.",
        INTEGER,
        "0",
        min_value=0,
        max_value=1000,
    ),
    SettingDefinition(
        "session.timeout",
        SIGN_IN,
        "Minutes of inactivity after which a portal session ends.",
        INTEGER,
        "30",
        min_value=1,
        max_value=10080,
    ),
    SettingDefinition(
        "account.default.domain",
        ACCOUNTS,
        "Path of the domain offered for new accounts, such as ROOT or ROOT/customers.",
        STRING,
        "ROOT",
    ),
    SettingDefinition(
        "account.default.type",
        ACCOUNTS,
        "Account type offered for new accounts.",
        CHOICE,
        "user",
        choices=("user", "domain-admin"),
    ),
    SettingDefinition(
        "allow.user.create.projects",
        PROJECTS,
        "Whether users who are not admins may create projects.",
        BOOLEAN,
        "true",
    ),
    SettingDefinition(
        "max.account.projects",
        PROJECTS,
        "Maximum number of projects an account that is not an admin may own; -1 for no limit.",
        INTEGER,
        "10",
        min_value=-1,
        max_value=100000,
    ),
    SettingDefinition(
        "api.key.access",
        API,
        "Whether users may create and use API keys.",
        BOOLEAN,
        "true",
    ),
    # This region only.
    SettingDefinition(
        "region.display.name",
        REGION,
        "Name shown to users for this region; empty shows the region's registered name.",
        STRING,
        "",
        scope=R,
    ),
    SettingDefinition(
        "region.support.contact",
        REGION,
        "Where users of this region get help: an e-mail address or a URL.",
        STRING,
        "",
        scope=R,
    ),
    SettingDefinition(
        "alert.email.addresses",
        REGION,
        "Comma-separated addresses that receive this region's alerts.",
        STRING,
        "",
        scope=R,
    ),
    SettingDefinition(
        "event.purge.delay",
        REGION,
        "Days after which events are purged; 0 keeps them.",
        INTEGER,
        "15",
        scope=R,
        min_value=0,
        max_value=36500,
    ),
    # Per zone, with this region's value as the fallback.
    SettingDefinition(
        "vm.allocation.algorithm",
        ALLOCATION,
        "How hosts are chosen for new VMs.",
        CHOICE,
        "random",
        scope=Z,
        choices=(
            "random",
            "firstfit",
            "userdispersing",
            "userconcentratedpod_random",
            "userconcentratedpod_firstfit",
            "firstfitleastconsumed",
        ),
    ),
    SettingDefinition(
        "storage.overprovisioning.factor",
        CAPACITY,
        "Storage that may be allocated per unit of physical primary storage.",
        FLOAT,
        "2.0",
        scope=Z,
        min_value=1,
        max_value=100,
    ),
    SettingDefinition(
        "cpu.overprovisioning.factor",
        CAPACITY,
        "CPU that may be allocated per unit of physical CPU.",
        FLOAT,
        "1.0",
        scope=Z,
        min_value=1,
        max_value=100,
    ),
    SettingDefinition(
        "mem.overprovisioning.factor",
        CAPACITY,
        "Memory that may be allocated per unit of physical memory.",
        FLOAT,
        "1.0",
        scope=Z,
        min_value=1,
        max_value=100,
    ),
    SettingDefinition(
        "pool.storage.capacity.disablethreshold",
        CAPACITY,
        "Fraction of a storage pool in use above which no new volumes go there.",
        FLOAT,
        "0.85",
        scope=Z,
        min_value=0,
        max_value=1,
    ),
    SettingDefinition(
        "ping.interval",
        HOSTS,
        "Seconds between two pings of a host.",
        INTEGER,
        "60",
        scope=Z,
        min_value=1,
        max_value=86400,
    ),
    SettingDefinition(
        "ping.timeout",
        HOSTS,
        "A host that has not answered for ping.interval times this many seconds is Down; "
        "before that, a host that misses a ping is in Alert.",
        FLOAT,
        "2.5",
        scope=Z,
        min_value=1,
        max_value=100,
    ),
    SettingDefinition(
        "cluster.cpu.allocated.capacity.notificationthreshold",
        CAPACITY,
        "Fraction of a cluster's CPU allocated above which an alert is raised.",
        FLOAT,
        "0.75",
        scope=Z,
        min_value=0,
        max_value=1,
    ),
    SettingDefinition(
        "cluster.cpu.allocated.capacity.disablethreshold",
        CAPACITY,
        "Fraction of a cluster's CPU allocated above which nothing new is placed there.",
        FLOAT,
        "0.85",
        scope=Z,
        min_value=0,
        max_value=1,
    ),
    SettingDefinition(
        "cluster.memory.allocated.capacity.notificationthreshold",
        CAPACITY,
        "Fraction of a cluster's memory allocated above which an alert is raised.",
        FLOAT,
        "0.75",
        scope=Z,
        min_value=0,
        max_value=1,
    ),
    SettingDefinition(
        "cluster.memory.allocated.capacity.disablethreshold",
        CAPACITY,
        "Fraction of a cluster's memory allocated above which nothing new is placed there.",
        FLOAT,
        "0.85",
        scope=Z,
        min_value=0,
        max_value=1,
    ),
    SettingDefinition(
        "cluster.storage.capacity.notificationthreshold",
        CAPACITY,
        "Fraction of a cluster's primary storage used above which an alert is raised.",
        FLOAT,
        "0.75",
        scope=Z,
        min_value=0,
        max_value=1,
    ),
    SettingDefinition(
        "cluster.storage.allocated.capacity.notificationthreshold",
        CAPACITY,
        "Fraction of a cluster's primary storage allocated above which an alert is raised.",
        FLOAT,
        "0.75",
        scope=Z,
        min_value=0,
        max_value=1,
    ),
    SettingDefinition(
        "cluster.localStorage.capacity.notificationthreshold",
        CAPACITY,
        "Fraction of a cluster's local storage used above which an alert is raised.",
        FLOAT,
        "0.75",
        scope=Z,
        min_value=0,
        max_value=1,
    ),
    SettingDefinition(
        "pod.privateip.capacity.notificationthreshold",
        CAPACITY,
        "Fraction of a pod's private IPs in use above which an alert is raised.",
        FLOAT,
        "0.75",
        scope=Z,
        min_value=0,
        max_value=1,
    ),
    SettingDefinition(
        "zone.virtualnetwork.publicip.capacity.notificationthreshold",
        CAPACITY,
        "Fraction of a zone's public IPs allocated above which an alert is raised.",
        FLOAT,
        "0.75",
        scope=Z,
        min_value=0,
        max_value=1,
    ),
    SettingDefinition(
        "zone.vlan.capacity.notificationthreshold",
        CAPACITY,
        "Fraction of a zone's guest VLANs allocated above which an alert is raised.",
        FLOAT,
        "0.75",
        scope=Z,
        min_value=0,
        max_value=1,
    ),
    SettingDefinition(
        "capacity.check.period",
        CAPACITY,
        "Milliseconds between two recomputations of every capacity of this region.",
        INTEGER,
        "300000",
        scope=R,
        min_value=10000,
        max_value=86400000,
    ),
)

BY_NAME: dict[str, SettingDefinition] = {d.name: d for d in DEFINITIONS}
