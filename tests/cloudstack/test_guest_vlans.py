"""A zone's guest VLAN ranges through the `cs` client: createZone's and updateZone's `vlan`,
listZones answering it as CloudStack's ZoneResponse does (root admins), and
dedicateGuestVlanRange, listDedicatedGuestVlanRanges, releaseDedicatedGuestVlanRange (an
async job, as in CloudStack) with errors that name the parameter and change nothing. Who may
call them: tests/cloudstack/test_refusals.py (root admins only)."""

from __future__ import annotations

import pytest

from tests import factories
from tests.cloudstack.refusals import cs_refused
from zones.models import DedicatedGuestVlanRange, GuestVlan, Zone

MISSING = "00000000-0000-4000-8000-00000000abcd"


def create_zone(client, **fields) -> dict:
    """createZone of an Advanced zone, FIELDS as given."""
    defaults = {"networktype": "Advanced", "dns1": "8.8.8.8", "internaldns1": "10.0.0.2"}
    return client.createZone(**(defaults | fields))


@pytest.fixture
def ranged(region) -> Zone:
    return factories.zone(name="ranged", vlan="100-199")


# --- the zone's ranges ----------------------------------------------------------------------


def test_create_and_update_a_zone_with_its_guest_vlans(root_cs, region):
    created = create_zone(root_cs, name="zone-v", vlan="300-349,100-199")["zone"]
    assert created["vlan"] == "100-199,300-349"
    zone = Zone.objects.get(pk=created["id"])
    assert GuestVlan.objects.filter(zone=zone).count() == 150
    updated = root_cs.updateZone(id=created["id"], vlan="100-149")["zone"]
    assert updated["vlan"] == "100-149"
    assert root_cs.listZones(id=created["id"])["zone"][0]["vlan"] == "100-149"
    cleared = root_cs.updateZone(id=created["id"], vlan="")["zone"]
    assert "vlan" not in cleared  # CloudStack leaves out what is not set
    assert not GuestVlan.objects.filter(zone=zone).exists()


def test_users_are_not_shown_the_guest_vlans(alice_cs, ranged):
    assert "vlan" not in alice_cs.listZones(id=str(ranged.pk))["zone"][0]


@pytest.mark.parametrize(
    ("vlan", "message"),
    [
        ("100-", "vlan: '100-' is not a VLAN range: start-end (such as 100-199)"),
        ("0-9", "vlan: VLAN id 0 is out of 1-4094."),
        ("1-4095", "vlan: VLAN id 4095 is out of 1-4094."),
        ("9-1", "vlan: The VLAN range 9-1 ends before it starts."),
        ("1-10,5-20", "vlan: The VLAN ranges 1-10 and 5-20 overlap."),
    ],
)
def test_bad_ranges_are_431_naming_vlan(root_cs, ranged, vlan, message):
    status, error = cs_refused(root_cs.updateZone, id=str(ranged.pk), vlan=vlan)
    assert status == 431 and error["errortext"].startswith(message), error["errortext"]
    status, error = cs_refused(create_zone, root_cs, name="zone-w", vlan=vlan)
    assert status == 431 and error["errortext"].startswith(message), error["errortext"]


def test_a_basic_zone_takes_no_guest_vlans(root_cs, region):
    status, error = cs_refused(create_zone, root_cs, name="z-b", networktype="Basic", vlan="1-9")
    assert (status, error["errortext"]) == (
        431,
        "vlan: Basic zones have no guest VLAN range; leave it empty.",
    )


def test_dropping_an_allocated_vlan_is_536(root_cs, root, ranged):
    ranged.guest_vlans.filter(vnet=150).update(account=root.account)
    status, error = cs_refused(root_cs.updateZone, id=str(ranged.pk), vlan="100-149")
    assert (status, error["errortext"]) == (
        536,
        "vlan: Guest VLAN(s) 150 are allocated; they stay in the zone's ranges.",
    )


# --- dedications ----------------------------------------------------------------------------


def test_dedicate_list_and_release(root_cs, bob, sales, ranged):
    dedicated = root_cs.dedicateGuestVlanRange(
        zoneid=str(ranged.pk), vlanrange="110-119", account="sales-team", domainid=str(sales.pk)
    )["dedicatedguestvlanrange"]
    dedication = DedicatedGuestVlanRange.objects.get()
    assert dedicated == {
        "id": str(dedication.pk),
        "guestvlanrange": "110-119",
        "account": "sales-team",
        "domainid": str(sales.pk),
        "domain": "sales",
        "zoneid": str(ranged.pk),
        "physicalnetworkid": str(ranged.pk),
    }
    assert dedication.account == bob.account
    assert root_cs.listDedicatedGuestVlanRanges() == {
        "count": 1,
        "dedicatedguestvlanrange": [dedicated],
    }
    # an async job, as in CloudStack: the client polls it and answers its result
    assert root_cs.releaseDedicatedGuestVlanRange(id=dedicated["id"]) == {"success": True}
    assert not DedicatedGuestVlanRange.objects.exists()


