"""The simulated datacenters `make cloud` seeds (tools/localcloud.py): for each zone 2 pods,
4 clusters of 10 simulator hosts each, a primary storage pool per cluster and one zone-wide,
public IP ranges and guest VLANs; region 1 gets two Advanced zones and one Basic zone, the
other regions one Advanced zone each. Descriptions in deploy_datacenter's shape."""

from __future__ import annotations

from typing import Any

GIB_IN_MIB = 1024
TIB = 2**40
#: the host shapes clusters take in turn: (cores, MHz, memory in GiB, local storage in TiB)
SHAPES = ((32, 2600, 256, 2), (16, 2400, 128, 1), (48, 2200, 384, 4), (24, 3000, 192, 0))


def _hosts(zone: str, cluster: str, shape: tuple[int, int, int, int]) -> list[dict[str, Any]]:
    cores, mhz, gib, local = shape
    query = f"cpucore={cores}&cpuspeed={mhz}&memory={gib * GIB_IN_MIB}"
    if local:
        query += f"&localstorage={local * TIB}"
    return [{"url": f"http://sim/{zone}/{cluster}/h{n}?{query}"} for n in range(10)]


def _zone(region_id: int, index: int, name: str, *, basic: bool) -> dict[str, Any]:
    net = 16 * (region_id - 1) + index  # each zone's own second octet
    pods = []
    for p in range(2):
        clusters = []
        for c in range(2):
            cluster = f"{name}-c{2 * p + c + 1}"
            clusters.append(
                {
                    "clustername": cluster,
                    "hypervisor": "Simulator",
                    "hosts": _hosts(name, cluster, SHAPES[(2 * p + c) % len(SHAPES)]),
                    "primaryStorages": [
                        {
                            "name": f"{cluster}-ps",
                            "url": f"nfs://10.{net}.250.{2 * p + c + 1}/export/primary",
                            "capacitybytes": (4 + 2 * c) * TIB,
                        }
                    ],
                }
            )
        pod: dict[str, Any] = {
            "name": f"{name}-p{p + 1}",
            "gateway": f"10.{net}.{p}.1",
            "netmask": "255.255.255.0",
            "startip": f"10.{net}.{p}.10",
            "endip": f"10.{net}.{p}.200",
            "clusters": clusters,
        }
        if basic:  # a Basic zone's guests take their addresses from their pod's ranges
            pod["vlanipranges"] = [
                {
                    "gateway": f"172.{16 + net // 16}.{(net % 16) * 16 + p}.1",
                    "netmask": "255.255.255.0",
                    "startip": f"172.{16 + net // 16}.{(net % 16) * 16 + p}.10",
                    "endip": f"172.{16 + net // 16}.{(net % 16) * 16 + p}.250",
                    "forvirtualnetwork": False,
                }
            ]
        pods.append(pod)
    zone: dict[str, Any] = {
        "name": name,
        "networktype": "Basic" if basic else "Advanced",
        "dns1": "8.8.8.8",
        "internaldns1": f"10.{net}.255.2",
        "pods": pods,
        "primaryStorages": [
            {
                "name": f"{name}-wide",
                "url": f"nfs://10.{net}.250.100/export/wide",
                "capacitybytes": 20 * TIB,
                "scope": "ZONE",
                "hypervisor": "Simulator",
            }
        ],
    }
    if not basic:
        zone["guestcidraddress"] = "10.250.0.0/16"
        zone["vlan"] = f"{1000 + 200 * index}-{1199 + 200 * index}"
        zone["ipranges"] = [
            {
                "gateway": f"203.0.{net}.1",
                "netmask": "255.255.255.0",
                "startip": f"203.0.{net}.10",
                "endip": f"203.0.{net}.250",
                "vlan": str(100 + index),
            }
        ]
    return zone


def datacenter(region_id: int, region_name: str) -> dict[str, Any]:
    """The zones `make cloud` gives region REGION_ID."""
    if region_id == 1:
        zones = [
            _zone(1, 0, f"{region_name}-a", basic=False),
            _zone(1, 1, f"{region_name}-b", basic=False),
            _zone(1, 2, f"{region_name}-basic", basic=True),
        ]
    else:
        zones = [_zone(region_id, 0, f"{region_name}-a", basic=False)]
    return {"zones": zones}
