"""A parameter names the service field it fills (`Param("guestcidraddress",
field="guest_cidr")`): service keyword arguments (`Call.fields`) and the parameter a
service's field error is reported on (`Command.parameter_for`) both come from it."""

from __future__ import annotations

import uuid

import cs
import pytest

from portal.cloudstack.calls import Call
from portal.cloudstack.registry import EVERYONE, Command, Param, command, command_get
from tests.factories import PASSWORD


def api_error(call, *args, **kwargs) -> tuple[int, dict]:
    with pytest.raises(cs.CloudStackApiException) as caught:
        call(*args, **kwargs)
    return caught.value.response.status_code, caught.value.error


def _command(*params: Param) -> Command:
    return Command(
        name="testCommand",
        handler=lambda call: {},
        description="A command of this test only.",
        params=params,
        roles=EVERYONE,
    )


# --- declarations ----------------------------------------------------------------------


def test_a_param_fills_its_own_name_unless_it_names_a_field():
    assert Param("dns1").service_field == "dns1"
    assert Param("guestcidraddress", field="guest_cidr").service_field == "guest_cidr"


def test_parameter_for_comes_from_the_declaration():
    spec = _command(Param("guestcidraddress", field="guest_cidr"), Param("dns1"))
    assert spec.parameter_for("guest_cidr") == "guestcidraddress"
    assert spec.parameter_for("dns1") == "dns1"
    # A field no parameter fills keeps its own name.
    assert spec.parameter_for("region") == "region"
    assert spec.parameter_for("first_name") == "first_name"


@pytest.mark.parametrize(
    ("name", "service_field", "parameter"),
    [
        ("updateZone", "guest_cidr", "guestcidraddress"),
        ("createZone", "network_type", "networktype"),
        ("createDomain", "parent", "parentdomainid"),
        ("createAccount", "name", "account"),
        ("createAccount", "type", "accounttype"),
        ("updateAccount", "name", "newname"),
        ("createUser", "first_name", "firstname"),
        ("updateUser", "current_password", "currentpassword"),
        ("createProject", "owner", "account"),
        ("createProject", "display_text", "displaytext"),
        ("updateConfiguration", "zone", "zoneid"),
        ("updateRegion", "endpoint", "endpoint"),
    ],
)
def test_registered_commands_declare_their_service_fields(name, service_field, parameter):
    assert command_get(name).parameter_for(service_field) == parameter


def test_two_parameters_cannot_fill_the_same_field():
    register = command(
        "testDuplicateFields",
        description="Never registered.",
        params=[Param("name"), Param("newname", field="name")],
    )
    with pytest.raises(ValueError, match="same service field"):
        register(lambda call: {})
    assert command_get("testDuplicateFields") is None


# --- Call.fields ---------------------------------------------------------------------------


def test_fields_returns_the_sent_parameters_under_their_service_names():
    call = Call.build(
        command_get("updateZone"),
        actor=None,
        raw={"id": str(uuid.uuid4()), "guestCidrAddress": "10.3.0.0/16", "dns1": "1.1.1.1"},
    )
    fields = call.fields("name", "dns1", "internaldns2", "guestcidraddress")
    assert fields == {"dns1": "1.1.1.1", "guest_cidr": "10.3.0.0/16"}
    assert call.fields() == {}


def test_fields_of_an_unknown_parameter_is_a_programming_error():
    call = Call.build(command_get("updateZone"), actor=None, raw={"id": str(uuid.uuid4())})
    with pytest.raises(ValueError, match="guest_cidr"):
        call.fields("guest_cidr")  # the service's name, not the parameter's


# --- errors, through the API ---------------------------------------------------------------


def test_a_guest_cidr_error_names_guestcidraddress(root_cs, zone):
    status, error = api_error(root_cs.updateZone, id=str(zone.pk), guestcidraddress="10.0.0.1")
    assert (status, error["errorcode"], error["cserrorcode"]) == (431, 431, 4350)
    assert error["errortext"] == (
        "guestcidraddress: '10.0.0.1' is not a network in CIDR form such as 10.1.1.0/24."
    )
    guest_cidr = zone.guest_cidr
    zone.refresh_from_db()
    assert zone.guest_cidr == guest_cidr


def test_a_first_name_error_names_firstname(root_cs, alice):
    too_long = "x" * 151  # within the parameter's 255, beyond the service's 150
    status, error = api_error(
        root_cs.createUser,
        username="henry",
        password=PASSWORD,
        account="ops-team",
        domainid=str(alice.account.domain_id),
        firstname=too_long,
    )
    assert (status, error["cserrorcode"]) == (431, 4350)
    assert error["errortext"] == "firstname: Ensure this value has at most 150 characters."

    status, error = api_error(root_cs.updateUser, id=str(alice.pk), firstname=too_long)
    assert (status, error["cserrorcode"]) == (431, 4350)
    assert error["errortext"] == "firstname: Ensure this value has at most 150 characters."
    alice.refresh_from_db()
    assert alice.first_name == ""


def test_list_apis_does_not_show_the_service_fields(root_cs, region):
    api = root_cs.listApis(name="updateZone")["api"][0]
    param = next(p for p in api["params"] if p["name"] == "guestcidraddress")
    assert set(param) == {"name", "description", "type", "length", "required", "related"}
