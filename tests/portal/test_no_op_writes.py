"""An edit that changes nothing writes nothing: no replicated change, `updated` untouched;
an edit that changes one field saves that field (issue 11, item 6)."""

from __future__ import annotations

import pytest

from identity import services as identity
from regions import services as regions
from regions.configuration import services as configuration
from regions.models import Change
from tests import factories
from zones import services as zones
from zones.selectors import zone_vlan_text


def _changes() -> int:
    return Change.objects.count()


def _same(obj):
    """Each service called with the object's own values."""
    if obj._meta.label == "identity.Domain":
        return identity.domain_update(
            domain=obj, name=obj.name, network_domain=obj.network_domain, by=None
        )
    if obj._meta.label == "identity.Account":
        return identity.account_update(
            account=obj, name=obj.name, network_domain=obj.network_domain, by=None
        )
    if obj._meta.label == "identity.User":
        return identity.user_update(
            user=obj,
            username=obj.username,
            email=obj.email,
            first_name=obj.first_name,
            last_name=obj.last_name,
            timezone=obj.timezone,
            by=None,
        )
    if obj._meta.label == "identity.Project":
        return identity.project_update(
            project=obj, name=obj.name, display_text=obj.display_text, owner=obj.owner, by=None
        )
    if obj._meta.label == "zones.Zone":
        return zones.zone_update(
            zone=obj,
            name=obj.name,
            description=obj.description,
            dns1=obj.dns1,
            dns2=obj.dns2,
            internal_dns1=obj.internal_dns1,
            internal_dns2=obj.internal_dns2,
            guest_cidr=obj.guest_cidr,
            vlan=zone_vlan_text(obj),
            allocation_state=obj.allocation_state,
            by=None,
        )
    if obj._meta.label == "zones.Pod":
        return zones.pod_update(
            pod=obj,
            name=obj.name,
            gateway=obj.gateway,
            netmask=obj.netmask,
            start_ip=obj.start_ip,
            end_ip=obj.end_ip,
            allocation_state=obj.allocation_state,
            by=None,
        )
    if obj._meta.label == "zones.Cluster":
        return zones.cluster_update(
            cluster=obj,
            name=obj.name,
            allocation_state=obj.allocation_state,
            cpu_overcommit_ratio=obj.cpu_overcommit_ratio,
            memory_overcommit_ratio=str(obj.memory_overcommit_ratio),
            hypervisor=obj.hypervisor,
            cluster_type=obj.cluster_type,
            arch=obj.arch,
            by=None,
        )
    if obj._meta.label == "zones.Host":
        return zones.host_update(host=obj, name=obj.name, host_tags=obj.host_tags, by=None)
    if obj._meta.label == "zones.StoragePool":
        return zones.storage_pool_update(
            storagepool=obj,
            name=obj.name,
            tags=f" {obj.tags} ",
            capacity_bytes=str(obj.capacity_bytes),
            enabled=True,
            by=None,
        )
    if obj._meta.label == "regions.Region":
        return regions.region_update(
            region=obj,
            name=obj.name,
            endpoint=obj.endpoint,
            description=obj.description,
            by=None,
        )
    raise AssertionError(obj)


MAKERS = {
    "domain": lambda region: factories.domain(),
    "account": lambda region: factories.account(),
    "user": lambda region: factories.user(),
    "project": lambda region: factories.project(),
    "zone": lambda region: factories.zone(vlan="100-199,300-309"),
    "pod": lambda region: factories.pod(),
    "cluster": lambda region: factories.cluster(),
    "host": lambda region: factories.host(),
    "storage pool": lambda region: factories.storage_pool(tags="ssd,fast"),
    "region": lambda region: region,
}


@pytest.mark.parametrize("kind", MAKERS)
def test_an_edit_to_the_same_values_records_nothing(region, kind):
    obj = MAKERS[kind](region)
    obj.refresh_from_db()
    before, updated = _changes(), getattr(obj, "updated", None)
    _same(obj)
    obj.refresh_from_db()
    assert _changes() == before
    assert getattr(obj, "updated", None) == updated


def test_an_edit_records_one_change_of_what_changed(region):
    user = factories.user()
    before = _changes()
    identity.user_update(user=user, first_name="Changed", by=None)
    assert _changes() == before + 1
    identity.user_update(user=user, first_name="Changed", by=None)
    assert _changes() == before + 1


def test_a_state_already_held_records_nothing(region):
    user, account, project = factories.user(), factories.account(), factories.project()
    before = _changes()
    identity.user_enable(user=user, by=None)
    identity.account_enable(account=account, by=None)
    identity.project_activate(project=project, by=None)
    assert _changes() == before
    identity.user_disable(user=user, by=None)
    assert _changes() == before + 1


def test_a_setting_set_to_its_own_value_records_nothing(region):
    configuration.setting_update(name="session.timeout", value=45, by=None)
    before = _changes()
    configuration.setting_update(name="session.timeout", value=45, by=None)
    assert _changes() == before
