"""Error envelopes (HTTP status = errorcode), the XML form CloudStack answers by default,
listApis and listCapabilities."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import cs
import pytest

from tests import factories
from tests.cloudstack.conftest import sign
from zones.models import Zone


def xml_of(response) -> ET.Element:
    assert response.headers["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)


# --- errors --------------------------------------------------------------------------------


def test_an_unknown_command_is_432_in_an_errorresponse(raw, root_keys):
    response = raw("listEverything", pair=root_keys, response="json")
    assert response.status_code == 432
    assert response.headers["Content-Type"] == "application/json; charset=UTF-8"
    body = response.json()["errorresponse"]
    assert (body["errorcode"], body["cserrorcode"]) == (432, 4555)
    assert "listEverything" in body["errortext"]


def test_command_names_are_case_sensitive_as_in_cloudstack(raw, root_keys, zone):
    assert raw("listzones", pair=root_keys, response="json").status_code == 432


def test_a_request_without_command_is_432(raw, root_keys):
    response = raw(pair=root_keys, response="json")
    assert response.status_code == 432
    assert response.json()["errorresponse"]["errortext"] == "Invalid request, no command sent"


def test_a_malformed_id_is_an_invalid_value(raw, root_keys, zone):
    response = raw("listZones", pair=root_keys, response="json", id="not-a-uuid")
    assert response.status_code == 431
    text = response.json()["listzonesresponse"]["errortext"]
    assert "Invalid parameter id value=not-a-uuid" in text


def test_a_malformed_integer_is_an_invalid_value(raw, root_keys, zone):
    response = raw("listZones", pair=root_keys, response="json", page="one", pagesize="2")
    assert response.status_code == 431
    assert "Invalid parameter page value=one" in response.json()["listzonesresponse"]["errortext"]


def test_control_characters_are_refused_and_change_nothing(raw, root_keys, zone):
    response = raw("updateZone", pair=root_keys, response="json", id=zone.pk, name="a\x07b")
    assert response.status_code == 431
    assert "non-printable" in response.json()["updatezoneresponse"]["errortext"]
    zone.refresh_from_db()
    assert zone.name == "zone-a"


def test_other_http_methods_are_refused(endpoint, region):
    import requests

    assert requests.put(endpoint, timeout=10).status_code == 405


# --- XML -----------------------------------------------------------------------------------


def test_list_zones_in_xml_by_default(raw, root_keys, zone):
    factories.zone(name="zone-b")
    root = xml_of(raw("listZones", pair=root_keys))
    assert root.tag == "listzonesresponse"
    assert root.get("cloud-stack-version")
    assert root.findtext("count") == "2"
    assert [z.findtext("name") for z in root.findall("zone")] == ["zone-a", "zone-b"]
    assert root.find("zone").findtext("securitygroupsenabled") == "false"


@pytest.mark.parametrize(
    ("command", "key", "params"),
    [
        ("listRegions", "region", {}),
        ("listDomains", "domain", {"listall": "true"}),
        ("listAccounts", "account", {"listall": "true"}),
        ("listUsers", "user", {"listall": "true"}),
        ("listProjects", "project", {"listall": "true"}),
        ("listApis", "api", {}),
    ],
)
def test_the_list_commands_in_xml(raw, root_keys, alice, command, key, params):
    factories.project(owner=alice.account, name="xml-project")
    root = xml_of(raw(command, pair=root_keys, **params))
    assert root.tag == f"{command.lower()}response"
    items = root.findall(key)
    assert int(root.findtext("count")) == len(items) > 0
    assert all(item.findtext("name") or item.findtext("username") for item in items)


def test_nested_lists_in_xml(raw, root_keys, alice):
    root = xml_of(raw("listAccounts", pair=root_keys, name="ops-team", listall="true"))
    account = root.find("account")
    assert account.findtext("name") == "ops-team"
    assert [u.findtext("username") for u in account.findall("user")] == ["alice"]


def test_an_empty_list_in_xml(raw, root_keys, region):
    root = xml_of(raw("listZones", pair=root_keys))
    assert root.tag == "listzonesresponse"
    assert list(root) == []


def test_errors_in_xml(raw, root_keys, region):
    response = raw("listZones")
    assert response.status_code == 401
    root = xml_of(response)
    assert (root.tag, root.findtext("errorcode")) == ("listzonesresponse", "401")
    missing = raw("createZone", pair=root_keys, name="z")
    assert missing.status_code == 431
    assert xml_of(missing).findtext("errorcode") == "431"
    assert not Zone.objects.exists()


def test_text_is_escaped_in_xml(raw, root_keys, zone):
    raw("updateZone", pair=root_keys, id=zone.pk, description="<b>&amp;</b>")
    root = xml_of(raw("listZones", pair=root_keys))
    assert root.find("zone").findtext("description") == "<b>&amp;</b>"


# --- listApis and listCapabilities ---------------------------------------------------------


def test_list_apis_shows_what_the_caller_may_call(root_cs, alice_cs):
    root_names = {api["name"] for api in root_cs.listApis()["api"]}
    alice_names = {api["name"] for api in alice_cs.listApis()["api"]}
    expected = {
        "listRegions", "addRegion", "updateRegion", "removeRegion",
        "listZones", "createZone", "updateZone", "deleteZone",
        "listDomains", "createDomain", "updateDomain", "deleteDomain",
        "listAccounts", "createAccount", "updateAccount", "deleteAccount",
        "enableAccount", "disableAccount",
        "listUsers", "createUser", "updateUser", "deleteUser", "enableUser", "disableUser",
        "registerUserKeys", "getUserKeys",
        "listProjects", "createProject", "deleteProject",
        "listConfigurations", "updateConfiguration",
        "listApis", "listCapabilities", "queryAsyncJobResult", "listAsyncJobs",
    }  # fmt: skip
    assert expected <= root_names
    assert not {"addRegion", "createAccount", "listConfigurations"} & alice_names
    assert {"listZones", "updateUser", "registerUserKeys", "createProject"} <= alice_names


def test_list_apis_describes_parameters_and_async(root_cs):
    (api,) = root_cs.listApis(name="disableAccount")["api"]
    assert api["isasync"] is True
    params = {p["name"]: p for p in api["params"]}
    assert params["lock"]["required"] is True
    assert params["lock"]["type"] == "boolean"
    assert params["id"]["type"] == "uuid"
    (listing,) = root_cs.listApis(name="listZones")["api"]
    assert {"page", "pagesize", "keyword"} <= {p["name"] for p in listing["params"]}
    assert listing["isasync"] is False


def test_list_capabilities(alice_cs):
    capability = alice_cs.listCapabilities()["capability"]
    assert capability["cloudstackversion"].startswith("4.")
    assert capability["allowusercreateprojects"] is True


LISTS = [
    "listZones",
    "listUsers",
    "listDomains",
    "listAccounts",
    "listProjects",
    "listRegions",
    "listAsyncJobs",
    "listConfigurations",
]


@pytest.mark.parametrize("command", LISTS)
@pytest.mark.parametrize(
    ("page", "pagesize"),
    [("1000000000000000000", "500"), ("2147483648", "1"), ("1", "99999999999999999999")],
)
def test_a_number_out_of_range_is_an_invalid_value_not_an_internal_error(
    raw, root_keys, zone, command, page, pagesize
):
    """Issue #10: a huge page overflowed the database's OFFSET and answered 530."""
    response = raw(command, pair=root_keys, response="json", page=page, pagesize=pagesize)
    assert response.status_code == 431
    assert "Invalid parameter" in response.json()[f"{command.lower()}response"]["errortext"]
    as_xml = raw(command, pair=root_keys, page=page, pagesize=pagesize)
    assert as_xml.status_code == 431 and xml_of(as_xml).find("errorcode").text == "431"


