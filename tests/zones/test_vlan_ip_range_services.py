"""Public IP range services: a row per address made with the range, addresses, subnets,
overlaps and VLANs checked as CloudStack checks them, each error naming its field and
writing nothing; a range with an allocated address, and a zone or pod with ranges, refused
deletion; ranges only in this region's zones; root admins only."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from identity.services import account_delete
from portal.models import ChangeAction, ObjectChange
from tests import factories
from tests.db_state import db_state, refused
from zones import services
from zones.models import IpAddressState, PublicIpAddress, VlanIpRange, Zone
from zones.services import vlan_ip_ranges
from zones.services.vlan_ip_ranges import MAX_ADDRESSES

RANGE = factories.PUBLIC_RANGE


def create(zone: Zone, **fields) -> VlanIpRange:
    fields = {**RANGE, **fields}
    fields.setdefault("by", None)
    return services.vlan_ip_range_create(zone=zone, **fields)


def allocate(address: PublicIpAddress, account) -> None:
    """What allocation (not here yet) will do to an address."""
    address.state, address.account, address.allocated = "Allocated", account, timezone.now()
    address.save()


@pytest.fixture
def basic(region):
    return factories.zone(name="basic-1", network_type="Basic")


@pytest.fixture
def basic_pod(basic):
    return factories.pod(
        zone=basic,
        name="basic-rack",
        gateway="10.50.0.1",
        start_ip="10.50.0.10",
        end_ip="10.50.0.20",
    )


# --- create ---------------------------------------------------------------------------------


def test_create_makes_a_free_row_per_address(root, zone):
    ip_range = create(zone, by=root)
    ip_range.refresh_from_db()
    assert (ip_range.zone, ip_range.pod, ip_range.vlan) == (zone, None, "vlan://100")
    assert (ip_range.start_ip, ip_range.end_ip, ip_range.for_virtual_network) == (
        "203.0.113.10",
        "203.0.113.20",
        True,
    )
    addresses = ip_range.addresses.order_by("created", "address")
    assert sorted(a.address for a in addresses) == sorted(f"203.0.113.{n}" for n in range(10, 21))
    assert {(a.zone_id, a.state, a.account_id, a.allocated) for a in addresses} == {
        (zone.pk, IpAddressState.FREE, None, None)
    }
    # the range's creation is logged, its addresses are bookkeeping
    logged = ObjectChange.objects.filter(model="zones.VlanIpRange", object_id=str(ip_range.pk))
    assert [c.action for c in logged] == [ChangeAction.CREATE]
    assert not ObjectChange.objects.filter(model="zones.PublicIpAddress").exists()


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        (None, "untagged"),
        ("", "untagged"),
        ("untagged", "untagged"),
        ("vlan://UNTAGGED", "untagged"),
        ("100", "vlan://100"),
        (" vlan://0100 ", "vlan://100"),
        ("VLAN://4094", "vlan://4094"),
        (1, "vlan://1"),
    ],
)
def test_a_vlan_is_kept_as_cloudstack_keeps_it(zone, given, kept):
    assert create(zone, vlan=given).vlan == kept


def test_a_range_without_end_is_its_start_alone(zone):
    ip_range = create(zone, end_ip="")
    assert ip_range.end_ip == "203.0.113.10"
    assert [a.address for a in ip_range.addresses.all()] == ["203.0.113.10"]


def test_a_range_holds_at_most_65536_addresses(zone):
    wide = {"gateway": "100.64.0.1", "netmask": "255.192.0.0", "start_ip": "100.64.0.2"}
    error = refused(create, "end_ip", zone=zone, **wide, end_ip="100.65.0.2")
    assert error.messages == [
        "The range 100.64.0.2-100.65.0.2 holds 65,537 addresses; a range holds at most 65,536."
    ]
    ip_range = create(zone, **wide, end_ip="100.65.0.1")
    assert ip_range.addresses.count() == MAX_ADDRESSES


def test_an_address_is_unique_in_its_zone(zone):
    """The database says so too (what an overlap check would miss)."""
    ip_range = create(zone)
    twin = PublicIpAddress(range=ip_range, zone=zone, address="203.0.113.10")
    with pytest.raises(Exception, match=r"(?i)unique"):
        twin.save()


# --- bad input: each error names its field and writes nothing --------------------------------


@pytest.mark.parametrize("field", ["gateway", "netmask", "start_ip"])
@pytest.mark.parametrize("value", ["", None])
def test_gateway_netmask_and_start_are_required(zone, field, value):
    refused(create, field, "required", zone=zone, **{field: value})


@pytest.mark.parametrize("field", ["gateway", "netmask", "start_ip", "end_ip"])
@pytest.mark.parametrize("value", ["gateway", "203.0.113", "203.0.113.256", "2001:db8::1"])
def test_malformed_addresses(zone, field, value):
    error = refused(create, field, "invalid", zone=zone, **{field: value})
    assert error.messages == [f"{value!r} is not a valid IPv4 address."]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"start_ip": "203.0.114.10"},
            "start_ip",
            "203.0.114.10 is not in the range's subnet 203.0.113.0/24 (its gateway and netmask).",
        ),
        ({"end_ip": "203.0.114.20"}, "end_ip", "is not in the range's subnet 203.0.113.0/24"),
        ({"gateway": "203.0.113.255"}, "gateway", "is the broadcast address"),
        ({"start_ip": "203.0.113.0"}, "start_ip", "is the network address"),
        ({"netmask": "255.0.255.0"}, "netmask", "is not a netmask"),
        (
            {"start_ip": "203.0.113.20", "end_ip": "203.0.113.10"},
            "end_ip",
            "The range 203.0.113.20-203.0.113.10 ends before it starts.",
        ),
        (
            {"gateway": "203.0.113.15"},
            "gateway",
            "The gateway 203.0.113.15 is inside the range 203.0.113.10-203.0.113.20.",
        ),
        ({"gateway": "203.0.113.10"}, "gateway", "is inside the range"),
    ],
)
def test_the_range_and_its_gateway_lie_in_the_subnet(zone, fields, field, message):
    error = refused(create, field, zone=zone, **fields)
    assert message in error.messages[0]


@pytest.mark.parametrize(
    ("vlan", "message"),
    [
        ("0", "VLAN id 0 is out of 1-4094."),
        ("4095", "VLAN id 4095 is out of 1-4094."),
        ("vlan://99999", "VLAN id 99999 is out of 1-4094."),
        ("abc", "'abc' is not a VLAN: an id from 1 to 4094, or untagged."),
        ("-5", "'-5' is not a VLAN: an id from 1 to 4094, or untagged."),
        ("100-199", "'100-199' is not a VLAN: an id from 1 to 4094, or untagged."),
        ("\u0661\u0662", "is not a VLAN"),  # digits, but not ASCII ones
        ("9" * 40, "Ensure this value has at most 32 characters."),
    ],
)
def test_a_vlan_is_an_id_from_1_to_4094_or_untagged(zone, vlan, message):
    error = refused(create, "vlan", zone=zone, vlan=vlan)
    assert message in error.messages[0]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"start_ip": "203.0.113.15", "end_ip": "203.0.113.30"},
            "The range 203.0.113.15-203.0.113.30 overlaps public IP range "
            "203.0.113.10-203.0.113.20.",
        ),
        ({"start_ip": "203.0.113.5", "end_ip": "203.0.113.10"}, "overlaps public IP range"),
        ({"start_ip": "203.0.113.20", "end_ip": ""}, "overlaps public IP range"),
    ],
)
def test_ranges_of_a_zone_do_not_overlap(zone, fields, message):
    create(zone)
    error = refused(create, "start_ip", "overlap", zone=zone, **fields)
    assert message in error.messages[0]
    other = factories.zone(name="zone-b")
    assert create(other, **fields).zone == other  # another zone's ranges are no clash


def test_a_range_does_not_overlap_a_pods_private_range(zone, pod):
    error = refused(
        create,
        "start_ip",
        "overlap",
        zone=zone,
        gateway="192.168.10.1",
        start_ip="192.168.10.150",
        end_ip="192.168.10.250",
    )
    assert error.messages == [
        "The range 192.168.10.150-192.168.10.250 overlaps pod rack-a's private range "
        "192.168.10.100-192.168.10.200."
    ]


def test_a_pods_range_does_not_overlap_a_public_range_either(zone):
    create(zone)
    error = refused(
        services.pod_create,
        "start_ip",
        "overlap",
        zone=zone,
        name="rack-z",
        gateway="203.0.113.1",
        netmask="255.255.255.0",
        start_ip="203.0.113.20",
        end_ip="203.0.113.40",
        by=None,
    )
    assert error.messages == [
        "The range 203.0.113.20-203.0.113.40 overlaps public IP range 203.0.113.10-203.0.113.20."
    ]


def test_a_vlan_carries_one_subnet(zone):
    create(zone)
    error = refused(
        create,
        "vlan",
        zone=zone,
        gateway="198.51.100.1",
        start_ip="198.51.100.10",
        end_ip="198.51.100.20",
    )
    assert error.messages == [
        "VLAN vlan://100 carries range 203.0.113.10-203.0.113.20 of subnet 203.0.113.0/24 "
        "(gateway 203.0.113.1, netmask 255.255.255.0); a range on it has the same."
    ]
    refused(
        create, "vlan", zone=zone, netmask="255.255.255.128", start_ip="203.0.113.30", end_ip=""
    )
    # more of the same subnet on the same VLAN is fine (CloudStack's way to extend a range)
    assert create(zone, start_ip="203.0.113.30", end_ip="203.0.113.40").vlan == "vlan://100"


def test_another_vlan_has_another_subnet(zone):
    create(zone)
    error = refused(
        create, "gateway", "overlap", zone=zone, vlan="200", start_ip="203.0.113.30", end_ip=""
    )
    assert error.messages == [
        "The subnet 203.0.113.0/24 overlaps the subnet 203.0.113.0/24 of range "
        "203.0.113.10-203.0.113.20 on VLAN vlan://100."
    ]


def test_a_public_vlan_is_not_one_of_the_zones_guest_vlans(zone):
    services.zone_update(zone=zone, vlan="90-110", by=None)
    error = refused(create, "vlan", zone=zone)
    assert error.messages == ["VLAN 100 is in the zone's guest VLAN range 90-110; choose another."]
    assert create(zone, vlan="111").vlan == "vlan://111"


def test_for_virtual_network_is_true_or_false(zone):
    refused(create, "for_virtual_network", zone=zone, for_virtual_network="yes")


# --- where a range belongs: CloudStack's rules for Basic and Advanced zones ------------------


def test_a_basic_zones_direct_range_belongs_to_a_pod_and_is_untagged(basic, basic_pod):
    direct = {"for_virtual_network": False, "vlan": None}
    subnet = {"gateway": "10.60.0.1", "start_ip": "10.60.0.10", "end_ip": "10.60.0.20"}
    error = refused(create, "pod", zone=basic, **direct, **subnet)
    assert error.messages == ["A Basic zone's direct IP ranges belong to a pod; choose one."]
    error = refused(create, "vlan", zone=basic, pod=basic_pod, **subnet, for_virtual_network=False)
    assert error.messages == ["A Basic zone's direct IP ranges are untagged."]
    ip_range = create(basic, pod=basic_pod, **direct, **subnet)
    assert (ip_range.pod, ip_range.vlan) == (basic_pod, "untagged")


def test_untagged_ranges_of_two_pods_have_their_own_subnets(basic, basic_pod):
    other_pod = factories.pod(zone=basic, name="rack-2")
    direct = {"for_virtual_network": False, "vlan": None}
    create(basic, pod=basic_pod, **direct, gateway="10.60.0.1", start_ip="10.60.0.10", end_ip="")
    second = create(
        basic, pod=other_pod, **direct, gateway="10.61.0.1", start_ip="10.61.0.10", end_ip=""
    )
    assert second.pod == other_pod
    refused(
        create,
        "gateway",
        "overlap",
        zone=basic,
        pod=other_pod,
        **direct,
        gateway="10.60.0.1",
        start_ip="10.60.0.50",
        end_ip="",
    )


def test_only_a_basic_zones_direct_ranges_belong_to_a_pod(zone, pod, basic, basic_pod):
    error = refused(create, "pod", zone=zone, pod=pod)
    assert error.messages == ["Only a Basic zone's direct IP ranges belong to a pod."]
    refused(create, "pod", zone=basic, pod=basic_pod)  # a virtual (elastic IP) range
    error = refused(create, "pod", zone=basic, pod=pod, for_virtual_network=False, vlan=None)
    assert error.messages == ["Pod rack-a is not in zone basic-1."]


def test_an_advanced_zones_direct_ranges_are_on_a_vlan(zone):
    error = refused(create, "vlan", zone=zone, vlan=None, for_virtual_network=False)
    assert error.messages == ["An Advanced zone's direct IP ranges need a VLAN id."]
    assert create(zone, vlan=None).vlan == "untagged"  # a virtual one may be untagged


def test_ranges_only_in_this_regions_zones(root):
    far = factories.remote_pod().zone
    error = refused(create, "zone", "remote", zone=far, by=root)
    assert error.messages == ["Public IP ranges are managed by the portal of their zone's region."]


# --- delete ---------------------------------------------------------------------------------


def test_delete_takes_the_addresses_with_it(root, zone):
    ip_range = create(zone)
    key = str(ip_range.pk)
    services.vlan_ip_range_delete(vlan_ip_range=ip_range, by=root)
    assert not VlanIpRange.objects.filter(pk=key).exists()
    assert not PublicIpAddress.objects.exists()
    assert ObjectChange.objects.filter(object_id=key, action=ChangeAction.DELETE).exists()


@pytest.mark.parametrize("state", ["Allocated", "Releasing"])
def test_a_range_with_an_address_in_use_is_not_deleted(root, zone, state):
    ip_range = create(zone)
    address = ip_range.addresses.get(address="203.0.113.12")
    allocate(address, root.account)
    if state == "Releasing":
        PublicIpAddress.objects.filter(pk=address.pk).update(state=state)
    error = refused(
        services.vlan_ip_range_delete, "__all__", "in_use", vlan_ip_range=ip_range, by=root
    )
    assert error.messages == [
        "1 address(es) of public IP range 203.0.113.10-203.0.113.20 are allocated; release "
        "them first."
    ]


def test_an_address_allocated_between_the_check_and_the_delete_is_kept(root, zone, monkeypatch):
    """The free addresses go first, then the rest are counted again: an address allocated
    meanwhile is no longer free, so it stays and the delete is refused."""
    ip_range = create(zone)
    real, calls = vlan_ip_ranges._refuse_allocated, []

    def racing(checked):
        calls.append(checked)
        if len(calls) == 1:
            real(checked)
            allocate(checked.addresses.get(address="203.0.113.10"), root.account)
        else:
            real(checked)

    monkeypatch.setattr(vlan_ip_ranges, "_refuse_allocated", racing)
    before = db_state()
    with pytest.raises(ValidationError, match="are allocated"):
        services.vlan_ip_range_delete(vlan_ip_range=ip_range, by=root)
    assert db_state() == before  # the allocation rolled back with the refused delete, too
    assert ip_range.addresses.count() == 11


def test_a_zone_with_ranges_is_not_deleted(root, zone):
    create(zone)
    create(zone, start_ip="203.0.113.30", end_ip="")
    error = refused(services.zone_delete, "__all__", "in_use", zone=zone, by=root)
    assert error.messages == ["Zone zone-a still has 2 public IP range(s); delete them first."]


def test_a_pod_with_ranges_is_not_deleted(root, basic, basic_pod):
    create(
        basic,
        pod=basic_pod,
        for_virtual_network=False,
        vlan=None,
        start_ip="203.0.113.30",
        end_ip="",
    )
    error = refused(services.pod_delete, "__all__", "in_use", pod=basic_pod, by=root)
    assert error.messages == ["Pod basic-rack still has 1 public IP range(s); delete them first."]


def test_a_zone_whose_ranges_are_gone_is_deleted(root, zone):
    ip_range = create(zone)
    services.vlan_ip_range_delete(vlan_ip_range=ip_range, by=root)
    services.zone_delete(zone=zone, by=root)
    assert not Zone.objects.filter(pk=zone.pk).exists()


def test_ranges_of_another_regions_zones_are_deleted_there(root):
    far = factories.remote_pod().zone
    ip_range = VlanIpRange.objects.create(
        zone=far,
        gateway="10.9.9.1",
        netmask="255.255.255.0",
        start_ip="10.9.9.5",
        end_ip="10.9.9.6",
    )
    refused(services.vlan_ip_range_delete, "zone", "remote", vlan_ip_range=ip_range, by=root)


def test_an_account_holding_an_address_cannot_go(root, zone):
    """An allocated address names its account: the account is kept until it is released."""
    account = factories.account()
    allocate(create(zone).addresses.first(), account)
    with pytest.raises(ValidationError, match="still in use"):
        account_delete(account=account, by=None)
    assert PublicIpAddress.objects.filter(account=account).exists()


# --- permissions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "actor", ["dadmin", "alice", "anonymous", "disabled_root", "locked_account"], indirect=True
)
def test_only_root_admins_write_ranges(zone, actor):
    ip_range = create(zone)
    before = db_state()
    with pytest.raises(PermissionDenied):
        create(zone, start_ip="203.0.113.30", by=actor)
    with pytest.raises(PermissionDenied):
        services.vlan_ip_range_delete(vlan_ip_range=ip_range, by=actor)
    assert db_state() == before
