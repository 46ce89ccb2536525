"""The simulator driver: hosts that exist only in their URL, as CloudStack's simulator has
them (`http://sim/c0/h0?cpucore=16&cpuspeed=2400&memory=65536&localstorage=1099511627776`).

The URL is `http://` to a host whose name starts with `sim`; what the host has is read from
its parameters, in the query or, as CloudStack's SimulatorDiscoverer reads them, in the
path's last segment (`http://sim/c0/h0/cpucore=16&memory=65536`); names match whatever their
case, parameters of other names are ignored as CloudStack ignores them:

| parameter | meaning | default |
|---|---|---|
| `cpusockets` | CPU sockets | 1 |
| `cpucore` | cores | 4 |
| `cpuspeed` | MHz per core | 2000 |
| `memory` | MiB | 8192 (8 GiB) |
| `localstorage` | bytes | 0 (none) |

`memory` is in MiB, as the issue's example URLs mean it (65536: 64 GiB). CloudStack's own
simulator reads it in bytes (MockAgentManager), so a URL copied from a Marvin configuration
that gives memory in bytes describes a host a million times larger here.

A simulated host's state lives in the portal's database (`zones.SimulatorHost`, keyed by
URL), so every process sees the same: a host an admin told to stop answering
(configureSimulator) fails its pings, and its discovery, until told to answer again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, unquote, urlsplit

from zones.drivers.base import DriverError, HostFacts
from zones.models import SimulatorHost

if TYPE_CHECKING:
    from zones.models import Host

MIB = 1024 * 1024

#: each parameter: (field of HostFacts, default, least, most, multiplier to the field's unit)
PARAMETERS = {
    "cpusockets": ("cpu_sockets", 1, 1, 1024, 1),
    "cpucore": ("cpu_number", 4, 1, 100_000, 1),
    "cpuspeed": ("cpu_speed", 2000, 1, 1_000_000, 1),
    "memory": ("memory", 8192, 1, 2**40, MIB),
    "localstorage": ("local_storage", 0, 0, 2**62, 1),
}


def simulator_url_check(url: str) -> tuple[str, dict[str, int]]:
    """URL's host name (`sim-c0-h0`) and the facts its parameters give, by field; a
    DriverError saying what is wrong with it."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "http" or not parts.hostname or not parts.hostname.startswith("sim"):
        raise DriverError(
            f"{url} is not a simulator URL: http://sim/... (such as "
            "http://sim/c0/h0?cpucore=16&cpuspeed=2400&memory=65536)."
        )
    segments = [unquote(s) for s in parts.path.split("/") if s]
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if segments and "=" in segments[-1]:
        pairs += parse_qsl(segments.pop(), keep_blank_values=True)
    values = {field: default * unit for field, default, _, _, unit in PARAMETERS.values()}
    for key, raw in pairs:
        known = PARAMETERS.get(key.lower())
        if known is None:
            continue
        field, _, least, most, unit = known
        if not raw.strip().isdigit() or not least <= int(raw) <= most:
            raise DriverError(f"{key} takes a whole number from {least} to {most}, not {raw!r}.")
        values[field] = int(raw) * unit
    return "-".join([parts.hostname, *segments]), values


def simulator_answers(url: str) -> bool:
    """Whether the simulated host at URL answers (no admin told it to stop)."""
    return not SimulatorHost.objects.filter(url=url, answering=False).exists()


class SimulatorDriver:
    """Hosts described by their URL; their state in `zones.SimulatorHost`."""

    def discover(self, url: str, username: str, password: str) -> HostFacts:
        name, values = simulator_url_check(url)
        if not simulator_answers(url):
            raise DriverError(f"The simulated host at {url} does not answer (configureSimulator).")
        return HostFacts(hostname=name, **values)

    def ping(self, host: Host) -> bool:
        return simulator_answers(host.url)
