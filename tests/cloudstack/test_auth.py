"""Signed requests: what verifies, and every way a request fails to (always the same 401)."""

from __future__ import annotations

import datetime

import cs
import pytest
import requests

from identity import services
from identity.models import AccountState, UserState
from tests import factories
from tests.cloudstack.conftest import sign

DESCRIPTION = "a b&c=d+e/f?g%h#i ü 日本 ~*'()!"


def expect_401(call, *args, **kwargs) -> dict:
    with pytest.raises(cs.CloudStackApiException) as caught:
        call(*args, **kwargs)
    assert caught.value.response.status_code == 401
    assert caught.value.error["errorcode"] == 401
    assert "unable to verify user credentials" in caught.value.error["errortext"]
    return caught.value.error


def test_values_with_spaces_unicode_and_reserved_characters_verify(root_cs, zone):
    answer = root_cs.updateZone(id=str(zone.pk), description=DESCRIPTION)
    assert answer["zone"]["description"] == DESCRIPTION
    zone.refresh_from_db()
    assert zone.description == DESCRIPTION


def test_post_requests_verify_too(client_for, root, zone):
    client = client_for(root, method="post")
    answer = client.updateZone(id=str(zone.pk), description=DESCRIPTION)
    assert answer["zone"]["description"] == DESCRIPTION


def test_parameter_names_are_signed_as_sent_and_read_case_insensitively(root_cs, zone):
    other = factories.zone(name="zone-b")
    # "Name" and "ZZZ" sort before "apiKey" only case-sensitively; the signature follows that.
    answer = root_cs.listZones(Name="zone-b", ZZZ="ignored")
    assert [z["id"] for z in answer["zone"]] == [str(other.pk)]


def test_the_raw_signer_and_cs_agree(raw, root_keys, zone):
    response = raw("listZones", pair=root_keys, response="json")
    assert response.status_code == 200
    assert response.json()["listzonesresponse"]["count"] == 1


def test_an_expired_version_3_request_is_refused(root_cs, zone):
    expect_401(root_cs.listZones, signatureVersion="3", expires="2001-01-01T00:00:00+0000")


def test_version_3_without_expires_is_refused(client_for, root, zone):
    client = client_for(root, expiration=-1)  # cs then sends no expires
    expect_401(client.listZones, signatureVersion="3")
    # The same request without signatureVersion is an older-style signature: accepted.
    assert client.listZones()["count"] == 1


def test_a_malformed_expires_is_refused(root_cs, zone):
    expect_401(root_cs.listZones, signatureVersion="3", expires="tomorrow")


def test_an_expires_in_the_future_is_accepted(root_cs, zone):
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=5)
    answer = root_cs.listZones(signatureVersion="3", expires=later.strftime("%Y-%m-%dT%H:%M:%S%z"))
    assert answer["count"] == 1


def test_an_unknown_key_is_refused(cs_client, root_keys, zone):
    client = cs_client("not-a-key", root_keys.secret_key)
    error = expect_401(client.listZones)
    assert error["errortext"] == "unable to verify user credentials and/or request signature"


def test_a_wrong_signature_is_refused(cs_client, root_keys, alice_keys, zone):
    client = cs_client(root_keys.api_key, alice_keys.secret_key)
    expect_401(client.listZones)


def test_a_tampered_parameter_breaks_the_signature(endpoint, root_keys, zone):
    params = sign(
        {"apiKey": root_keys.api_key, "command": "listZones", "response": "json", "name": "a"},
        root_keys.secret_key,
    )
    assert requests.get(endpoint, params=params, timeout=10).status_code == 200
    params["name"] = "zone-a"
    assert requests.get(endpoint, params=params, timeout=10).status_code == 401


def test_a_request_without_signature_or_key_is_refused(raw, root_keys, zone):
    assert raw("listZones", apiKey=root_keys.api_key, response="json").status_code == 401
    assert raw("listZones", signature="abc", response="json").status_code == 401
    response = raw("listZones", response="json")
    assert response.status_code == 401
    assert response.json() == {
        "listzonesresponse": {
            "uuidList": [],
            "errorcode": 401,
            "cserrorcode": 9999,
            "errortext": "unable to verify user credentials and/or request signature",
        }
    }


def test_a_disabled_user_is_refused_until_enabled(root_cs, client_for, alice, zone):
    client = client_for(alice)
    assert client.listZones()["count"] == 1
    services.user_disable(user=alice, by=None)
    expect_401(client.listZones)
    services.user_enable(user=alice, by=None)
    assert client.listZones()["count"] == 1


def test_a_user_of_a_locked_account_is_refused(client_for, alice, zone):
    client = client_for(alice)
    services.account_lock(account=alice.account, by=None)
    expect_401(client.listZones)
    alice.account.refresh_from_db()
    assert alice.account.state == AccountState.LOCKED


def test_registering_new_keys_revokes_the_old_ones(cs_client, client_for, root, zone):
    old = client_for(root)
    fresh = services.user_keys_register(user=root, by=None)
    expect_401(old.listZones)
    client = cs_client(fresh.api_key, fresh.secret_key)
    assert client.listZones()["count"] == 1


def test_a_locked_user_is_refused(client_for, alice, zone):
    client = client_for(alice)
    services.user_lock(user=alice, by=None)
    expect_401(client.listZones)
    alice.refresh_from_db()
    assert alice.state == UserState.LOCKED


@pytest.mark.parametrize("name", ["apiKey", "signature", "expires", "sessionkey"])
def test_a_control_character_in_a_credential_is_the_same_401(raw, root_keys, zone, name):
    """Issue #10 (fuzz test): a NUL in apiKey reached PostgreSQL, which cannot compare it
    (500). No credential has one; the answer is the usual 401."""
    expires = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=5)
    params = {
        "command": "listZones",
        "apiKey": root_keys.api_key,
        "signatureVersion": "3",
        "expires": expires.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "response": "json",
    }
    signed = sign(params, root_keys.secret_key)
    assert raw(**signed).status_code == 200
    signed[name] = signed.get(name, "") + "\x00"
    response = raw(**signed)
    assert response.status_code == 401
    assert response.json()["listzonesresponse"]["errorcode"] == 401
