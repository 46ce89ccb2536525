"""The database's refusals at commit become field errors naming what the request chose."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from identity.models import Domain
from portal.concurrency import _field_of, atomic_write
from portal.validation import NON_FIELD
from tests import factories


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


def test_a_delete_that_rows_added_meanwhile_hold_is_refused_on_no_field(region, eng):
    """What a domain delete meets when an account was created in it at the same moment
    (perhaps in another region): the account's own `domain` field is not the request's."""
    factories.account(domain=eng)

    @atomic_write
    def delete() -> None:
        Domain.objects.get(pk=eng.pk).delete()

    with pytest.raises(ValidationError) as caught:
        delete()
    assert list(caught.value.error_dict) == [NON_FIELD]
    assert [e.code for e in caught.value.error_dict[NON_FIELD]] == ["in_use"]
    assert "accounts" in caught.value.messages[0]
    assert Domain.objects.filter(pk=eng.pk).exists()
