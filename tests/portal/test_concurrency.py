"""The database's refusals at commit become field errors naming what the request chose."""

from __future__ import annotations

import pytest

from portal.concurrency import _field_of


@pytest.mark.parametrize(
    ("message", "field"),
    [
        ("DETAIL:  Key (project_id, account_id)=(a, b) already exists.", "account"),
        ("DETAIL:  Key (lower(username::text))=(zed) already exists.", "username"),
        ("DETAIL:  Key (parent_id, lower(name::text))=(1, x) already exists.", "name"),
        ('DETAIL:  Key (domain_id)=(9) is not present in table "identity_domain".', "domain"),
        ("UNIQUE constraint failed: index 'identity_user_username_unique'", "username"),
        ("UNIQUE constraint failed: regions_region.endpoint", "endpoint"),
        ("FOREIGN KEY constraint failed", "__all__"),
    ],
)
def test_the_field_is_named_from_the_databases_message(message, field):
    assert _field_of(message) == field
