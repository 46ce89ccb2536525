"""zones' part of the CloudStack API, a module per API category: zones (listZones answers the
zones of this portal's region only: every region serves its own), pods and clusters.
Importing the package registers its commands."""

from zones.cloudstack import clusters, pods, zones  # noqa: F401
