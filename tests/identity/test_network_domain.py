"""A network domain is a DNS name, whichever way it comes in (issue #10, item 4)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from identity.models import Account, Domain
from identity.services.accounts import account_create, account_update
from identity.services.domains import domain_create, domain_update
from portal.validation import check_dns_name
from tests import factories

BAD = [
    "<script>alert(1)</script>",
    "has space.example",
    "-lead.example",
    "trail-.example",
    "double..dot",
    ".example",
    "example.",
    "under_score.example",
    "a" * 64 + ".example",
    ".".join(["abcdefghij"] * 24),  # 263 characters
    "ctl\u0001.example",
    "ünï.example",
]
GOOD = ["cloud.example", "internal", "cs1-cloud.internal", "a.b.c.d", "x" * 63 + ".example"]


@pytest.mark.parametrize("value", BAD)
def test_what_is_not_a_dns_name_is_refused_naming_the_field(value):
    with pytest.raises(ValidationError) as raised:
        check_dns_name("network_domain", value)
    assert "network_domain" in raised.value.message_dict


@pytest.mark.parametrize("value", [*GOOD, ""])
def test_dns_names_and_nothing_are_accepted(value):
    assert check_dns_name("network_domain", value) == value


@pytest.mark.parametrize("value", BAD[:3])
def test_services_refuse_a_bad_network_domain_and_change_nothing(root, eng, value):
    account = factories.account(domain=eng, name="netops")
    counts = (Domain.objects.count(), Account.objects.count())
    for call in (
        lambda: domain_create(parent=eng, name="new", network_domain=value, by=root),
        lambda: domain_update(domain=eng, network_domain=value, by=root),
        lambda: account_create(domain=eng, name="acct", type=0, network_domain=value, by=root),
        lambda: account_update(account=account, network_domain=value, by=root),
    ):
        with pytest.raises(ValidationError) as raised:
            call()
        assert "network_domain" in raised.value.message_dict
    assert (Domain.objects.count(), Account.objects.count()) == counts
    eng.refresh_from_db()
    account.refresh_from_db()
    assert eng.network_domain == "" and account.network_domain == ""


def test_the_rest_api_answers_400_naming_network_domain(root_client, eng):
    response = root_client.post(
        "/api/domains/",
        {"parent": str(eng.pk), "name": "xss", "network_domain": "<script>alert(1)</script>"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "network_domain" in response.json()
    assert not Domain.objects.filter(name="xss").exists()
