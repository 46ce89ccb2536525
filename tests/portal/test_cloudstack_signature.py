"""The CloudStack API's building blocks without a server: signatures, expiry, rendering and
how service errors become CloudStack error codes."""

from __future__ import annotations

import datetime
import json
import xml.etree.ElementTree as ET

import cs
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portal.cloudstack import errors
from portal.cloudstack.registry import command_get
from portal.cloudstack.render import render
from portal.cloudstack.signature import (
    expires_valid,
    java_urlencode,
    signature_compute,
    signature_matches,
    signing_string,
)
from portal.validation import invalid

SECRET = "s3cr3t-key"


def cs_signature(params: dict[str, str]) -> str:
    """What the `cs` client from PyPI signs for PARAMS."""
    signed = dict(params)
    cs.CloudStack(endpoint="http://unused", key="k", secret=SECRET)._sign(signed)
    return signed["signature"]


def test_values_are_encoded_as_java_urlencoder_does():
    assert java_urlencode("a b") == "a%20b"
    assert java_urlencode("a+b&c=d/e") == "a%2Bb%26c%3Dd%2Fe"
    assert java_urlencode("*-._") == "*-._"
    assert java_urlencode("~") == "%7E"
    assert java_urlencode("é日") == "%C3%A9%E6%97%A5"


def test_the_signing_string_sorts_names_case_sensitively_then_lowercases():
    params = {"command": "listZones", "apiKey": "KEY", "Zeta": "1", "signature": "ignored"}
    assert signing_string(params) == "zeta=1&apikey=key&command=listzones"


@pytest.mark.parametrize(
    "value",
    ["plain", "with space", "a&b=c+d/e?f%g#h", "ünïcödé 日本語", "quote'(paren)!*", ""],
)
def test_signatures_agree_with_the_cs_client(value):
    params = {"command": "updateZone", "apiKey": "K", "description": value, "Name": "X"}
    expected = cs_signature(params)
    assert signature_matches(params, secret_key=SECRET, signature=expected)
    assert not signature_matches(params, secret_key="other", signature=expected)


def test_a_tilde_verifies_whether_the_client_encoded_it_or_not():
    params = {"command": "listZones", "keyword": "a~b"}
    java_style = signature_compute(SECRET, signing_string(params))
    assert signature_matches(params, secret_key=SECRET, signature=java_style)
    assert signature_matches(params, secret_key=SECRET, signature=cs_signature(params))


def test_a_changed_value_breaks_the_signature():
    params = {"command": "listZones", "name": "a"}
    signature = cs_signature(params)
    assert not signature_matches({**params, "name": "b"}, secret_key=SECRET, signature=signature)


def test_expires():
    now = datetime.datetime(2026, 1, 31, 12, 0, tzinfo=datetime.UTC)
    assert expires_valid("2026-01-31T12:00:01+0000", now=now)
    assert expires_valid("2026-01-31T13:00:01+01:00", now=now)
    assert expires_valid("2026-01-31T12:00:01.500Z", now=now)
    assert not expires_valid("2026-01-31T12:00:00+0000", now=now)
    assert not expires_valid("2026-01-31T11:59:59Z", now=now)
    assert not expires_valid("2026-01-31 12:30:00", now=now)
    assert not expires_valid("", now=now)
    assert not expires_valid(None, now=now)


def test_json_and_xml_leave_out_empty_values_and_repeat_lists():
    body = {"count": 2, "zone": [{"name": "a&b", "dns2": None}, {"name": "c", "tags": []}]}
    as_json = json.loads(render("listzonesresponse", body, as_json=True).content)
    assert as_json == {
        "listzonesresponse": {"count": 2, "zone": [{"name": "a&b"}, {"name": "c", "tags": []}]}
    }
    response = render("listzonesresponse", body, as_json=False)
    assert response["Content-Type"] == "text/xml; charset=UTF-8"
    root = ET.fromstring(response.content)
    assert [z.findtext("name") for z in root.findall("zone")] == ["a&b", "c"]
    assert root.find("zone").find("dns2") is None


def test_service_errors_become_cloudstack_codes_named_by_parameter():
    create_zone = command_get("createZone")
    error = errors.from_exception(invalid("internal_dns1", "Bad address."), command=create_zone)
    assert (error.code, error.cs_code, error.text) == (431, 4350, "internaldns1: Bad address.")
    in_use = errors.from_exception(invalid("cleanup", "Not empty.", "in_use"))
    assert (in_use.code, in_use.cs_code) == (536, 4375)
    denied = errors.from_exception(PermissionDenied("You may not delete this zone."))
    assert (denied.code, denied.cs_code, denied.text) == (
        531,
        4365,
        "You may not delete this zone.",
    )
    plain = errors.from_exception(ValidationError("Something is off."))
    assert (plain.code, plain.text) == (431, "Something is off.")
    crash = errors.from_exception(RuntimeError("secret internals"))
    assert crash.code == 530 and "secret" not in crash.text


def test_account_commands_name_the_account_parameter():
    error = errors.from_exception(invalid("name", "Taken."), command=command_get("createAccount"))
    assert error.text == "account: Taken."
    renamed = errors.from_exception(invalid("name", "Taken."), command=command_get("updateAccount"))
    assert renamed.text == "newname: Taken."
