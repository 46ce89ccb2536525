"""Pod services: addresses and ranges checked as CloudStack checks them, each error naming
its field and writing nothing; pods only in this region's zones; root admins only."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from portal.models import ChangeAction, ObjectChange
from regions.services import region_create
from tests import factories
from tests.db_state import db_state, refused
from zones import services
from zones.models import AllocationState, Pod, Zone

ADDRESSES = {
    "gateway": "192.168.10.1",
    "netmask": "255.255.255.0",
    "start_ip": "192.168.10.100",
    "end_ip": "192.168.10.200",
}


def create(zone: Zone, **fields) -> Pod:
    fields = {"name": "pod-1", **ADDRESSES, **fields}
    fields.setdefault("by", None)
    return services.pod_create(zone=zone, **fields)


@pytest.fixture
def remote_zone(region):
    """A zone of another region, as the registry's replication would show it."""
    west = region_create(id=2, name="west", endpoint="https://west.example.com", by=None)
    return Zone.objects.create(region=west, name="west-1", dns1="8.8.8.8", internal_dns1="10.0.0.2")


# --- create ---------------------------------------------------------------------------------


def test_create(root, zone):
    pod = create(zone, name="rack-1", allocation_state=AllocationState.DISABLED, by=root)
    pod.refresh_from_db()
    assert (pod.zone, pod.name, pod.allocation_state) == (zone, "rack-1", "Disabled")
    assert (pod.gateway, pod.netmask, pod.start_ip, pod.end_ip) == tuple(ADDRESSES.values())
    change = ObjectChange.objects.get(object_id=str(pod.pk))
    assert (change.action, change.model, change.actor_id) == (
        ChangeAction.CREATE,
        "zones.Pod",
        None,
    )


def test_pods_are_enabled_and_a_range_without_end_is_its_start_alone(zone):
    pod = create(zone, end_ip=None)
    assert pod.allocation_state == AllocationState.ENABLED  # CloudStack's default for pods
    assert pod.end_ip == pod.start_ip == "192.168.10.100"
    assert create(zone, name="pod-2", start_ip="192.168.10.5", end_ip="  ").end_ip == "192.168.10.5"


def test_addresses_are_stored_in_their_canonical_form(zone):
    pod = create(zone, gateway=" 192.168.10.1 ", start_ip="192.168.10.100 ")
    assert (pod.gateway, pod.start_ip) == ("192.168.10.1", "192.168.10.100")


def test_names_are_unique_in_a_zone_whatever_their_case(zone):
    create(zone, name="Rack-A")
    other = factories.zone(name="zone-b")
    for name in ("rack-a", " RACK-A "):
        error = refused(create, "name", "unique", zone=zone, name=name, start_ip="192.168.10.2")
        assert error.messages == [f"A pod named {name.strip()} exists in zone zone-a."]
    assert create(other, name="rack-a").zone == other  # another zone's pods are no clash


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 256}, "name"),
        ({"name": "rack\x07"}, "name"),
        ({"allocation_state": "enabled"}, "allocation_state"),
        ({"allocation_state": "Maintenance"}, "allocation_state"),
    ],
)
def test_names_and_states(zone, fields, field):
    refused(create, field, zone=zone, **fields)


@pytest.mark.parametrize("field", ["gateway", "netmask", "start_ip"])
@pytest.mark.parametrize("value", ["", "  ", None])
def test_gateway_netmask_and_start_are_required(zone, field, value):
    refused(create, field, "required", zone=zone, **{field: value})


@pytest.mark.parametrize("field", ["gateway", "netmask", "start_ip", "end_ip"])
@pytest.mark.parametrize(
    "value", ["gateway", "192.168.10", "192.168.10.256", "192.168.010.1", "fd00::1", "10.0.0.0/8"]
)
def test_addresses_must_be_ipv4(zone, field, value):
    error = refused(create, field, "invalid", zone=zone, **{field: value})
    assert error.messages == [f"{value!r} is not a valid IPv4 address."]


