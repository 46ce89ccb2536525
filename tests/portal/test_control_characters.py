"""One rule for control characters in every text field, and XML answers that always parse
(issue #10, item 3)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import ValidationError

from identity.models import Domain
from portal.cloudstack.render import _xml
from portal.validation import check_length
from zones.models import Zone

CONTROLS = ["ctl\u0001z", "ctl\u001bd", "tab\there", "del\u007fete", "nul\u0000l", "bell\u0007"]


@pytest.mark.parametrize("value", CONTROLS)
def test_every_checked_text_field_refuses_control_characters(value):
    with pytest.raises(ValidationError) as raised:
        check_length("name", value, max_length=255)
    assert raised.value.message_dict["name"] == ["Control characters are not allowed here."]


@pytest.mark.parametrize("value", CONTROLS)
def test_the_rest_api_refuses_a_zone_named_with_control_characters(root_client, region, value):
    count = Zone.objects.count()
    response = root_client.post(
        "/api/zones/",
        {"name": value, "dns1": "8.8.8.8", "internal_dns1": "10.0.0.2"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "name" in response.json()
    assert Zone.objects.count() == count


@pytest.mark.parametrize("value", CONTROLS)
def test_the_rest_api_refuses_a_domain_named_with_control_characters(root_client, eng, value):
    count = Domain.objects.count()
    response = root_client.post(
        "/api/domains/", {"parent": str(eng.pk), "name": value}, content_type="application/json"
    )
    assert response.status_code == 400 and "name" in response.json()
    assert Domain.objects.count() == count


def test_a_description_may_still_have_line_breaks(root, region):
    from zones.services import zone_create

    zone = zone_create(
        name="multi",
        description="one\r\ntwo\nthree",
        dns1="8.8.8.8",
        internal_dns1="10.0.0.2",
        by=root,
    )
    assert zone.description == "one\r\ntwo\nthree"


@pytest.mark.parametrize("text", ["a\u0001b", "\u001b[31mred", "x\ufffey", "lone\ud800", "ok"])
def test_xml_answers_parse_whatever_a_stored_value_holds(text):
    out: list[str] = []
    _xml("zone", {"name": text, "id": "1"}, out)
    parsed = ET.fromstring("".join(out))
    assert parsed.find("id").text == "1"
    assert parsed.find("name").text.replace("\ufffd", "") == "".join(
        c for c in text if c.isprintable() and c not in "\ufffe\ud800"
    )
