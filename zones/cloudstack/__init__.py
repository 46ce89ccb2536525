"""zones' part of the CloudStack API, a module per API category: zones (listZones answers the
zones of this portal's region only: every region serves its own), pods, clusters, hosts
(with the simulator's configureSimulator), storage pools, public IP ranges, dedicated guest
VLAN ranges, alerts and capacity (listCapacity). Importing the package registers its commands."""

from zones.cloudstack import (  # noqa: F401
    alerts,
    capacity,
    clusters,
    guest_vlans,
    hosts,
    pods,
    storage_pools,
    vlan_ip_ranges,
    zones,
)