def test_the_last_page_an_integer_can_name_is_answered_empty(raw, root_keys, zone):
    response = raw("listZones", pair=root_keys, response="json", page=2**31 - 1, pagesize=500)
    assert response.status_code == 200
    body = response.json()["listzonesresponse"]
    assert body.get("zone", []) == [] and body["count"] == 1


# --- what the fuzz test (test_fuzz.py) found -------------------------------------------------


@pytest.mark.parametrize("size", [256, 70_000])
def test_a_string_longer_than_its_parameter_allows_is_an_invalid_value(raw, root_keys, zone, size):
    """Issue #10: a 70,000-character name made SQLite's LIKE fail (530) in every lookup by
    name; CloudStack refuses a value longer than the parameter's length (255 by default)."""
    response = raw("listZones", pair=root_keys, method="post", response="json", name="a" * size)
    assert response.status_code == 431
    body = response.json()["listzonesresponse"]
    assert body["errortext"] == "Value greater than max allowed length 255 for param: name"
    assert body["cserrorcode"] == 4350
    updated = raw(
        "updateZone", pair=root_keys, method="post", response="json", id=zone.pk, name="b" * size
    )
    assert updated.status_code == 431
    zone.refresh_from_db()
    assert zone.name == "zone-a"


def test_a_parameter_declared_longer_takes_longer_values(raw, root_keys, zone, root_cs):
    response = raw(
        "updateZone", pair=root_keys, response="json", id=zone.pk, description="d" * 1024
    )
    assert response.status_code == 200
    zone.refresh_from_db()
    assert zone.description == "d" * 1024
    (api,) = root_cs.listApis(name="updateZone")["api"]
    lengths = {p["name"]: p["length"] for p in api["params"]}
    assert (lengths["description"], lengths["name"]) == (1024, 255)


