"""IPv4 subnets as pods and public IP ranges give them: a gateway and a netmask, and a range
of the subnet's hosts (start to end) that leaves the gateway out, checked as CloudStack
checks them; each error names its field."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network
from typing import Any

from portal.validation import check_ip, invalid

_ALL_ONES = 0xFFFFFFFF


@dataclass(frozen=True)
class Subnet:
    """Checked addresses: their canonical text by field (gateway, netmask, start_ip,
    end_ip), the subnet and the range's ends."""

    values: dict[str, str]
    network: IPv4Network
    start: IPv4Address
    end: IPv4Address

    @property
    def span(self) -> str:
        return f"{self.start}-{self.end}"

    @property
    def size(self) -> int:
        return int(self.end) - int(self.start) + 1

    def overlapping(self, rows: Iterable[Any]) -> Any:
        """The first of ROWS (with start_ip and end_ip) whose range overlaps this one's."""
        return next(
            (
                row
                for row in rows
                if IPv4Address(row.start_ip) <= self.end and self.start <= IPv4Address(row.end_ip)
            ),
            None,
        )

    def check_apart(self, rows: Iterable[Any], named: Callable[[Any], str]) -> None:
        """Refuse this range (on start_ip) if it overlaps one of ROWS' ranges, NAMED(row)."""
        other = self.overlapping(rows)
        if other is not None:
            raise invalid("start_ip", f"The range {self.span} overlaps {named(other)}.", "overlap")


def other_span(row: Any) -> str:
    """ROW's range (a pod's), as "start-end"."""
    return f"{row.start_ip}-{row.end_ip}"


def check_netmask(value: Any) -> str:
    """VALUE as a netmask: an IPv4 address of ones then zeros (255.255.255.0), not 0.0.0.0."""
    mask = check_ip("netmask", value, version=4)
    bits = int(IPv4Address(mask))
    ones = bin(bits).count("1")
    if not ones or bits != (_ALL_ONES << (32 - ones)) & _ALL_ONES:
        raise invalid(
            "netmask", f"{mask!r} is not a netmask: ones, then zeros (such as 255.255.255.0)."
        )
    return mask


def _host(network: IPv4Network, field: str, address: str, whose: str) -> IPv4Address:
    """ADDRESS, a host of NETWORK (neither its network nor its broadcast address)."""
    host = IPv4Address(address)
    if host not in network:
        raise invalid(
            field, f"{address} is not in {whose} subnet {network} (its gateway and netmask)."
        )
    if network.prefixlen < 31 and host in (network.network_address, network.broadcast_address):
        which = "network" if host == network.network_address else "broadcast"
        raise invalid(field, f"{address} is the {which} address of {whose} subnet {network}.")
    return host


def subnet_range(*, gateway: Any, netmask: Any, start_ip: Any, end_ip: Any, whose: str) -> Subnet:
    """The addresses, checked: IPv4, the gateway and the range (END_IP empty: START_IP
    alone) hosts of the gateway's subnet (WHOSE names it: "the pod's"), the range not ending
    before it starts, the gateway outside it."""
    values = {
        "gateway": check_ip("gateway", gateway, version=4),
        "netmask": check_netmask(netmask),
        "start_ip": check_ip("start_ip", start_ip, version=4),
    }
    values["end_ip"] = check_ip("end_ip", end_ip, required=False, version=4) or values["start_ip"]
    network = IPv4Network(f"{values['gateway']}/{values['netmask']}", strict=False)
    gateway_host = _host(network, "gateway", values["gateway"], whose)
    subnet = Subnet(
        values,
        network,
        _host(network, "start_ip", values["start_ip"], whose),
        _host(network, "end_ip", values["end_ip"], whose),
    )
    if subnet.end < subnet.start:
        raise invalid("end_ip", f"The range {subnet.span} ends before it starts.")
    if subnet.start <= gateway_host <= subnet.end:
        raise invalid("gateway", f"The gateway {gateway_host} is inside the range {subnet.span}.")
    return subnet
