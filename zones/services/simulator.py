"""The simulator's fault control (CloudStack's configureSimulator): a simulated host told to
stop answering fails its pings, and so goes Alert and then Down, until told to answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from portal.concurrency import atomic_write
from portal.permissions import Action, require
from portal.validation import invalid
from zones.models import Host, Hypervisor, SimulatorHost
from zones.services.hosts import host_cluster_check

if TYPE_CHECKING:
    from identity.models import User


def simulator_check(*, host: Host) -> None:
    """Refuse a fault on a host that is not simulated."""
    if host.hypervisor != Hypervisor.SIMULATOR:
        raise invalid("host", f"Host {host.name} is not simulated: it takes no faults.")


@atomic_write
def simulator_configure(*, host: Host, answering: bool, by: User | None) -> SimulatorHost:
    """Make the simulated HOST answer its pings (ANSWERING) or stop answering them."""
    require(by, Action.CHANGE, host)
    host_cluster_check(cluster=host.cluster)
    simulator_check(host=host)
    state, _ = SimulatorHost.objects.update_or_create(
        url=host.url, defaults={"answering": bool(answering)}
    )
    return state
