"""A storage pool being added while its zone or cluster is deleted: the delete waits for the
pool's write (both lock the same row) and then refuses with `in_use`, never meeting the
database's refusal of the PROTECT key at commit; a pool added while its cluster is being
deleted waits, then is refused naming the cluster."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tests import factories
from tests.row_locks import postgres_only, while_held
from zones import services
from zones.models import Cluster, StoragePool, Zone

#: each parent: how to make one, add a pool to it, and delete it
PARENTS: dict[str, tuple[Callable[[], Any], Callable[[Any], Any], Callable[[Any], None]]] = {
    "cluster": (
        factories.cluster,
        lambda row: factories.storage_pool(cluster=row, name="late"),
        lambda row: services.cluster_delete(cluster=Cluster.objects.get(pk=row.pk), by=None),
    ),
    "zone": (
        factories.zone,
        lambda row: factories.storage_pool(scope="ZONE", zone=row, name="late"),
        lambda row: services.zone_delete(zone=Zone.objects.get(pk=row.pk), by=None),
    ),
}


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("parent", sorted(PARENTS))
def test_a_delete_waits_for_a_pool_being_added_and_then_refuses(parent):
    factories.local_region()
    make, add, delete = PARENTS[parent]
    row = make()
    waited, result = while_held(lambda: add(row), lambda: delete(row))
    assert waited, "the delete must wait for the pool being added"
    assert isinstance(result, ValidationError), result
    label = type(row)._meta.verbose_name.capitalize()
    assert result.messages == [
        f"{label} {row.name} still has 1 storage pool(s); delete them first."
    ]
    assert type(row).objects.filter(pk=row.pk).exists()
    assert StoragePool.objects.filter(name="late").exists()


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_pool_added_while_its_cluster_is_deleted_is_refused_naming_the_cluster():
    factories.local_region()
    cluster = factories.cluster()
    _make, add, delete = PARENTS["cluster"]
    waited, result = while_held(lambda: delete(cluster), lambda: add(cluster))
    assert waited, "the pool must wait for its cluster's delete"
    assert isinstance(result, ValidationError), result
    assert result.message_dict == {"cluster": ["This cluster was deleted meanwhile."]}
    assert not StoragePool.objects.exists()
    assert not Cluster.objects.filter(pk=cluster.pk).exists()
