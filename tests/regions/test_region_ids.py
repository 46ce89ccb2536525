"""Region ids stay unique cloud-wide: reservations here, and the refusal of a region whose id
is already another's (the Region registration's refuse hook)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from regions.federation.replication.region_ids import (
    RESERVATION_TTL,
    RegionIdTaken,
    region_id_highest,
    region_id_release,
    region_id_reservations_purge,
    region_id_reserve,
)
from regions.federation.replication.registry import spec_for
from regions.models import OverrideKind, Region, RegionIdReservation
from regions.services import region_create

NORTH = uuid.UUID("0b5f6f7e-1111-4c5e-9d4e-000000000001")
SOUTH = uuid.UUID("0b5f6f7e-2222-4c5e-9d4e-000000000002")


@pytest.fixture
def west(region):
    return region_create(id=2, name="west", endpoint="https://west.example.com", by=None)


def reservations() -> list[tuple[int, uuid.UUID, int]]:
    return list(
        RegionIdReservation.objects.order_by("region_id").values_list(
            "region_id", "region_uuid", "acceptor"
        )
    )


def test_a_free_id_is_reserved_once_per_joiner(west):
    region_id_reserve(region_id=3, region_uuid=NORTH, acceptor=2)
    region_id_reserve(region_id=3, region_uuid=NORTH, acceptor=2)  # a retried call
    assert reservations() == [(3, NORTH, 2)]
    assert region_id_highest() == 3


def test_an_id_reserved_for_another_joiner_is_refused(west):
    region_id_reserve(region_id=3, region_uuid=NORTH, acceptor=2)
    with pytest.raises(RegionIdTaken) as taken:
        region_id_reserve(region_id=3, region_uuid=SOUTH, acceptor=1)
    assert taken.value.reason == "reserved"
    assert str(NORTH) in taken.value.detail and "region 2" in taken.value.detail
    assert reservations() == [(3, NORTH, 2)]


def test_an_id_of_a_region_is_refused(west):
    with pytest.raises(RegionIdTaken) as taken:
        region_id_reserve(region_id=2, region_uuid=NORTH, acceptor=1)
    assert taken.value.reason == "region" and "west" in taken.value.detail
    assert reservations() == []


def test_a_registered_region_is_not_given_a_second_id(west):
    with pytest.raises(RegionIdTaken) as taken:
        region_id_reserve(region_id=3, region_uuid=west.uuid, acceptor=1)
    assert taken.value.reason == "uuid"
    # Its own id, for its own UUID, is no clash (the join's row arrived before the call).
    region_id_reserve(region_id=2, region_uuid=west.uuid, acceptor=1)


@pytest.mark.parametrize("region_id", [0, 2**31])
def test_ids_out_of_range_are_refused(region, region_id):
    with pytest.raises(RegionIdTaken) as taken:
        region_id_reserve(region_id=region_id, region_uuid=NORTH, acceptor=1)
    assert taken.value.reason == "invalid"


def test_release_forgets_only_that_joiners_reservation(west):
    region_id_reserve(region_id=3, region_uuid=NORTH, acceptor=2)
    assert region_id_release(region_id=3, region_uuid=SOUTH) == 0
    assert region_id_release(region_id=4, region_uuid=NORTH) == 0
    assert reservations() == [(3, NORTH, 2)]
    assert region_id_release(region_id=3, region_uuid=NORTH) == 1
    assert reservations() == []


def test_the_highest_id_counts_regions_and_reservations(west):
    assert region_id_highest() == 2
    region_id_reserve(region_id=7, region_uuid=NORTH, acceptor=2)
    assert region_id_highest() == 7


def test_purge_forgets_fulfilled_and_stale_reservations(west):
    done = region_create(
        id=3, name="north", endpoint="https://north.example.com", uuid=NORTH, by=None
    )
    region_id_reserve(region_id=3, region_uuid=done.uuid, acceptor=2)  # its row has arrived
    region_id_reserve(region_id=4, region_uuid=SOUTH, acceptor=2)  # a join under way
    stale = uuid.uuid4()
    region_id_reserve(region_id=5, region_uuid=stale, acceptor=2)
    RegionIdReservation.objects.filter(region_id=5).update(
        created=timezone.now() - RESERVATION_TTL - timedelta(minutes=1)
    )
    assert region_id_reservations_purge() == 2
    assert reservations() == [(4, SOUTH, 2)]
    assert region_id_reservations_purge() == 0


def test_region_create_takes_the_uuid_the_id_was_agreed_for(west):
    north = region_create(
        id=3, name="north", endpoint="https://north.example.com", uuid=NORTH, by=None
    )
    assert Region.objects.get(pk=3).uuid == north.uuid == NORTH
    with pytest.raises(ValidationError) as error:
        region_create(id=4, name="south", endpoint="https://south.example.com", uuid=NORTH, by=None)
    assert "uuid" in error.value.message_dict
    assert not Region.objects.filter(pk=4).exists()


# --- the refuse hook: a region arriving by replication with an id already used here -------


def refuse(object_id, payload):
    return spec_for(Region).refuse(str(object_id), payload)


def region_payload(region_id, name="north"):
    return {
        "id": region_id,
        "name": name,
        "description": "",
        "endpoint": f"https://{name}.example.com",
        "gslb_service_enabled": True,
        "portable_ip_service_enabled": False,
    }


def test_a_region_with_the_id_of_another_region_here_is_refused(west):
    kind, detail = refuse(NORTH, region_payload(2))
    assert kind == OverrideKind.REGION_ID
    assert "north" in detail and str(NORTH) in detail  # the incoming region
    assert "west" in detail and str(west.uuid) in detail  # the region that has the id here
    assert len(detail) <= 500


def test_a_region_with_an_id_reserved_for_another_joiner_is_refused(west):
    region_id_reserve(region_id=3, region_uuid=SOUTH, acceptor=2)
    kind, detail = refuse(NORTH, region_payload(3))
    assert kind == OverrideKind.REGION_ID
    assert str(NORTH) in detail and str(SOUTH) in detail and "region 2" in detail


def test_the_region_an_id_was_reserved_for_is_not_refused(west):
    region_id_reserve(region_id=3, region_uuid=NORTH, acceptor=2)
    assert refuse(NORTH, region_payload(3)) is None


def test_updates_of_known_regions_and_new_free_ids_are_not_refused(west):
    assert refuse(west.uuid, region_payload(2, name="west-renamed")) is None
    assert refuse(NORTH, region_payload(3)) is None


@pytest.mark.parametrize(
    ("object_id", "payload"),
    [
        ("not-a-uuid", region_payload(2)),
        (NORTH, region_payload("2")),
        (NORTH, region_payload(None)),
        (NORTH, {"name": "north"}),
    ],
)
def test_malformed_changes_are_left_to_the_apply_path(west, object_id, payload):
    assert refuse(object_id, payload) is None


def test_a_long_detail_fits_an_override(west):
    Region.objects.filter(pk=2).update(name="w" * 255)
    kind, detail = refuse(NORTH, region_payload(2, name="n" * 255))
    assert kind == OverrideKind.REGION_ID and len(detail) == 500