def test_the_zone_may_be_named_as_cloudstacks_physical_network(root_cs, root, ranged):
    dedicated = root_cs.dedicateGuestVlanRange(
        physicalnetworkid=str(ranged.pk), vlanrange="120-121", account=root.account.name
    )["dedicatedguestvlanrange"]
    assert dedicated["zoneid"] == str(ranged.pk)
    other = factories.zone(name="other", vlan="1-9")
    status, error = cs_refused(
        root_cs.dedicateGuestVlanRange,
        zoneid=str(ranged.pk),
        physicalnetworkid=str(other.pk),
        vlanrange="122-123",
        account=root.account.name,
    )
    assert (status, error["errortext"]) == (
        431,
        "physicalnetworkid: zoneid and physicalnetworkid name two zones.",
    )
    status, error = cs_refused(
        root_cs.dedicateGuestVlanRange, vlanrange="122-123", account=root.account.name
    )
    assert status == 431 and "missing parameter zoneid" in error["errortext"]


@pytest.mark.parametrize(
    ("vlanrange", "status", "message"),
    [
        ("x", 431, "vlanrange: 'x' is not a VLAN range"),
        ("110-111,113-114", 431, "vlanrange: Give one range of VLANs: start-end"),
        ("190-210", 431, "vlanrange: VLANs 190-210 are not within one of zone ranged's guest"),
        ("105-112", 431, "vlanrange: VLANs 105-112 overlap 110-119, dedicated to account"),
        ("0-4", 431, "vlanrange: VLAN id 0 is out of 1-4094."),
    ],
)
def test_bad_dedications_name_the_parameter(root_cs, bob, ranged, vlanrange, status, message):
    domainid = str(bob.account.domain_id)
    root_cs.dedicateGuestVlanRange(
        zoneid=str(ranged.pk), vlanrange="110-119", account="sales-team", domainid=domainid
    )
    answered, error = cs_refused(
        root_cs.dedicateGuestVlanRange,
        zoneid=str(ranged.pk),
        vlanrange=vlanrange,
        account="sales-team",
        domainid=domainid,
    )
    assert answered == status and error["errortext"].startswith(message), error["errortext"]


def test_an_unknown_account_or_zone_is_an_invalid_value(root_cs, ranged):
    status, error = cs_refused(
        root_cs.dedicateGuestVlanRange, zoneid=str(ranged.pk), vlanrange="1-2", account="nobody"
    )
    assert status == 431 and "Invalid parameter account value=nobody" in error["errortext"]
    status, error = cs_refused(
        root_cs.dedicateGuestVlanRange, zoneid=MISSING, vlanrange="1-2", account="nobody"
    )
    assert status == 431 and f"Invalid parameter zoneid value={MISSING}" in error["errortext"]


def test_list_filters_by_zone_account_domain_and_range(root_cs, root, bob, sales, ranged):
    other = factories.zone(name="other", vlan="1-9")
    mine = DedicatedGuestVlanRange.objects.create(zone=ranged, start=100, end=101,
                                                  account=root.account)  # fmt: skip
    bobs = DedicatedGuestVlanRange.objects.create(zone=other, start=1, end=2, account=bob.account)

    def ids(**params):
        answer = root_cs.listDedicatedGuestVlanRanges(**params)
        return [r["id"] for r in answer.get("dedicatedguestvlanrange", [])]

    assert set(ids()) == {str(mine.pk), str(bobs.pk)}
    assert ids(zoneid=str(other.pk)) == ids(physicalnetworkid=str(other.pk)) == [str(bobs.pk)]
    assert ids(account="sales-team", domainid=str(sales.pk)) == [str(bobs.pk)]
    assert ids(domainid=str(sales.pk)) == [str(bobs.pk)]
    assert ids(guestvlanrange="100-101") == ids(vlanrange="100-101") == [str(mine.pk)]
    assert ids(guestvlanrange="100-102") == ids(guestvlanrange="x") == []
    assert ids(id=str(mine.pk)) == [str(mine.pk)]
    assert ids(keyword="sales") == [str(bobs.pk)]
