"""The datacenters `make cloud` seeds deploy as described: region 1 two Advanced zones and a
Basic one, the others one zone each; each zone 2 pods, 4 clusters, 40 simulator hosts,
storage, IP ranges (and, when Advanced, guest VLANs); and their capacity is counted."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from tools.datacenters import datacenter
from zones.models import Capacity, CapacityType, Cluster, Host, Pod, StoragePool, VlanIpRange, Zone
from zones.services.datacenter import datacenter_deploy


def test_region_ones_datacenter(region):
    datacenter_deploy(description=datacenter(1, "east"), by=None)
    zones = dict(Zone.objects.values_list("name", "network_type"))
    assert zones == {"east-a": "Advanced", "east-b": "Advanced", "east-basic": "Basic"}
    for name in zones:
        assert Pod.objects.filter(zone__name=name).count() == 2
        assert Cluster.objects.filter(pod__zone__name=name).count() == 4
        assert Host.objects.filter(cluster__pod__zone__name=name, state="Up").count() == 40
        assert StoragePool.objects.filter(zone__name=name).count() == 5
        assert VlanIpRange.objects.filter(zone__name=name).exists()
    assert Zone.objects.get(name="east-basic").guest_vlans.count() == 0
    assert Zone.objects.get(name="east-a").guest_vlans.count() == 200
    out = StringIO()
    call_command("capacity_check", stdout=out)
    assert "3 zone(s)" in out.getvalue()
    cpu = Capacity.objects.get(
        object_id=Zone.objects.get(name="east-a").pk, capacity_type=CapacityType.CPU
    )
    # 10 hosts of each shape: 32x2600 + 16x2400 + 48x2200 + 24x3000 MHz
    assert cpu.total == 10 * (32 * 2600 + 16 * 2400 + 48 * 2200 + 24 * 3000)


def test_other_regions_get_one_zone(region):
    assert [z["name"] for z in datacenter(2, "west")["zones"]] == ["west-a"]
    assert [z["name"] for z in datacenter(3, "south")["zones"]] == ["south-a"]
