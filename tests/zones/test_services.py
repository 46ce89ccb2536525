"""Zone services: only this portal's region, validated DNS and guest networks."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from regions.services import region_create
from tests.db_state import db_state
from zones import services
from zones.models import AllocationState, NetworkType, Zone
from zones.services import DEFAULT_GUEST_CIDR


def error_codes(excinfo: pytest.ExceptionInfo, field: str) -> list[str]:
    return [e.code for e in excinfo.value.error_dict[field]]


def create(**fields) -> Zone:
    fields.setdefault("name", "z1")
    fields.setdefault("dns1", "8.8.8.8")
    fields.setdefault("internal_dns1", "10.0.0.2")
    fields.setdefault("by", None)
    return services.zone_create(**fields)


@pytest.fixture
def west(region):
    return region_create(id=2, name="west", endpoint="https://west.example.com", by=None)


@pytest.fixture
def remote_zone(west):
    """A zone of another region, as replication or a registry import would leave it."""
    return Zone.objects.create(region=west, name="west-1", dns1="8.8.8.8", internal_dns1="10.0.0.2")


# --- create ---------------------------------------------------------------------------------


def test_create_in_the_local_region(root, region, west):
    zone = create(
        name="z1",
        description="First",
        dns1="8.8.8.8",
        dns2="8.8.4.4",
        internal_dns1="10.0.0.2",
        internal_dns2="10.0.0.3",
        guest_cidr="10.2.0.0/16",
        allocation_state=AllocationState.ENABLED,
        by=root,
    )
    zone.refresh_from_db()
    assert zone.region == region
    assert (zone.name, zone.description, zone.network_type) == ("z1", "First", "Advanced")
    assert (zone.dns1, zone.dns2, zone.internal_dns1, zone.internal_dns2) == (
        "8.8.8.8",
        "8.8.4.4",
        "10.0.0.2",
        "10.0.0.3",
    )
    assert zone.guest_cidr == "10.2.0.0/16"
    assert zone.allocation_state == "Enabled"


def test_defaults(region):
    zone = create()
    assert zone.network_type == NetworkType.ADVANCED
    assert zone.allocation_state == AllocationState.DISABLED
    assert zone.guest_cidr == DEFAULT_GUEST_CIDR == "10.1.1.0/24"
    assert zone.dns2 is None and zone.internal_dns2 is None


@pytest.mark.django_db
def test_zones_need_a_local_region():
    region_create(id=2, name="west", endpoint="https://west.example.com", by=None)
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        create()
    assert error_codes(excinfo, "region") == ["no_region"]
    assert db_state() == before


def test_names_are_unique_case_insensitively(region, remote_zone):
    create(name="Zone-A")
    before = db_state()
    for name in ("zone-a", "ZONE-A", " Zone-A ", "WEST-1"):
        with pytest.raises(ValidationError) as excinfo:
            create(name=name)
        assert error_codes(excinfo, "name") == ["unique"]
    assert db_state() == before


@pytest.mark.parametrize(
    ("address", "stored"),
    [
        ("1.1.1.1", "1.1.1.1"),
        (" 9.9.9.9 ", "9.9.9.9"),
        ("2001:4860:4860::8888", "2001:4860:4860::8888"),
        ("2001:4860:4860:0:0:0:0:8844", "2001:4860:4860::8844"),
        ("::1", "::1"),
    ],
)
def test_dns_accepts_ipv4_and_ipv6(region, address, stored):
    zone = create(dns1=address, dns2=address, internal_dns1=address, internal_dns2=address)
    zone.refresh_from_db()
    assert {zone.dns1, zone.dns2, zone.internal_dns1, zone.internal_dns2} == {stored}


@pytest.mark.parametrize("field", ["dns1", "dns2", "internal_dns1", "internal_dns2"])
@pytest.mark.parametrize(
    "address", ["dns.google", "256.1.1.1", "1.2.3", "10.0.0.0/8", "::g", "01.1.1.1"]
)
def test_dns_refuses_what_is_not_an_ip_address(region, field, address):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        create(**{field: address})
    assert list(excinfo.value.error_dict) == [field]
    assert db_state() == before


@pytest.mark.parametrize("field", ["dns1", "internal_dns1"])
@pytest.mark.parametrize("value", ["", "  ", None])
def test_first_dns_servers_are_required(region, field, value):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        create(**{field: value})
    assert error_codes(excinfo, field) == ["required"]
    assert db_state() == before


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("", DEFAULT_GUEST_CIDR),
        ("   ", DEFAULT_GUEST_CIDR),
        ("192.168.0.0/16", "192.168.0.0/16"),
        (" 172.16.0.0/12 ", "172.16.0.0/12"),
        ("10.0.0.0/255.0.0.0", "10.0.0.0/8"),
    ],
)
def test_advanced_guest_cidr(region, given, stored):
    assert create(guest_cidr=given).guest_cidr == stored


@pytest.mark.parametrize(
    "cidr",
    [
        "10.1.1.1/24",  # host bits set
        "10.1.1.0",  # not in CIDR form
        "10.1.1.0/33",
        "fd00::/64",  # IPv6
        "guest",
        "10.1.1.0/",
    ],
)
def test_advanced_guest_cidr_refuses_bad_networks(region, cidr):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        create(guest_cidr=cidr)
    assert list(excinfo.value.error_dict) == ["guest_cidr"]
    assert db_state() == before


def test_basic_zones_have_no_guest_cidr(region):
    zone = create(network_type=NetworkType.BASIC)
    assert zone.guest_cidr == ""
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        create(name="z2", network_type=NetworkType.BASIC, guest_cidr="10.1.1.0/24")
    assert "guest_cidr" in excinfo.value.error_dict
    assert db_state() == before


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"network_type": "basic"}, "network_type"),
        ({"network_type": "Hybrid"}, "network_type"),
        ({"allocation_state": "enabled"}, "allocation_state"),
        ({"allocation_state": "Maintenance"}, "allocation_state"),
        ({"name": ""}, "name"),
        ({"name": "x" * 256}, "name"),
        ({"description": "x" * 1025}, "description"),
    ],
)
def test_choices_and_lengths(region, fields, field):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        create(**fields)
    assert field in excinfo.value.error_dict
    assert db_state() == before


def test_allocation_state_choices():
    assert AllocationState.values == ["Enabled", "Disabled"]
    assert NetworkType.values == ["Basic", "Advanced"]


# --- update ---------------------------------------------------------------------------------


def test_update(root, region):
    zone = create(dns2="8.8.4.4")
    services.zone_update(
        zone=zone,
        name="z-one",
        description="d",
        dns1="1.1.1.1",
        dns2=None,
        internal_dns1="10.0.0.9",
        internal_dns2="fd00::53",
        guest_cidr="10.9.0.0/16",
        allocation_state=AllocationState.ENABLED,
        by=root,
    )
    zone.refresh_from_db()
    assert (zone.name, zone.description, zone.dns1, zone.dns2) == ("z-one", "d", "1.1.1.1", None)
    assert (zone.internal_dns1, zone.internal_dns2) == ("10.0.0.9", "fd00::53")
    assert (zone.guest_cidr, zone.allocation_state) == ("10.9.0.0/16", "Enabled")


def test_update_leaves_unnamed_fields_alone(region):
    zone = create(dns2="8.8.4.4", internal_dns2="10.0.0.3")
    services.zone_update(zone=zone, description="only this", by=None)
    zone.refresh_from_db()
    assert (zone.dns2, zone.internal_dns2, zone.name) == ("8.8.4.4", "10.0.0.3", "z1")


def test_update_may_keep_its_own_name(region):
    zone = create(name="zone")
    services.zone_update(zone=zone, name="ZONE", by=None)
    assert Zone.objects.get(pk=zone.pk).name == "ZONE"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "OTHER"}, "name"),
        ({"dns1": ""}, "dns1"),
        ({"dns1": "nope"}, "dns1"),
        ({"dns2": "nope"}, "dns2"),
        ({"internal_dns1": "1.2.3.4.5"}, "internal_dns1"),
        ({"guest_cidr": "10.1.1.1/24"}, "guest_cidr"),
        ({"guest_cidr": "fd00::/64"}, "guest_cidr"),
        ({"allocation_state": "On"}, "allocation_state"),
        ({"name": "fine", "allocation_state": "On"}, "allocation_state"),
    ],
)
def test_bad_updates_change_nothing(region, fields, field):
    create(name="other")
    zone = create(name="zone")
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.zone_update(zone=zone, by=None, **fields)
    assert field in excinfo.value.error_dict
    assert db_state() == before


def test_a_basic_zone_keeps_no_guest_cidr(region):
    zone = create(network_type=NetworkType.BASIC)
    before = db_state()
    with pytest.raises(ValidationError):
        services.zone_update(zone=zone, guest_cidr="10.1.1.0/24", by=None)
    assert db_state() == before


def test_an_advanced_zone_update_with_blank_cidr_gets_the_default(region):
    zone = create(guest_cidr="10.5.0.0/16")
    services.zone_update(zone=zone, guest_cidr="", by=None)
    assert Zone.objects.get(pk=zone.pk).guest_cidr == DEFAULT_GUEST_CIDR


# --- remote zones and delete ----------------------------------------------------------------


def test_zones_of_another_region_cannot_be_changed_or_deleted_here(root, remote_zone):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.zone_update(zone=remote_zone, description="x", by=root)
    assert error_codes(excinfo, "region") == ["remote"]
    with pytest.raises(ValidationError) as excinfo:
        services.zone_delete(zone=remote_zone, by=root)
    assert error_codes(excinfo, "region") == ["remote"]
    assert db_state() == before


def test_delete(root, region):
    zone = create()
    services.zone_delete(zone=zone, by=root)
    assert not Zone.objects.filter(pk=zone.pk).exists()


# --- permissions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "actor", ["dadmin", "alice", "anonymous", "disabled_root", "locked_account"], indirect=True
)
def test_only_root_admins_write_zones(region, actor):
    zone = create()
    by = actor
    before = db_state()
    with pytest.raises(PermissionDenied):
        create(name="z2", by=by)
    with pytest.raises(PermissionDenied):
        services.zone_update(zone=zone, name="x", by=by)
    with pytest.raises(PermissionDenied):
        services.zone_delete(zone=zone, by=by)
    assert db_state() == before
