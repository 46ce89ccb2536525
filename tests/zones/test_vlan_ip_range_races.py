"""A public IP range and its zone's delete, at the same moment (PostgreSQL's row locks): a
range's writes lock its zone, and the zone's delete locks it before it counts the ranges,
so each waits for the other and then refuses clearly (never the database's "added
meanwhile"), as docs/architecture.md ("Adding a model") has it."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tests import factories
from tests.row_locks import while_held
from zones import services
from zones.models import VlanIpRange, Zone

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs on it)"
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def add_range(zone: Zone) -> VlanIpRange:
    return services.vlan_ip_range_create(
        zone=Zone.objects.get(pk=zone.pk),
        vlan="100",
        gateway="203.0.113.1",
        netmask="255.255.255.0",
        start_ip="203.0.113.10",
        end_ip="203.0.113.20",
        by=None,
    )


def delete_zone(zone: Zone) -> None:
    services.zone_delete(zone=Zone.objects.get(pk=zone.pk), by=None)


def test_a_zone_delete_waits_for_a_range_being_added_and_then_refuses():
    factories.local_region()
    zone = factories.zone(name=f"busy-{uuid.uuid4().hex[:6]}")
    waited, result = while_held(lambda: add_range(zone), lambda: delete_zone(zone))
    assert waited, "the delete must wait for the range being added"
    assert isinstance(result, ValidationError)
    assert {f: [e.code for e in es] for f, es in result.error_dict.items()} == {
        "__all__": ["in_use"]
    }
    assert result.messages == [
        f"Zone {zone.name} still has 1 public IP range(s); delete them first."
    ]
    assert VlanIpRange.objects.filter(zone=zone).count() == 1


def test_a_range_added_while_its_zone_is_deleted_is_refused_naming_the_zone():
    factories.local_region()
    zone = factories.zone(name=f"leaving-{uuid.uuid4().hex[:6]}")
    waited, result = while_held(lambda: delete_zone(zone), lambda: add_range(zone))
    assert waited, "the range must wait for the delete"
    assert isinstance(result, ValidationError)
    assert {f: [e.code for e in es] for f, es in result.error_dict.items()} == {"zone": ["gone"]}
    assert not Zone.objects.filter(pk=zone.pk).exists()
    assert not VlanIpRange.objects.exists()
