"""Hypervisor drivers: how a host is discovered from its URL and pinged, one driver per
hypervisor behind one interface (base.py). `driver_for(hypervisor)` picks it: Simulator →
the simulator (simulator.py), KVM → libvirt (libvirt_driver.py)."""

from zones.drivers.base import Driver, DriverError, HostFacts
from zones.drivers.libvirt_driver import LibvirtDriver
from zones.drivers.simulator import SimulatorDriver
from zones.models import Hypervisor

_DRIVERS: dict[str, Driver] = {
    Hypervisor.SIMULATOR: SimulatorDriver(),
    Hypervisor.KVM: LibvirtDriver(),
}


def driver_for(hypervisor: str) -> Driver:
    """The driver of HYPERVISOR (a cluster's, a host's)."""
    return _DRIVERS[hypervisor]


__all__ = ["Driver", "DriverError", "HostFacts", "driver_for"]
