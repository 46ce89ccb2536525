"""The first-run wizard at /setup/, driven through the test client like a browser would."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from pytest_django.asserts import assertContains, assertRedirects

from identity.models import AccountType, Domain, User
from identity.selectors import root_domain
from regions.models import Region
from tests.db_state import db_state
from tests.zones.test_deploy_datacenter import DATACENTER
from zones.models import Host, NetworkType, Zone

pytestmark = pytest.mark.django_db

MANAGEMENT = "setup_wizard_view-current_step"
PASSWORD = "correct-horse-battery-9"

REGION = {
    "id": "7",
    "name": "east",
    "description": "The east coast",
    "endpoint": "https://east.example.com/",
}
ADMIN = {
    "username": "admin",
    "email": "admin@example.com",
    "password": PASSWORD,
    "password_again": PASSWORD,
}
ZONE = {
    "name": "zone-a",
    "description": "",
    "network_type": NetworkType.ADVANCED,
    "dns1": "8.8.8.8",
    "dns2": "",
    "internal_dns1": "10.0.0.2",
    "internal_dns2": "",
    "guest_cidr": "10.2.0.0/16",
    "allocation_state": "Enabled",
}
NO_ZONE = {**ZONE, "name": "", "dns1": "", "internal_dns1": "", "guest_cidr": ""}


def post_step(client: Client, step: str, data: dict[str, str]):
    payload = {MANAGEMENT: step, **{f"{step}-{name}": value for name, value in data.items()}}
    return client.post("/setup/", payload)


def current_step(response) -> str:
    match = re.search(
        rf'name="{MANAGEMENT}" value="([a-z]+)"', response.content.decode()
    ) or re.search(rf'value="([a-z]+)" name="{MANAGEMENT}"', response.content.decode())
    assert match, "the page has no wizard management field"
    return match.group(1)


def field_errors(response, field: str) -> list[str]:
    return list(response.context["wizard"]["form"].errors.get(field, []))


@pytest.fixture
def wizard() -> Client:
    """A browser on a fresh install that chose "first region of a new cloud"."""
    client = Client()
    client.get("/setup/")
    assert current_step(post_step(client, "mode", {"mode": "first"})) == "region"
    return client


def test_the_first_step_asks_whether_to_start_a_cloud_or_join_one():
    response = Client().get("/setup/")
    assert response.status_code == 200
    html = response.content.decode()
    assert current_step(response) == "mode"
    assert 'value="first"' in html and 'value="join"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "<script" not in html


def test_the_region_step_asks_for_the_region_with_the_formtools_management_field(wizard):
    response = post_step(wizard, "mode", {"mode": "first"})
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("region-id", "region-name", "region-description", "region-endpoint"):
        assert f'name="{name}"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "<script" not in html


def test_the_wizard_creates_region_root_admin_and_zone_and_signs_the_admin_in(wizard):
    assert current_step(post_step(wizard, "region", REGION)) == "admin"
    assert current_step(post_step(wizard, "admin", ADMIN)) == "zone"
    response = post_step(wizard, "zone", ZONE)

    assertRedirects(response, "/", fetch_redirect_response=False)
    region = Region.objects.get()
    assert (region.pk, region.name, region.is_local) == (7, "east", True)
    assert region.endpoint == "https://east.example.com"
    assert region.description == "The east coast"
    admin = User.objects.get()
    assert admin.username == "admin" and admin.email == "admin@example.com"
    assert admin.check_password(PASSWORD)
    assert admin.account.type == AccountType.ROOT_ADMIN
    assert admin.account.domain == root_domain()
    zone = Zone.objects.get()
    assert (zone.name, zone.region, zone.guest_cidr) == ("zone-a", region, "10.2.0.0/16")
    assert zone.allocation_state == "Enabled"

    dashboard = wizard.get("/")
    assert dashboard.status_code == 200
    assert dashboard.context["user"] == admin
    assertContains(dashboard, '<h1 class="h3 mb-0" id="region-name">east</h1>', html=True)
    assertContains(dashboard, "zone-a")


def test_an_empty_zone_name_skips_the_zone(wizard):
    post_step(wizard, "region", REGION)
    post_step(wizard, "admin", ADMIN)
    response = post_step(wizard, "zone", NO_ZONE)

    assertRedirects(response, "/", fetch_redirect_response=False)
    assert Region.objects.filter(is_local=True).count() == 1
    assert User.objects.filter(account__type=AccountType.ROOT_ADMIN).count() == 1
    assert not Zone.objects.exists()
    assertContains(wizard.get("/"), "Nothing here yet.")


def test_back_returns_to_the_previous_step_with_its_values(wizard):
    post_step(wizard, "region", REGION)
    response = wizard.post("/setup/", {MANAGEMENT: "admin", "wizard_goto_step": "region"})
    assert current_step(response) == "region"
    assertContains(response, 'value="east"')


def test_after_setup_the_wizard_redirects_to_the_dashboard(wizard):
    post_step(wizard, "region", REGION)
    post_step(wizard, "admin", ADMIN)
    post_step(wizard, "zone", NO_ZONE)

    assertRedirects(wizard.get("/setup/"), "/", fetch_redirect_response=False)
    assertRedirects(Client().get("/setup/"), "/", fetch_redirect_response=False)
    before = db_state()
    again = post_step(Client(), "region", {**REGION, "id": "8", "name": "west"})
    assertRedirects(again, "/", fetch_redirect_response=False)
    assert db_state() == before


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"endpoint": "east.example.com"}, "endpoint", "Enter an absolute http:// or https:// URL"),
        ({"endpoint": "ftp://east.example.com"}, "endpoint", "Enter an absolute http://"),
        ({"endpoint": "https://east.example.com/?a=1"}, "endpoint", "cannot carry credentials"),
        ({"endpoint": ""}, "endpoint", "This field is required."),
        ({"name": ""}, "name", "This field is required."),
        ({"name": "x" * 256}, "name", "at most 255 characters"),
        ({"id": "0"}, "id", "greater than or equal to 1"),
        ({"id": "one"}, "id", "Enter a whole number."),
    ],
)
def test_bad_region_input_stays_on_the_region_step(wizard, change, field, message):
    before = db_state()
    response = post_step(wizard, "region", {**REGION, **change})

    assert response.status_code == 200
    assert current_step(response) == "region"
    assert any(message in error for error in field_errors(response, field))
    assertContains(response, message.replace("'", "&#x27;"))
    assert db_state() == before


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"password_again": "something-else-entirely-3"}, "password_again", "passwords differ"),
        ({"password": "abc", "password_again": "abc"}, "password", "too short"),
        ({"password": "password123", "password_again": "password123"}, "password", "too common"),
        (
            {"password": "12345678901", "password_again": "12345678901"},
            "password",
            "entirely numeric",
        ),
        ({"password": "", "password_again": ""}, "password", "This field is required."),
        ({"username": ""}, "username", "This field is required."),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
    ],
)
def test_bad_admin_input_stays_on_the_admin_step(wizard, change, field, message):
    post_step(wizard, "region", REGION)
    before = db_state()
    response = post_step(wizard, "admin", {**ADMIN, **change})

    assert current_step(response) == "admin"
    assert any(message in error for error in field_errors(response, field))
    assertContains(response, message)
    assert db_state() == before


def test_a_password_like_the_username_is_refused(wizard):
    post_step(wizard, "region", REGION)
    response = post_step(
        wizard,
        "admin",
        {
            **ADMIN,
            "username": "stormtrooper",
            "password": "stormtrooper",
            "password_again": "stormtrooper",
        },
    )
    assert current_step(response) == "admin"
    assert any("too similar" in error for error in field_errors(response, "password"))


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"dns1": ""}, "dns1", "Required when creating a zone."),
        ({"internal_dns1": ""}, "internal_dns1", "Required when creating a zone."),
        ({"dns1": "8.8.8.888"}, "dns1", "not a valid IPv4 or IPv6 address"),
        ({"internal_dns1": "dns.example.com"}, "internal_dns1", "not a valid IPv4 or IPv6"),
        ({"dns2": "1.2.3"}, "dns2", "not a valid IPv4 or IPv6 address"),
        ({"guest_cidr": "10.1.1.0/33"}, "guest_cidr", "is not a network in CIDR form"),
        ({"guest_cidr": "10.1.1.0"}, "guest_cidr", "is not a network in CIDR form"),
        (
            {"network_type": NetworkType.BASIC, "guest_cidr": "10.1.1.0/24"},
            "guest_cidr",
            "Basic zones have no guest CIDR",
        ),
    ],
)
def test_bad_zone_input_stays_on_the_zone_step_and_creates_nothing(wizard, change, field, message):
    post_step(wizard, "region", REGION)
    post_step(wizard, "admin", ADMIN)
    before = db_state()
    response = post_step(wizard, "zone", {**ZONE, **change})

    assert response.status_code == 200
    assert current_step(response) == "zone"
    assert any(message in error for error in field_errors(response, field))
    assertContains(response, message.replace("'", "&#x27;"))
    assert db_state() == before
    assert not Region.objects.exists()
    assert not User.objects.exists()


def test_after_a_refused_zone_the_corrected_zone_finishes_the_setup(wizard):
    post_step(wizard, "region", REGION)
    post_step(wizard, "admin", ADMIN)
    refused = post_step(wizard, "zone", {**ZONE, "dns1": "not-an-ip"})
    assert current_step(refused) == "zone"

    response = post_step(wizard, "zone", ZONE)

    assertRedirects(response, "/", fetch_redirect_response=False)
    assert Region.objects.get().name == "east"
    assert User.objects.get().username == "admin"
    assert Zone.objects.get().dns1 == "8.8.8.8"


def test_the_region_step_offers_sensible_defaults(wizard, settings):
    response = post_step(wizard, "mode", {"mode": "first"})
    form = response.context["wizard"]["form"]
    assert form.initial["id"] == 1
    assert form.initial["endpoint"] == settings.PORTAL_PUBLIC_URL


def test_a_tampered_management_form_is_refused(wizard):
    response = wizard.post("/setup/", {"region-name": "east"})
    assert response.status_code == 400
    assert not Region.objects.exists()


def test_the_wizard_only_ever_creates_the_root_domain_it_was_given(wizard):
    post_step(wizard, "region", REGION)
    post_step(wizard, "admin", ADMIN)
    post_step(wizard, "zone", NO_ZONE)
    assert list(Domain.objects.values_list("path", flat=True)) == ["ROOT"]


def test_joining_an_unreachable_region_says_so_on_the_join_step_and_sets_nothing_up():
    client = Client()
    client.get("/setup/")
    assert current_step(post_step(client, "mode", {"mode": "join"})) == "join"
    response = post_step(
        client,
        "join",
        {
            "peer": "http://127.0.0.1:9",
            "token": "whatever",
            "name": "west",
            "description": "",
            "endpoint": "http://127.0.0.1:8000",
        },
    )
    assert current_step(response) == "join"
    assert any("Cannot reach" in error for error in field_errors(response, "peer"))
    assert not Region.objects.exists()


def test_the_join_step_refuses_a_malformed_peer_endpoint():
    client = Client()
    client.get("/setup/")
    post_step(client, "mode", {"mode": "join"})
    response = post_step(
        client,
        "join",
        {
            "peer": "east.example.com",
            "token": "t",
            "name": "west",
            "endpoint": "http://127.0.0.1:8000",
        },
    )
    assert current_step(response) == "join"
    assert field_errors(response, "peer")
    assert not Region.objects.exists()


def test_the_zone_step_can_deploy_a_whole_datacenter(wizard):
    post_step(wizard, "region", REGION)
    post_step(wizard, "admin", ADMIN)
    response = post_step(wizard, "zone", {**NO_ZONE, "datacenter": json.dumps(DATACENTER)})

    assertRedirects(response, "/", fetch_redirect_response=False)
    assert list(Zone.objects.values_list("name", flat=True)) == ["dc-1"]
    assert Host.objects.filter(cluster__pod__zone__name="dc-1").count() == 2


@pytest.mark.parametrize(
    ("datacenter", "message"),
    [
        ("{zones", "This is not JSON"),
        (
            json.dumps({"zones": [{**DATACENTER["zones"][0], "dns1": "nope"}]}),
            "zones[0].dns1:",
        ),
    ],
)
def test_a_bad_datacenter_stays_on_the_zone_step_and_sets_nothing_up(wizard, datacenter, message):
    post_step(wizard, "region", REGION)
    post_step(wizard, "admin", ADMIN)
    response = post_step(wizard, "zone", {**NO_ZONE, "datacenter": datacenter})

    assert current_step(response) == "zone"
    assert any(message in error for error in field_errors(response, "datacenter"))
    assert not Region.objects.exists() and not Zone.objects.exists()