@pytest.mark.parametrize(
    "netmask", ["255.0.255.0", "0.0.0.255", "255.255.255.1", "0.0.0.0", "128.255.0.0"]
)
def test_a_netmask_is_ones_then_zeros(zone, netmask):
    error = refused(create, "netmask", zone=zone, netmask=netmask)
    assert "is not a netmask" in error.messages[0]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"start_ip": "192.168.11.100"},
            "start_ip",
            "192.168.11.100 is not in the pod's subnet 192.168.10.0/24 (its gateway and netmask).",
        ),
        ({"end_ip": "192.168.11.5"}, "end_ip", "is not in the pod's subnet 192.168.10.0/24"),
        (
            {"netmask": "255.255.255.128"},  # the range .100-.200 leaves the /25 of .1
            "end_ip",
            "192.168.10.200 is not in the pod's subnet 192.168.10.0/25",
        ),
        (
            {"start_ip": "192.168.10.0"},
            "start_ip",
            "192.168.10.0 is the network address of the pod's subnet 192.168.10.0/24.",
        ),
        ({"end_ip": "192.168.10.255"}, "end_ip", "is the broadcast address"),
        ({"gateway": "192.168.10.255"}, "gateway", "is the broadcast address"),
        (
            {"start_ip": "192.168.10.200", "end_ip": "192.168.10.100"},
            "end_ip",
            "The range 192.168.10.200-192.168.10.100 ends before it starts.",
        ),
        (
            {"gateway": "192.168.10.150"},
            "gateway",
            "The gateway 192.168.10.150 is inside the range 192.168.10.100-192.168.10.200.",
        ),
        ({"gateway": "192.168.10.100"}, "gateway", "is inside the range"),
        ({"gateway": "192.168.10.200"}, "gateway", "is inside the range"),
    ],
)
def test_the_range_lies_in_the_subnet_around_the_gateway(zone, fields, field, message):
    error = refused(create, field, zone=zone, **fields)
    assert message in error.messages[0]


def test_the_gateway_may_sit_on_either_side_of_the_range(zone):
    create(zone, gateway="192.168.10.254")
    pod = create(zone, name="pod-2", gateway="10.0.0.1", netmask="255.0.0.0",
                 start_ip="10.0.0.2", end_ip="10.0.0.2")  # fmt: skip
    assert (pod.start_ip, pod.end_ip) == ("10.0.0.2", "10.0.0.2")


def test_point_to_point_subnets_have_no_network_or_broadcast_address(zone):
    pod = create(zone, gateway="192.168.10.0", netmask="255.255.255.254",
                 start_ip="192.168.10.1", end_ip="")  # fmt: skip
    assert pod.end_ip == "192.168.10.1"


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("192.168.10.150", "192.168.10.160"),  # inside
        ("192.168.10.50", "192.168.10.100"),  # ends on its start
        ("192.168.10.200", "192.168.10.250"),  # starts on its end
        ("192.168.10.50", "192.168.10.250"),  # around it
        ("192.168.10.120", ""),  # one address of it
    ],
)
def test_ranges_of_a_zone_do_not_overlap(zone, start, end):
    create(zone, name="first")
    error = refused(create, "start_ip", "overlap", zone=zone, start_ip=start, end_ip=end)
    assert "overlaps pod first's range 192.168.10.100-192.168.10.200." in error.messages[0]


def test_ranges_next_to_each_other_or_in_another_zone_are_no_overlap(zone):
    create(zone, name="first")
    create(zone, name="below", start_ip="192.168.10.2", end_ip="192.168.10.99")
    create(zone, name="above", start_ip="192.168.10.201", end_ip="192.168.10.253")
    assert create(factories.zone(name="zone-b"), name="elsewhere").start_ip == "192.168.10.100"
    assert zone.pods.count() == 3


def test_pods_only_in_this_regions_zones(root, remote_zone):
    error = refused(create, "zone", "remote", zone=remote_zone, by=root)
    assert error.messages == ["Pods are managed by the portal of their zone's region."]


# --- update ---------------------------------------------------------------------------------


def test_update(root, zone):
    pod = create(zone)
    services.pod_update(
        pod=pod,
        name="rack-9",
        gateway="172.16.0.1",
        netmask="255.255.0.0",
        start_ip="172.16.1.0",
        end_ip="172.16.1.255",
        allocation_state=AllocationState.DISABLED,
        by=root,
    )
    pod.refresh_from_db()
    assert (pod.name, pod.gateway, pod.netmask) == ("rack-9", "172.16.0.1", "255.255.0.0")
    assert (pod.start_ip, pod.end_ip, pod.allocation_state) == (
        "172.16.1.0",
        "172.16.1.255",
        "Disabled",
    )
    assert ObjectChange.objects.filter(object_id=str(pod.pk), action="update").count() == 1


