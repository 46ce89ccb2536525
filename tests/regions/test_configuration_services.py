"""Setting writes and reads: who may change them, resolution zone > region > default, and
the definitions kept in step on migrate without touching operators' values."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from regions.configuration import selectors
from regions.configuration.definitions import DEFINITIONS
from regions.configuration.selectors import (
    setting_text,
    setting_value,
    settings_filtered,
    settings_list,
)
from regions.configuration.services import definitions_sync, setting_reset, setting_update
from regions.models import Change, Region, Setting
from regions.models.configuration import setting_id
from tests import factories
from tests.db_state import db_state
from zones.models import ZoneSetting

FACTOR = "storage.overprovisioning.factor"  # zone scope, float, default 2.0


@pytest.fixture
def zone(region):
    return factories.zone(name="z1")


@pytest.fixture
def other_zone(region):
    return factories.zone(name="z2")


def test_migrate_made_a_row_for_every_definition(db):
    rows = {s.name: s for s in Setting.objects.all()}
    assert set(rows) == {d.name for d in DEFINITIONS}
    for definition in DEFINITIONS:
        row = rows[definition.name]
        assert row.pk == setting_id(definition.name)
        assert (row.type, row.scope, row.default) == (
            definition.type,
            definition.scope,
            definition.default,
        )
        assert row.value is None


def test_defaults_apply_until_a_value_is_set(db):
    assert setting_value("password.policy.minimum.length") == 8
    assert setting_value("allow.user.create.projects") is True
    assert setting_value(FACTOR) == 2.0
    assert setting_value("vm.allocation.algorithm") == "random"


def test_root_admin_sets_and_resets_a_global_setting(root):
    setting = setting_update(name="password.policy.minimum.length", value="12", by=root)
    assert setting.value == "12"
    assert setting_value("password.policy.minimum.length") == 12
    assert setting_text("password.policy.minimum.length") == ("12", selectors.Source.GLOBAL)
    setting_reset(name="password.policy.minimum.length", by=root)
    assert Setting.objects.get(name="password.policy.minimum.length").value is None
    assert setting_value("password.policy.minimum.length") == 8


def test_a_typed_value_is_stored_canonically(root):
    setting_update(name="allow.user.create.projects", value=False, by=root)
    assert Setting.objects.get(name="allow.user.create.projects").value == "false"
    assert setting_value("allow.user.create.projects") is False


def test_resolution_is_zone_then_region_then_default(root, zone, other_zone):
    assert setting_text(FACTOR, zone=zone) == ("2.0", selectors.Source.DEFAULT)
    setting_update(name=FACTOR, value="3", by=root)
    assert setting_value(FACTOR, zone=zone) == 3.0
    assert setting_text(FACTOR, zone=zone)[1] == selectors.Source.REGION
    setting_update(name=FACTOR, value="4.5", zone=zone, by=root)
    assert setting_value(FACTOR, zone=zone) == 4.5
    assert setting_text(FACTOR, zone=zone)[1] == selectors.Source.ZONE
    assert setting_value(FACTOR, zone=other_zone) == 3.0  # the region's value
    assert setting_value(FACTOR, zone=zone.pk) == 4.5  # a zone id does as well
    assert setting_value(FACTOR) == 3.0  # without a zone: the region's value
    setting_reset(name=FACTOR, by=root)
    assert setting_value(FACTOR, zone=zone) == 4.5  # the zone's own value still holds
    assert setting_value(FACTOR, zone=other_zone) == 2.0  # default
    setting_reset(name=FACTOR, zone=zone, by=root)
    assert setting_value(FACTOR, zone=zone) == 2.0
    assert not ZoneSetting.objects.exists()


def test_a_second_zone_value_replaces_the_first(root, zone):
    setting_update(name=FACTOR, value="3", zone=zone, by=root)
    setting_update(name=FACTOR, value="5", zone=zone, by=root)
    assert list(ZoneSetting.objects.values_list("value", flat=True)) == ["5.0"]


def test_settings_list_shows_effective_values_and_their_source(root, zone):
    setting_update(name=FACTOR, value="3", by=root)
    setting_update(name="cpu.overprovisioning.factor", value="2", zone=zone, by=root)
    setting_update(name="session.timeout", value="60", by=root)
    rows = {s.name: s for s in settings_list(actor=root, zone=zone)}
    assert (rows[FACTOR].effective, rows[FACTOR].source) == ("3.0", "region")
    assert (
        rows["cpu.overprovisioning.factor"].effective,
        rows["cpu.overprovisioning.factor"].source,
    ) == ("2.0", "zone")
    assert (rows["session.timeout"].effective, rows["session.timeout"].source) == ("60", "global")
    assert (
        rows["mem.overprovisioning.factor"].effective,
        rows["mem.overprovisioning.factor"].source,
    ) == ("1.0", "default")
    without_zone = {s.name: s for s in settings_list(actor=root)}
    assert without_zone["cpu.overprovisioning.factor"].source == "default"


def test_settings_list_filters(root):
    by_scope = settings_filtered(actor=root, filters={"scope": "zone"})
    assert by_scope and all(s.scope == "zone" for s in by_scope)
    by_category = settings_filtered(actor=root, filters={"category": "password policy"})
    assert by_category and all(s.category == "Password policy" for s in by_category)
    assert [s.name for s in settings_filtered(actor=root, filters={"name": "SESSION.TIMEOUT"})] == [
        "session.timeout"
    ]
    assert {s.name for s in settings_filtered(actor=root, search="overprovisioning")} == {
        "storage.overprovisioning.factor",
        "cpu.overprovisioning.factor",
        "mem.overprovisioning.factor",
    }


def test_admins_see_settings_and_users_do_not(root, dadmin, alice):
    count = len(DEFINITIONS)
    assert settings_list(actor=root).count() == count
    assert settings_list(actor=dadmin).count() == count
    assert settings_list(actor=alice).count() == 0
    assert settings_list(actor=None).count() == 0


@pytest.mark.parametrize("who", ["dadmin", "alice"])
def test_only_a_root_admin_changes_settings(request, root, zone, who):
    actor = request.getfixturevalue(who)
    setting_update(name=FACTOR, value="3", zone=zone, by=root)
    before = db_state()
    with pytest.raises(PermissionDenied):
        setting_update(name="allow.user.create.projects", value=False, by=actor)
    with pytest.raises(PermissionDenied):
        setting_update(name=FACTOR, value="5", zone=zone, by=actor)
    with pytest.raises(PermissionDenied):
        setting_reset(name=FACTOR, zone=zone, by=actor)
    with pytest.raises(PermissionDenied):
        setting_reset(name="allow.user.create.projects", by=actor)
    assert db_state() == before


def test_a_disabled_root_admin_changes_nothing(root, region):
    from identity.services import user_disable

    other = factories.root_admin(username="root2")
    user_disable(user=other, by=root)
    other.refresh_from_db()
    with pytest.raises(PermissionDenied):
        setting_update(name="session.timeout", value="5", by=other)
    assert Setting.objects.get(name="session.timeout").value is None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "password.policy.minimum.length", "value": "short"}, "value"),
        ({"name": "password.policy.minimum.length", "value": "0"}, "value"),
        ({"name": "password.policy.minimum.length", "value": None}, "value"),
        ({"name": "allow.user.create.projects", "value": "perhaps"}, "value"),
        ({"name": "vm.allocation.algorithm", "value": "fastest"}, "value"),
        ({"name": "no.such.setting", "value": "1"}, "name"),
        ({"name": "", "value": "1"}, "name"),
        ({"name": None, "value": "1"}, "name"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(root, kwargs, field):
    before, changes = db_state(), Change.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        setting_update(**kwargs, by=root)
    assert field in excinfo.value.error_dict
    assert db_state() == before and Change.objects.count() == changes


def test_only_zone_scoped_settings_take_a_value_per_zone(root, zone):
    before = db_state()
    for name in ("session.timeout", "region.support.contact"):
        with pytest.raises(ValidationError) as excinfo:
            setting_update(name=name, value="5", zone=zone, by=root)
        assert "zone" in excinfo.value.error_dict
        with pytest.raises(ValidationError):
            setting_reset(name=name, zone=zone, by=root)
    assert db_state() == before


def test_a_bad_zone_value_leaves_the_zone_as_it_was(root, zone):
    setting_update(name=FACTOR, value="3", zone=zone, by=root)
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        setting_update(name=FACTOR, value="0.1", zone=zone, by=root)
    assert "value" in excinfo.value.error_dict
    assert db_state() == before
    assert setting_value(FACTOR, zone=zone) == 3.0


def test_zones_of_another_region_are_refused(root, zone):
    other = Region.objects.create(id=7, name="west", endpoint="http://west.example.com")
    zone.region = other
    zone.save()
    with pytest.raises(ValidationError) as excinfo:
        setting_update(name=FACTOR, value="3", zone=zone, by=root)
    assert "another region" in excinfo.value.messages[0]
    assert not ZoneSetting.objects.exists()


def test_unknown_settings_are_a_lookup_error_for_readers(db):
    with pytest.raises(LookupError):
        setting_value("no.such.setting")


def test_a_missing_row_falls_back_to_the_code_definition(db):
    Setting.objects.filter(name="session.timeout").delete()
    assert setting_value("session.timeout") == 30


def test_an_unusable_stored_value_falls_back_to_the_default(db):
    Setting.objects.filter(name="session.timeout").update(value="soon")
    assert setting_value("session.timeout") == 30


def test_sync_creates_missing_rows_and_fixes_definitions_but_keeps_values(root):
    setting_update(name="session.timeout", value="45", by=root)
    Setting.objects.filter(name="session.timeout").update(description="stale", max_value=5)
    Setting.objects.filter(name="api.key.access").delete()
    changes = Change.objects.count()
    assert definitions_sync() == {"created": 1, "updated": 1}
    timeout = Setting.objects.get(name="session.timeout")
    assert timeout.value == "45"
    assert timeout.description.startswith("Minutes of inactivity")
    assert timeout.max_value == 10080
    assert Setting.objects.get(name="api.key.access").pk == setting_id("api.key.access")
    # An upgrade records no replication change: it must not push "unset" to other regions.
    assert Change.objects.count() == changes
    assert definitions_sync() == {"created": 0, "updated": 0}
