"""Concurrent allocations never take a cluster past its disable threshold: threads on
PostgreSQL, each in its own transaction, against one cluster."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from tests import factories
from zones.models import Capacity, CapacityType, Host
from zones.services.capacity import capacity_allocate, capacity_recompute

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_concurrent_allocations_stop_at_the_disable_threshold():
    factories.local_region()
    zone = factories.zone(name="race-zone")
    cluster = factories.cluster(pod=factories.pod(zone=zone), name="race", hypervisor="Simulator")
    for n in range(4):  # 4 hosts of 4 x 2500 MHz: 40,000 MHz, 85% is 34,000
        factories.host(
            cluster=cluster, url=f"http://sim/race/h{n}?cpucore=4&cpuspeed=2500&memory=16384"
        )
    capacity_recompute(zone=zone)
    start = threading.Barrier(8)
    placed: list[int] = []
    refused: list[str] = []
    failures: list[BaseException] = []

    def allocate() -> None:
        try:
            start.wait(10)
            for _ in range(4):
                try:
                    capacity_allocate(cluster=cluster, cpu=1500, memory=2**28)
                    placed.append(1500)
                except ValidationError as error:
                    refused.append(str(error))
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=allocate) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures
    row = Capacity.objects.get(object_id=cluster.pk, capacity_type=CapacityType.CPU)
    # 32 asks of 1,500: 22 fit under 34,000 (33,000); the others are refused
    assert (len(placed), len(refused)) == (22, 10)
    assert row.allocated == sum(placed) == 33_000 <= 0.85 * row.total
    assert (
        sum(Host.objects.filter(cluster=cluster).values_list("cpu_allocated", flat=True)) == 33_000
    )
    assert all("disable threshold" in reason for reason in refused)
    for place in (cluster.pod_id, zone.pk):
        assert (
            Capacity.objects.get(object_id=place, capacity_type=CapacityType.CPU).allocated
            == 33_000
        )
