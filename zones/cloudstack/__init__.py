"""zones' part of the CloudStack API, a module per API category: zones (listZones answers the
zones of this portal's region only: every region serves its own), pods, clusters and alerts.
Importing the package registers its commands."""

from zones.cloudstack import alerts, clusters, pods, zones  # noqa: F401
