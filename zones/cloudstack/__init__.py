"""zones' part of the CloudStack API, a module per API category: zones (listZones answers the
zones of this portal's region only: every region serves its own) and pods. Importing the
package registers its commands."""

from zones.cloudstack import pods, zones  # noqa: F401
