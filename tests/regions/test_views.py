"""Region registry pages: list, detail, add, edit and delete, through the test client.

Which role sees, adds, changes and deletes which rows is tested for every model by
tests/portal/test_model_contracts.py; here, what is particular to regions.
"""

from __future__ import annotations

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from regions.models import Region
from regions.services import region_create
from tests import factories
from tests.db_state import db_state
from tests.page_helpers import assert_deleted_after_confirming, form_errors, shown_messages
from zones.models import Zone

pytestmark = pytest.mark.django_db

WEST = {"id": "2", "name": "west", "description": "", "endpoint": "https://west.example.com/"}


@pytest.fixture
def west(region):
    return region_create(id=2, name="west", endpoint="https://west.example.com", by=None)


# --- List and detail -----------------------------------------------------------------------


def test_every_role_sees_every_region_with_its_zone_count(
    root_client, dadmin_client, alice_client, west
):
    factories.zone(name="zone-a")
    for client in (root_client, dadmin_client, alice_client):
        response = client.get("/regions/")
        regions = list(response.context["object_list"])
        assert [(r.name, r.zone_count) for r in regions] == [("east", 1), ("west", 0)]
        assertContains(response, "https://west.example.com")
        assertContains(response, 'href="/regions/2/"')
    assertContains(root_client.get("/regions/"), 'href="/regions/add/"')
    assertNotContains(dadmin_client.get("/regions/"), 'href="/regions/add/"')


def test_the_detail_page_shows_the_region_and_its_zones(root_client, region):
    zone = factories.zone(name="zone-a")
    response = root_client.get("/regions/1/")
    assertContains(response, "Region east")
    assertContains(response, "http://127.0.0.1:8000")
    assertContains(response, str(region.uuid))
    assertContains(response, f'href="{zone.get_absolute_url()}"')
    assertContains(response, 'href="/regions/1/edit/"')


def test_the_local_region_is_offered_edit_but_not_delete(root_client, region, west):
    """Issue #11, item 9: region_delete refuses the local region (region_delete_check), so
    its page does not offer it; another region's page does."""
    response = root_client.get("/regions/1/")
    assertContains(response, 'href="/regions/1/edit/"')
    assertNotContains(response, "/regions/1/delete/")
    assertContains(root_client.get("/regions/2/"), 'href="/regions/2/delete/"')


# --- Add -----------------------------------------------------------------------------------


def test_a_root_admin_adds_a_region(root_client, region):
    response = root_client.post("/regions/add/", WEST, follow=True)
    assert response.redirect_chain == [("/regions/2/", 302)]
    assert shown_messages(response) == ["Created region west."]
    west = Region.objects.get(pk=2)
    assert (west.name, west.endpoint, west.is_local) == ("west", "https://west.example.com", False)
    # The switcher now offers it.
    assertContains(response, 'action="/sso/switch/2/"')


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"id": "1"}, "id", "Region id 1 is taken."),
        ({"id": "0"}, "id", "greater than or equal to 1"),
        ({"id": ""}, "id", "This field is required."),
        ({"name": ""}, "name", "This field is required."),
        ({"name": "EAST"}, "name", "A region named EAST exists."),
        ({"name": "x" * 256}, "name", "at most 255 characters"),
        ({"description": "x" * 1025}, "description", "at most 1024 characters"),
        ({"endpoint": ""}, "endpoint", "This field is required."),
        ({"endpoint": "west.example.com"}, "endpoint", "Enter an absolute http:// or https://"),
        ({"endpoint": "javascript:alert(1)"}, "endpoint", "Enter an absolute http:// or https://"),
        ({"endpoint": "https://west.example.com/#x"}, "endpoint", "cannot carry credentials"),
        ({"endpoint": "https://u:p@west.example.com"}, "endpoint", "cannot carry credentials"),
        ({"endpoint": "https://west.example.com:99999"}, "endpoint", "invalid port"),
        ({"endpoint": "http://127.0.0.1:8000/"}, "endpoint", "Region east already has this"),
    ],
)
def test_bad_region_input_is_shown_on_the_form(root_client, region, changes, field, message):
    before = db_state()
    response = root_client.post("/regions/add/", {**WEST, **changes})
    assert response.status_code == 200
    assert any(message in error for error in form_errors(response, field))
    assertContains(response, message)
    assert db_state() == before


# --- Edit ----------------------------------------------------------------------------------


def test_a_root_admin_edits_a_region(root_client, west):
    form = root_client.get("/regions/2/edit/").context["form"]
    assert set(form.fields) == {"name", "description", "endpoint"}
    assert form.initial["endpoint"] == "https://west.example.com"

    response = root_client.post(
        "/regions/2/edit/",
        {"name": "west-2", "description": "Oregon", "endpoint": "https://w2.example.com/"},
        follow=True,
    )
    assert response.redirect_chain == [("/regions/2/", 302)]
    assert shown_messages(response) == ["Updated region west-2."]
    west.refresh_from_db()
    assert (west.name, west.description, west.endpoint) == (
        "west-2",
        "Oregon",
        "https://w2.example.com",
    )


def test_renaming_the_local_region_shows_in_the_navbar(root_client, region):
    response = root_client.post(
        "/regions/1/edit/",
        {"name": "east-1", "endpoint": "http://127.0.0.1:8000"},
        follow=True,
    )
    assertContains(response, '<span class="badge text-bg-primary me-3" id="current-region"')
    assertContains(response, "Region: east-1")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "East"}, "name", "A region named East exists."),
        ({"endpoint": "http://127.0.0.1:8000"}, "endpoint", "Region east already has this"),
        ({"endpoint": "ftp://west.example.com"}, "endpoint", "Enter an absolute http://"),
        ({"name": ""}, "name", "This field is required."),
    ],
)
def test_bad_region_edits_are_shown_on_the_form(root_client, west, changes, field, message):
    data = {"name": "west", "description": "", "endpoint": "https://west.example.com"}
    before = db_state()
    response = root_client.post("/regions/2/edit/", {**data, **changes})
    assert any(message in error for error in form_errors(response, field))
    assertContains(response, message)
    assert db_state() == before


# --- Delete --------------------------------------------------------------------------------


def test_a_root_admin_deletes_a_region_after_confirming(root_client, west):
    assert_deleted_after_confirming(root_client, west, "region west", "/regions/")


def test_the_local_region_cannot_be_deleted(root_client, region):
    before = db_state()
    response = root_client.post("/regions/1/delete/")
    assert response.status_code == 200
    assertContains(response, "The region this portal serves cannot be deleted.")
    assertContains(response, 'class="alert alert-danger"')
    assert db_state() == before


def test_a_region_with_zones_cannot_be_deleted(root_client, west):
    Zone.objects.create(name="far", region=west, dns1="8.8.8.8", internal_dns1="10.0.0.2")
    before = db_state()
    response = root_client.post("/regions/2/delete/")
    assertContains(response, "Region west still has 1 zone(s).")
    assert db_state() == before


def test_unknown_regions_are_not_found(root_client, region):
    assert root_client.get("/regions/99/").status_code == 404
    assert root_client.post("/regions/99/delete/").status_code == 404


def test_after_deleting_a_region_the_switcher_no_longer_offers_it(root_client, west):
    assert "/sso/switch/2/" in root_client.get("/").content.decode()
    root_client.post("/regions/2/delete/")
    assert root_client.get("/regions/2/").status_code == 404
    assertNotContains(root_client.get("/"), "/sso/switch/2/")
    assertNotContains(root_client.get("/"), "west.example.com")
