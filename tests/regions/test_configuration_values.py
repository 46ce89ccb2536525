"""Setting values: checked by type, range and choices; errors name the field "value"."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from regions.configuration.definitions import BY_NAME, DEFINITIONS
from regions.configuration.values import value_clean, value_parse
from regions.models.configuration import SettingScope, SettingType, setting_id

LENGTH = BY_NAME["password.policy.minimum.length"]  # integer 1..128
FACTOR = BY_NAME["storage.overprovisioning.factor"]  # float 1..100
THRESHOLD = BY_NAME["pool.storage.capacity.disablethreshold"]  # float 0..1
ALLOW = BY_NAME["allow.user.create.projects"]  # boolean
ALGORITHM = BY_NAME["vm.allocation.algorithm"]  # choice
CONTACT = BY_NAME["region.support.contact"]  # string


@pytest.mark.parametrize(
    ("definition", "raw", "stored"),
    [
        (LENGTH, "12", "12"),
        (LENGTH, 12, "12"),
        (LENGTH, " 9 ", "9"),
        (LENGTH, 12.0, "12"),
        (LENGTH, "1", "1"),
        (LENGTH, "128", "128"),
        (FACTOR, "2.5", "2.5"),
        (FACTOR, 3, "3.0"),
        (FACTOR, "100", "100.0"),
        (THRESHOLD, 0, "0.0"),
        (THRESHOLD, "0.9", "0.9"),
        (ALLOW, True, "true"),
        (ALLOW, False, "false"),
        (ALLOW, "FALSE", "false"),
        (ALLOW, "yes", "true"),
        (ALLOW, "0", "false"),
        (ALLOW, 1, "true"),
        (ALGORITHM, "firstfit", "firstfit"),
        (ALGORITHM, "FirstFit", "firstfit"),
        (CONTACT, "  help@example.com ", "help@example.com"),
        (CONTACT, "", ""),
    ],
)
def test_good_values_are_stored_as_canonical_text(definition, raw, stored):
    assert value_clean(definition, raw) == stored


@pytest.mark.parametrize(
    ("definition", "raw", "message"),
    [
        (LENGTH, "twelve", "whole number"),
        (LENGTH, "12.5", "whole number"),
        (LENGTH, 12.5, "whole number"),
        (LENGTH, True, "whole number"),
        (LENGTH, "", "whole number"),
        (LENGTH, [12], "whole number"),
        (LENGTH, "0", "at least 1"),
        (LENGTH, "-3", "at least 1"),
        (LENGTH, "129", "at most 128"),
        (FACTOR, "lots", "number"),
        (FACTOR, "nan", "finite"),
        (FACTOR, "inf", "finite"),
        (FACTOR, False, "number"),
        (FACTOR, "0.5", "at least 1"),
        (THRESHOLD, "1.01", "at most 1"),
        (ALLOW, "maybe", "true or false"),
        (ALLOW, 2, "true or false"),
        (ALLOW, None, "required"),
        (ALGORITHM, "fastest", "one of: random, firstfit"),
        (ALGORITHM, 3, "one of"),
        (CONTACT, 42, "text"),
        (CONTACT, "x" * 4097, "at most 4096"),
    ],
)
def test_bad_values_are_refused_on_the_value_field(definition, raw, message):
    with pytest.raises(ValidationError) as excinfo:
        value_clean(definition, raw)
    assert list(excinfo.value.error_dict) == ["value"]
    assert message in " ".join(excinfo.value.messages)


@pytest.mark.parametrize(
    ("definition", "text", "typed"),
    [
        (LENGTH, "12", 12),
        (FACTOR, "2.5", 2.5),
        (ALLOW, "true", True),
        (ALLOW, "false", False),
        (ALGORITHM, "random", "random"),
        (CONTACT, "help@example.com", "help@example.com"),
    ],
)
def test_stored_text_parses_to_the_settings_type(definition, text, typed):
    value = value_parse(definition, text)
    assert value == typed and type(value) is type(typed)


def test_every_definition_has_a_default_that_passes_its_own_rules():
    for definition in DEFINITIONS:
        assert value_clean(definition, definition.default) == definition.default, definition.name
        assert definition.type in SettingType.values
        assert definition.scope in SettingScope.values
        if definition.type == SettingType.CHOICE:
            assert definition.default in definition.choices


def test_definition_names_are_unique_and_dotted():
    names = [d.name for d in DEFINITIONS]
    assert len(names) == len(set(names))
    assert all("." in name and " " not in name for name in names)


def test_a_settings_id_is_derived_from_its_name_alone():
    assert setting_id("allow.user.create.projects") == setting_id("allow.user.create.projects")
    assert setting_id("allow.user.create.projects") != setting_id("max.account.projects")
    assert setting_id("allow.user.create.projects").version == 5


def test_the_identity_settings_a_cloud_needs_are_global():
    for name in (
        "password.policy.minimum.length",
        "incorrect.login.attempts.allowed",
        "session.timeout",
        "allow.user.create.projects",
        "max.account.projects",
        "account.default.domain",
        "api.key.access",
    ):
        assert BY_NAME[name].scope == SettingScope.GLOBAL, name
    assert BY_NAME["region.display.name"].scope == SettingScope.REGION
    assert BY_NAME["vm.allocation.algorithm"].scope == SettingScope.ZONE
