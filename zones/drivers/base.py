"""The one interface of hypervisor drivers.

A driver reads a host's facts from its URL (`discover`, when the host is added) and asks
whether it still answers (`ping`, from the ping job). What it cannot do it says with a
DriverError whose message is for the admin who typed the URL: the host services report it
on the `url` field. Drivers never write to the database and never keep a password.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from zones.models import Host


class DriverError(Exception):
    """The driver refused the URL or could not reach the host; the message says which."""


@dataclass(frozen=True)
class HostFacts:
    """What discovery reads from a host."""

    hostname: str
    cpu_sockets: int
    #: cores (logical CPUs, as CloudStack counts them)
    cpu_number: int
    #: MHz
    cpu_speed: int
    #: bytes
    memory: int
    #: bytes; 0 if the host has none
    local_storage: int = 0


class Driver(Protocol):
    def discover(self, url: str, username: str, password: str) -> HostFacts:
        """The facts of the host at URL; DriverError if the URL is not this driver's or the
        host cannot be reached. USERNAME and PASSWORD are used for this call only."""
        ...

    def ping(self, host: Host) -> bool:
        """Whether HOST answers now; never raises for a host that does not."""
        ...
