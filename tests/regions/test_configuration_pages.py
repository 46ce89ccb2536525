"""The settings pages: admins see them, only a root admin edits and resets, zones included.

Which role sees, adds, changes and deletes which rows is tested for every model by
tests/portal/test_model_contracts.py; here, what is particular to settings.
"""

from __future__ import annotations

import pytest
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from regions.configuration.selectors import setting_value
from regions.configuration.services import setting_update
from regions.models import Setting
from regions.models.configuration import setting_id
from tests import factories
from tests.db_state import db_state
from zones.models import ZoneSetting

FACTOR = "storage.overprovisioning.factor"


def pk(name: str):
    return setting_id(name)


@pytest.fixture
def zone(region):
    return factories.zone(name="z1")


def test_the_list_groups_settings_by_category_with_effective_values(root, root_client):
    setting_update(name="session.timeout", value="45", by=root)
    page = root_client.get("/settings/")
    assert page.status_code == 200
    for category in ("Password policy", "Projects", "Region", "Capacity"):
        assertContains(page, f">{category}</h2>")
    assertContains(page, "allow.user.create.projects")
    assertContains(page, "<td>45\n</td><td>global")
    assertContains(page, f'href="/settings/{pk("session.timeout")}/"')


def test_the_list_filters_by_category_scope_and_search(root_client, region):
    page = root_client.get("/settings/?category=Capacity")
    assertContains(page, FACTOR)
    assertNotContains(page, "session.timeout")
    page = root_client.get("/settings/?scope=region")
    assertContains(page, "region.display.name")
    assertNotContains(page, FACTOR)
    page = root_client.get("/settings/?q=lockout")
    assertNotContains(page, "session.timeout")
    page = root_client.get("/settings/?q=password")
    assertContains(page, "password.policy.minimum.length")
    assertNotContains(page, "vm.allocation.algorithm")
    assert root_client.get("/settings/?scope=nonsense&zone=not-a-uuid").status_code == 200


def test_with_a_zone_chosen_zone_settings_show_that_zone(root, root_client, zone):
    setting_update(name=FACTOR, value="3.5", zone=zone, by=root)
    page = root_client.get(f"/settings/?zone={zone.pk}")
    assertContains(page, "Settings in zone z1")
    assertContains(page, "<td>3.5\n</td><td>zone")
    assertContains(page, f'href="/settings/{pk(FACTOR)}/zones/{zone.pk}/edit/"')
    # Without the zone, the region's (default) value.
    assertContains(root_client.get("/settings/"), "<td>2.0\n</td><td>default")


def test_the_navbar_links_settings_for_admins_only(root_client, dadmin_client, alice_client):
    assertContains(root_client.get("/"), 'href="/settings/"')
    assertContains(dadmin_client.get("/"), 'href="/settings/"')
    assertNotContains(alice_client.get("/"), 'href="/settings/"')


def test_a_domain_admin_sees_settings_but_gets_no_buttons(root, dadmin_client, zone):
    setting_update(name="session.timeout", value="45", by=root)
    page = dadmin_client.get(f"/settings/{pk('session.timeout')}/")
    assert page.status_code == 200
    assertNotContains(page, "/edit/")
    assertNotContains(page, "Reset to default")
    assert dadmin_client.get(f"/settings/{pk('session.timeout')}/edit/").status_code == 403
    before = db_state()
    assert (
        dadmin_client.post(f"/settings/{pk('session.timeout')}/edit/", {"value": "5"}).status_code
        == 403
    )
    assert dadmin_client.post(f"/settings/{pk('session.timeout')}/reset/").status_code == 403
    url = f"/settings/{pk(FACTOR)}/zones/{zone.pk}/edit/"
    assert dadmin_client.post(url, {"value": "5"}).status_code == 403
    assert db_state() == before


def test_root_admin_edits_a_setting(root_client):
    url = f"/settings/{pk('session.timeout')}/edit/"
    form = root_client.get(url)
    assertContains(form, 'name="value"')
    assertContains(form, "Range: 1 to 10080")
    response = root_client.post(url, {"value": "90"})
    assertRedirects(response, f"/settings/{pk('session.timeout')}/", fetch_redirect_response=False)
    assert setting_value("session.timeout") == 90


def test_a_boolean_is_edited_with_a_choice_of_true_or_false(root_client, region):
    url = f"/settings/{pk('allow.user.create.projects')}/edit/"
    form = root_client.get(url)
    assertContains(form, '<option value="false">')
    root_client.post(url, {"value": "false"})
    assert setting_value("allow.user.create.projects") is False


def test_a_bad_value_is_shown_on_the_field_and_changes_nothing(root_client, region):
    before = db_state()
    response = root_client.post(f"/settings/{pk('session.timeout')}/edit/", {"value": "soon"})
    assert response.status_code == 200
    assertContains(response, "session.timeout takes a whole number")
    assertContains(response, "invalid-feedback")
    response = root_client.post(f"/settings/{pk('session.timeout')}/edit/", {"value": "0"})
    assertContains(response, "must be at least 1")
    assert db_state() == before


def test_root_admin_resets_a_setting(root, root_client):
    setting_update(name="session.timeout", value="45", by=root)
    detail = root_client.get(f"/settings/{pk('session.timeout')}/")
    assertContains(detail, "Reset to default")
    assertNotContains(detail, "/delete/")
    response = root_client.post(f"/settings/{pk('session.timeout')}/reset/")
    assert response.status_code == 302
    assert Setting.objects.get(name="session.timeout").value is None
    assert root_client.post(f"/settings/{pk('session.timeout')}/bogus/").status_code == 404


def test_root_admin_gives_a_zone_its_own_value_and_takes_it_back(root_client, zone):
    detail = root_client.get(f"/settings/{pk(FACTOR)}/")
    assertContains(detail, "Values per zone")
    url = f"/settings/{pk(FACTOR)}/zones/{zone.pk}/edit/"
    assertContains(detail, f'href="{url}"')
    assertContains(root_client.get(url), "uses this region's value")
    response = root_client.post(url, {"value": "6"})
    assertRedirects(response, f"/settings/{pk(FACTOR)}/", fetch_redirect_response=False)
    assert setting_value(FACTOR, zone=zone) == 6.0
    assert setting_value(FACTOR) == 2.0
    assertContains(root_client.get(url), "has its own value")
    before = db_state()
    response = root_client.post(url, {"value": "0.5"})
    assertContains(response, "must be at least 1")
    assert db_state() == before
    root_client.post(f"/settings/{pk(FACTOR)}/zones/{zone.pk}/reset/")
    assert not ZoneSetting.objects.exists()


def test_zone_pages_exist_only_for_zone_settings_and_known_zones(root_client, zone):
    url = f"/settings/{pk('session.timeout')}/zones/{zone.pk}/edit/"
    assert root_client.get(url).status_code == 404
    missing = f"/settings/{pk(FACTOR)}/zones/{setting_id('nope')}/edit/"
    assert root_client.get(missing).status_code == 404
    assert root_client.post(missing.replace("/edit/", "/reset/")).status_code == 404
    assert root_client.get(f"/settings/{setting_id('nope')}/").status_code == 404