def test_update_keeps_what_is_not_given(zone):
    pod = create(zone)
    services.pod_update(pod=pod, start_ip="192.168.10.150", by=None)
    pod.refresh_from_db()
    assert (pod.start_ip, pod.end_ip, pod.gateway) == (
        "192.168.10.150",
        "192.168.10.200",
        "192.168.10.1",
    )
    services.pod_update(pod=pod, end_ip="", by=None)  # empty: the start alone
    pod.refresh_from_db()
    assert pod.end_ip == "192.168.10.150"
    services.pod_update(pod=pod, name="POD-1", by=None)  # its own name, in another case
    assert Pod.objects.get(pk=pod.pk).name == "POD-1"


def test_an_update_to_the_same_values_records_nothing(zone):
    pod = create(zone)
    pod.refresh_from_db()
    before, updated = ObjectChange.objects.count(), pod.updated
    services.pod_update(
        pod=pod,
        **{"name": pod.name, **ADDRESSES, "allocation_state": pod.allocation_state},
        by=None,
    )
    services.pod_update(pod=pod, gateway=" 192.168.10.1 ", by=None)  # the same, spelt otherwise
    pod.refresh_from_db()
    assert ObjectChange.objects.count() == before
    assert pod.updated == updated


def test_a_pod_keeps_clear_of_its_own_range_only(zone):
    pod = create(zone)
    services.pod_update(pod=pod, start_ip="192.168.10.90", end_ip="192.168.10.210", by=None)
    create(zone, name="other", start_ip="192.168.10.2", end_ip="192.168.10.20")
    refused(services.pod_update, "start_ip", "overlap", pod=pod, start_ip="192.168.10.20", by=None)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "OTHER"}, "name"),
        ({"name": ""}, "name"),
        ({"gateway": "nope"}, "gateway"),
        ({"gateway": "192.168.10.150"}, "gateway"),
        ({"netmask": "255.255.255.255"}, "start_ip"),  # a /32: the gateway alone
        ({"netmask": "255.0.0.255"}, "netmask"),
        ({"start_ip": "192.168.10.201"}, "end_ip"),  # after the end it keeps
        ({"end_ip": "192.168.10.50"}, "end_ip"),
        ({"end_ip": "10.0.0.1"}, "end_ip"),
        ({"allocation_state": "Off"}, "allocation_state"),
        ({"name": "fine", "allocation_state": "Off"}, "allocation_state"),
    ],
)
def test_bad_updates_change_nothing(zone, changes, field):
    create(zone, name="other", start_ip="192.168.10.2", end_ip="192.168.10.3")
    pod = create(zone)
    refused(services.pod_update, field, pod=pod, by=None, **changes)


def test_pods_of_another_regions_zones_are_managed_there(root, remote_zone):
    pod = Pod.objects.create(zone=remote_zone, name="far", **ADDRESSES)
    refused(services.pod_update, "zone", "remote", pod=pod, name="mine", by=root)
    refused(services.pod_delete, "zone", "remote", pod=pod, by=root)


# --- delete ---------------------------------------------------------------------------------


def test_delete(root, zone):
    pod = create(zone)
    key = str(pod.pk)
    services.pod_delete(pod=pod, by=root)
    assert not Pod.objects.filter(pk=key).exists()
    assert ObjectChange.objects.filter(object_id=key, action="delete").exists()


def test_a_zone_with_pods_is_not_deleted(root, zone):
    create(zone)
    error = refused(services.zone_delete, "__all__", "in_use", zone=zone, by=root)
    assert error.messages == ["Zone zone-a still has 1 pod(s); delete them first."]


# --- permissions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "actor", ["dadmin", "alice", "anonymous", "disabled_root", "locked_account"], indirect=True
)
def test_only_root_admins_write_pods(zone, actor):
    pod = create(zone)
    before = db_state()
    with pytest.raises(PermissionDenied):
        create(zone, name="pod-2", start_ip="192.168.10.2", end_ip="", by=actor)
    with pytest.raises(PermissionDenied):
        services.pod_update(pod=pod, name="x", by=actor)
    with pytest.raises(PermissionDenied):
        services.pod_delete(pod=pod, by=actor)
    assert db_state() == before
