"""A zone's guest VLAN ranges (createZone's and updateZone's `vlan`): ranges as rows with a
row per VLAN, malformed, out of 1-4094, reversed or overlapping ranges refused naming `vlan`
and writing nothing, a shrink refused while a VLAN it drops is allocated or dedicated; and
dedications of guest VLANs to accounts (within one of the zone's ranges, not overlapping
another)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from identity.services import account_delete
from portal.models import ObjectChange
from tests import factories
from tests.db_state import db_state, refused
from zones import services
from zones.models import DedicatedGuestVlanRange, GuestVlan, GuestVlanRange, Zone
from zones.selectors import zone_vlan_text


def vnets(zone: Zone) -> list[int]:
    return list(zone.guest_vlans.order_by("vnet").values_list("vnet", flat=True))


def allocate(zone: Zone, vnet: int, account) -> None:
    """What allocation (not here yet) will do to a VLAN."""
    zone.guest_vlans.filter(vnet=vnet).update(account=account, allocated=timezone.now())


def dedicate(zone: Zone, vlan_range: str, account, **kwargs):
    kwargs.setdefault("by", None)
    return services.guest_vlan_range_dedicate(
        zone=zone, vlan_range=vlan_range, account=account, **kwargs
    )


@pytest.fixture
def ranged(region) -> Zone:
    """An Advanced zone with guest VLANs 100-109 and 200-204."""
    return factories.zone(name="ranged", vlan="200-204, 100-109")


# --- the zone's ranges ----------------------------------------------------------------------


def test_a_zone_is_made_with_its_ranges_and_a_row_per_vlan(ranged):
    ranges = ranged.guest_vlan_ranges.order_by("start")
    assert [(r.start, r.end) for r in ranges] == [(100, 109), (200, 204)]
    assert vnets(ranged) == [*range(100, 110), *range(200, 205)]
    assert set(ranged.guest_vlans.values_list("account", "allocated")) == {(None, None)}
    assert zone_vlan_text(ranged) == "100-109,200-204"


def test_a_lone_id_is_a_range_of_one(region):
    zone = factories.zone(vlan="42")
    assert zone_vlan_text(zone) == "42-42"
    assert vnets(zone) == [42]


def test_update_replaces_the_ranges_keeping_the_vlans_that_stay(ranged, root):
    kept = ranged.guest_vlans.get(vnet=105)
    allocate(ranged, 105, root.account)
    services.zone_update(zone=ranged, vlan="100-105,300-301", by=root)
    assert zone_vlan_text(ranged) == "100-105,300-301"
    assert vnets(ranged) == [*range(100, 106), 300, 301]
    kept.refresh_from_db()
    assert kept.account == root.account  # the same row, still allocated
    allocate(ranged, 105, None)
    services.zone_update(zone=ranged, vlan="", by=root)
    assert not ranged.guest_vlan_ranges.exists() and not ranged.guest_vlans.exists()


def test_an_update_without_vlan_leaves_the_ranges(ranged):
    services.zone_update(zone=ranged, description="renamed", by=None)
    assert zone_vlan_text(ranged) == "100-109,200-204"


def test_the_same_ranges_again_record_nothing(ranged):
    before, rows = ObjectChange.objects.count(), set(GuestVlan.objects.values_list("pk"))
    services.zone_update(zone=ranged, vlan="100-109,200-204", by=None)
    assert ObjectChange.objects.count() == before
    assert set(GuestVlan.objects.values_list("pk")) == rows


def test_range_changes_are_logged(ranged):
    services.zone_update(zone=ranged, vlan="100-109", by=None)
    logged = ObjectChange.objects.filter(model="zones.GuestVlanRange").order_by("time")
    assert [(c.action, c.object_repr) for c in logged] == [
        ("create", "100-109"),
        ("create", "200-204"),
        ("delete", "200-204"),
    ]


@pytest.mark.parametrize(
    ("vlan", "message"),
    [
        ("abc", "'abc' is not a VLAN range: start-end (such as 100-199), ranges separated by "),
        ("100-", "'100-' is not a VLAN range"),
        ("100-199,", "'' is not a VLAN range"),
        ("100:199", "'100:199' is not a VLAN range"),
        ("-5-10", "'-5-10' is not a VLAN range"),
        ("\u0661\u0660\u0660-200", "is not a VLAN range"),  # not ASCII digits
        ("0-10", "VLAN id 0 is out of 1-4094."),
        ("4000-4095", "VLAN id 4095 is out of 1-4094."),
        ("1-" + "9" * 30, "is out of 1-4094."),
        ("199-100", "The VLAN range 199-100 ends before it starts."),
        ("100-199,150-250", "The VLAN ranges 100-199 and 150-250 overlap."),
        ("300-310,100-300", "The VLAN ranges 100-300 and 300-310 overlap."),
        ("1-1,1", "The VLAN ranges 1-1 and 1-1 overlap."),
        ("1-2" + ",3-4" * 80, "Ensure this value has at most 255 characters."),
        ("100-\x07199", "Control characters are not allowed here."),
    ],
)
def test_bad_ranges_name_vlan_and_write_nothing(region, ranged, vlan, message):
    error = refused(
        services.zone_create,
        "vlan",
        name="zone-x",
        dns1="8.8.8.8",
        internal_dns1="10.0.0.2",
        vlan=vlan,
        by=None,
    )
    assert message in error.messages[0]
    error = refused(services.zone_update, "vlan", zone=ranged, vlan=vlan, by=None)
    assert message in error.messages[0]


def test_basic_zones_have_no_guest_vlan_range(region):
    fields = {"name": "b", "dns1": "8.8.8.8", "internal_dns1": "10.0.0.2"}
    error = refused(
        services.zone_create, "vlan", **fields, network_type="Basic", vlan="1-9", by=None
    )
    assert error.messages == ["Basic zones have no guest VLAN range; leave it empty."]
    zone = services.zone_create(**fields, network_type="Basic", vlan="", by=None)
    refused(services.zone_update, "vlan", zone=zone, vlan="1-9", by=None)


def test_a_shrink_that_drops_an_allocated_vlan_is_refused(ranged, root):
    allocate(ranged, 203, root.account)
    allocate(ranged, 204, root.account)
    error = refused(services.zone_update, "vlan", "in_use", zone=ranged, vlan="100-109", by=None)
    assert error.messages == [
        "Guest VLAN(s) 203, 204 are allocated; they stay in the zone's ranges."
    ]
    services.zone_update(zone=ranged, vlan="100-109,203-204", by=None)
    assert vnets(ranged) == [*range(100, 110), 203, 204]


def test_a_shrink_that_drops_dedicated_vlans_is_refused(ranged, bob):
    dedicate(ranged, "102-104", bob.account)
    error = refused(services.zone_update, "vlan", "in_use", zone=ranged, vlan="100-103", by=None)
    assert error.messages == [
        "Guest VLANs 102-104 are dedicated to account sales-team; release them first."
    ]


def test_a_guest_range_does_not_take_a_public_ranges_vlan(ranged):
    factories.vlan_ip_range(zone=ranged, vlan="250")
    error = refused(services.zone_update, "vlan", zone=ranged, vlan="240-260", by=None)
    assert error.messages[0].startswith("VLAN 250 carries public IP range 100.")


def test_a_zone_goes_with_its_guest_vlans_and_dedications(ranged, bob):
    dedicate(ranged, "100-101", bob.account)
    services.zone_delete(zone=ranged, by=None)
    assert not GuestVlanRange.objects.exists() and not GuestVlan.objects.exists()
    assert not DedicatedGuestVlanRange.objects.exists()


# --- dedications ----------------------------------------------------------------------------


def test_dedicate_and_release(ranged, bob, root):
    dedication = dedicate(ranged, " 102 - 105 ", bob.account, by=root)
    assert (dedication.zone, dedication.start, dedication.end) == (ranged, 102, 105)
    assert dedication.account == bob.account
    assert str(dedication) == "102-105"
    services.guest_vlan_range_release(dedication=dedication, by=root)
    assert not DedicatedGuestVlanRange.objects.exists()


@pytest.mark.parametrize(
    ("vlan_range", "message", "code"),
    [
        ("", "This field is required.", "required"),
        ("100-101,103-104", "Give one range of VLANs: start-end, such as 100-109.", "invalid"),
        ("x", "'x' is not a VLAN range", "invalid"),
        ("105-102", "ends before it starts", "invalid"),
        ("0-3", "VLAN id 0 is out of 1-4094.", "invalid"),
        (
            "108-201",
            "VLANs 108-201 are not within one of zone ranged's guest VLAN ranges "
            "(100-109,200-204).",
            "invalid",
        ),
        ("300-301", "are not within one of zone ranged's guest VLAN ranges", "invalid"),
        ("104-106", "VLANs 104-106 overlap 100-104, dedicated to account sales-team.", "overlap"),
    ],
)
def test_bad_dedications_name_vlan_range_and_write_nothing(ranged, bob, vlan_range, message, code):
    dedicate(ranged, "100-104", bob.account)
    error = refused(
        dedicate, "vlan_range", code, zone=ranged, vlan_range=vlan_range, account=bob.account
    )
    assert message in error.messages[0]


def test_a_zone_without_ranges_has_nothing_to_dedicate(zone, bob):
    error = refused(dedicate, "vlan_range", zone=zone, vlan_range="1-2", account=bob.account)
    assert error.messages == [
        "VLANs 1-2 are not within one of zone zone-a's guest VLAN ranges (none)."
    ]


def test_vlans_allocated_to_another_account_are_not_dedicated(ranged, bob, alice):
    allocate(ranged, 201, alice.account)
    error = refused(
        dedicate, "vlan_range", "in_use", zone=ranged, vlan_range="200-204", account=bob.account
    )
    assert error.messages == ["VLAN 201 is allocated to another account."]
    assert dedicate(ranged, "200-204", alice.account).account == alice.account


def test_dedications_only_in_this_regions_zones(root, bob):
    far = factories.remote_pod().zone
    refused(dedicate, "zone", "remote", zone=far, vlan_range="1-2", account=bob.account, by=root)


@pytest.mark.parametrize(
    "actor", ["dadmin", "alice", "anonymous", "disabled_root", "locked_account"], indirect=True
)
def test_only_root_admins_change_guest_vlans(ranged, bob, actor):
    dedication = dedicate(ranged, "100-101", bob.account)
    before = db_state()
    with pytest.raises(PermissionDenied):
        dedicate(ranged, "102-103", bob.account, by=actor)
    with pytest.raises(PermissionDenied):
        services.guest_vlan_range_release(dedication=dedication, by=actor)
    with pytest.raises(PermissionDenied):
        services.zone_update(zone=ranged, vlan="1-2", by=actor)
    assert db_state() == before


def test_an_accounts_dedications_go_with_it(ranged):
    account = factories.account()
    dedicate(ranged, "100-101", account)
    account_delete(account=account, by=None)
    assert not DedicatedGuestVlanRange.objects.exists()