def test_a_form_body_in_a_declared_charset_is_read(endpoint, root_keys, zone):
    """Java's HttpClient declares charset=ISO-8859-1 on form bodies; Django refuses any
    charset but UTF-8 with an HTML 400."""
    import requests

    params = sign(
        {"apiKey": root_keys.api_key, "command": "listZones", "response": "json",
         "keyword": "zone-\u00e4"},
        root_keys.secret_key,
    )  # fmt: skip
    body = urlencode(params, encoding="latin-1")
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=ISO-8859-1"}
    response = requests.post(endpoint, data=body, headers=headers, timeout=10)
    assert response.status_code == 200
    assert response.json() == {"listzonesresponse": {}}


def test_a_request_that_cannot_be_read_is_a_cloudstack_error(endpoint, region):
    """Too many fields or a broken multipart body: Django's HTML 400 became 431 answers."""
    import requests

    fields = "&".join(f"f{i}=x" for i in range(1001))
    response = requests.post(
        f"{endpoint}?command=listZones&response=json",
        data=fields,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=10,
    )
    assert response.status_code == 431
    body = response.json()["listzonesresponse"]
    assert body["errorcode"] == 431 and "Unable to read the request" in body["errortext"]
    broken = requests.post(
        endpoint, data=b"x", headers={"Content-Type": "multipart/form-data"}, timeout=10
    )
    assert broken.status_code == 431
    assert xml_of(broken).tag == "errorresponse"
    assert "Invalid boundary" in xml_of(broken).findtext("errortext")
    in_query = requests.get(f"{endpoint}?{fields}", timeout=10)
    assert in_query.status_code == 431
    assert xml_of(in_query).findtext("errorcode") == "431"


def test_a_number_java_would_not_read_is_refused_naming_it(root_cs):
    """Python's int() takes 1_000; CloudStack's Long.parseLong does not."""
    with pytest.raises(cs.CloudStackApiException) as caught:
        root_cs.listDomains(level="1_0")
    assert caught.value.response.status_code == 431
    assert "level" in caught.value.error["errortext"]
