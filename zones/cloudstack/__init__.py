"""zones' part of the CloudStack API, a module per API category: zones (listZones answers the
zones of this portal's region only: every region serves its own), pods, clusters, hosts
(with the simulator's configureSimulator), storage pools and alerts. Importing the package
registers its commands."""

from zones.cloudstack import alerts, clusters, hosts, pods, storage_pools, zones  # noqa: F401
