"""Which capacity rows are past their notification threshold, and the disable thresholds
that stop allocation into a cluster, by CloudStack's settings (zone-scoped here)."""

from __future__ import annotations

from dataclasses import dataclass

from zones.models import AlertType, CapacityLevel, CapacityType


@dataclass(frozen=True)
class Threshold:
    setting: str
    alert_type: AlertType
    #: whether the fraction is of what is allocated (else of what is used)
    of_allocated: bool


#: (level, type) -> its notification threshold
NOTIFY: dict[tuple[str, int], Threshold] = {
    (CapacityLevel.CLUSTER, CapacityType.CPU): Threshold(
        "cluster.cpu.allocated.capacity.notificationthreshold", AlertType.CPU, True
    ),
    (CapacityLevel.CLUSTER, CapacityType.MEMORY): Threshold(
        "cluster.memory.allocated.capacity.notificationthreshold", AlertType.MEMORY, True
    ),
    (CapacityLevel.CLUSTER, CapacityType.STORAGE): Threshold(
        "cluster.storage.capacity.notificationthreshold", AlertType.STORAGE, False
    ),
    (CapacityLevel.CLUSTER, CapacityType.STORAGE_ALLOCATED): Threshold(
        "cluster.storage.allocated.capacity.notificationthreshold",
        AlertType.STORAGE_ALLOCATED,
        True,
    ),
    (CapacityLevel.CLUSTER, CapacityType.LOCAL_STORAGE): Threshold(
        "cluster.localStorage.capacity.notificationthreshold", AlertType.LOCAL_STORAGE, False
    ),
    (CapacityLevel.POD, CapacityType.PRIVATE_IP): Threshold(
        "pod.privateip.capacity.notificationthreshold", AlertType.PRIVATE_IP, False
    ),
    (CapacityLevel.ZONE, CapacityType.PUBLIC_IP): Threshold(
        "zone.virtualnetwork.publicip.capacity.notificationthreshold", AlertType.PUBLIC_IP, False
    ),
    (CapacityLevel.ZONE, CapacityType.VLAN): Threshold(
        "zone.vlan.capacity.notificationthreshold", AlertType.VLAN, False
    ),
}

#: a cluster's disable thresholds: past one, nothing new is placed in the cluster
DISABLE = {
    CapacityType.CPU: "cluster.cpu.allocated.capacity.disablethreshold",
    CapacityType.MEMORY: "cluster.memory.allocated.capacity.disablethreshold",
}


def fraction(total: int, amount: int) -> float:
    """AMOUNT of TOTAL (0 when there is nothing: an empty cluster is not full)."""
    return amount / total if total > 0 else 0.0


def past(threshold: float, total: int, amount: int) -> bool:
    """Whether AMOUNT of TOTAL is past THRESHOLD (a fraction of 0 to 1)."""
    return total > 0 and amount > threshold * total


def percent_text(total: int, amount: int) -> str:
    """CloudStack's percentused: DecimalFormat("##.##") of the percentage (12.5, 33.33, 0)."""
    value = round(fraction(total, amount) * 100, 2)
    return f"{value:.2f}".rstrip("0").rstrip(".")
