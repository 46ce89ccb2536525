"""Only global settings replicate; region and zone values stay in their region."""

from __future__ import annotations

from regions.configuration.selectors import setting_value
from regions.configuration.services import setting_reset, setting_update
from regions.federation.replication import registry
from regions.federation.replication.apply import IncomingChange, Outcome, change_apply
from regions.federation.replication.feed import snapshot_build
from regions.models import Change, Setting
from regions.models.configuration import setting_id
from tests import factories


def changes_of(name: str):
    return Change.objects.filter(model="regions.setting", object_id=str(setting_id(name)))


def test_settings_are_registered_keyed_by_their_name_derived_uuid(db):
    spec = registry.spec_for(Setting)
    assert spec is not None and spec.key == "pk"
    setting = Setting.objects.get(name="session.timeout")
    assert spec.object_id(setting) == str(setting_id("session.timeout"))
    assert spec.applies_to(setting)
    assert not spec.applies_to(Setting.objects.get(name="region.display.name"))
    assert not spec.applies_to(Setting.objects.get(name="vm.allocation.algorithm"))


def test_a_global_change_is_logged_with_only_name_and_value(root):
    setting_update(name="allow.user.create.projects", value=False, by=root)
    [change] = changes_of("allow.user.create.projects")
    assert change.op == "upsert" and change.origin == 1
    assert change.payload == {"name": "allow.user.create.projects", "value": "false"}
    setting_reset(name="allow.user.create.projects", by=root)
    assert changes_of("allow.user.create.projects").last().payload["value"] is None


def test_region_and_zone_values_write_no_change(root):
    zone = factories.zone(name="z1")
    before = Change.objects.filter(model="regions.setting").count()
    setting_update(name="region.support.contact", value="help@example.com", by=root)
    setting_update(name="storage.overprovisioning.factor", value="3", by=root)
    setting_update(name="storage.overprovisioning.factor", value="4", zone=zone, by=root)
    setting_reset(name="storage.overprovisioning.factor", zone=zone, by=root)
    setting_reset(name="region.support.contact", by=root)
    assert Change.objects.filter(model="regions.setting").count() == before == 0


def test_a_snapshot_for_a_joining_region_carries_global_settings_only(root, region):
    setting_update(name="session.timeout", value="20", by=root)
    setting_update(name="region.display.name", value="East (Frankfurt)", by=root)
    snapshot = snapshot_build(local=region)
    settings = {
        o["payload"]["name"]: o["payload"]
        for o in snapshot["objects"]
        if o["model"] == "regions.setting"
    }
    assert settings["session.timeout"] == {"name": "session.timeout", "value": "20"}
    assert "region.display.name" not in settings
    assert "vm.allocation.algorithm" not in settings


def remote(name: str, value, *, wall: int = 10**13, origin: int = 2) -> IncomingChange:
    return IncomingChange(
        model="regions.setting",
        object_id=str(setting_id(name)),
        op="upsert",
        version=(wall, 0, origin),
        payload={"name": name, "value": value},
    )


def test_a_peers_global_change_applies_here_without_touching_the_definition(region):
    assert change_apply(remote("max.account.projects", "3")) == Outcome.APPLIED
    setting = Setting.objects.get(name="max.account.projects")
    assert setting.value == "3" and setting.type == "integer" and setting.min_value == -1
    assert setting_value("max.account.projects") == 3
    # Applying is not a local change: nothing is logged to be sent back.
    assert not changes_of("max.account.projects").exists()
    # An older change arriving late is ignored.
    assert change_apply(remote("max.account.projects", "7", wall=1)) == Outcome.IGNORED
    assert setting_value("max.account.projects") == 3


def test_a_setting_this_region_does_not_know_yet_arrives_as_a_global_row(region):
    change_apply(remote("some.future.setting", "on"))
    row = Setting.objects.get(name="some.future.setting")
    assert row.pk == setting_id("some.future.setting") and row.scope == "global"
    assert setting_value("some.future.setting") == "on"


def test_a_peers_change_to_a_setting_scoped_to_this_region_is_ignored_and_noted(region):
    from regions.models import Override

    for name in ("region.display.name", "vm.allocation.algorithm"):
        before = Setting.objects.get(name=name)
        change = IncomingChange(
            "regions.setting",
            str(setting_id(name)),
            "upsert",
            (4_000_000_000_000, 0, 2),
            {"name": name, "value": "from-a-peer"},
        )
        assert change_apply(change) == Outcome.IGNORED
        after = Setting.objects.get(name=name)
        assert (after.value, after.scope) == (before.value, before.scope)
        override = Override.objects.get(object_id=str(setting_id(name)))
        assert override.kind == "scope" and name in override.detail
