"""/api/settings/: admins read, only a root admin changes; values typed; zones by ?zone=.

Which role sees, adds, changes and deletes which rows is tested for every model by
tests/portal/test_model_contracts.py; here, what is particular to settings.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from regions.configuration.definitions import DEFINITIONS
from regions.configuration.selectors import setting_value
from regions.configuration.services import setting_update
from regions.models import Change
from tests import factories
from tests.api_helpers import api_client, assert_names_field
from tests.db_state import db_state
from zones.models import ZoneSetting

FACTOR = "storage.overprovisioning.factor"


@pytest.fixture
def root_api(root):
    return api_client(root)


@pytest.fixture
def dadmin_api(dadmin):
    return api_client(dadmin)


@pytest.fixture
def alice_api(alice):
    return api_client(alice)


@pytest.fixture
def zone(region):
    return factories.zone(name="z1")


def listed(response) -> dict[str, dict]:
    assert response.status_code == 200, response.content
    return {row["name"]: row for row in response.json()["results"]}


def test_root_admin_lists_every_setting_with_typed_values(root_api):
    rows = listed(root_api.get("/api/settings/?limit=1000"))
    assert set(rows) == {d.name for d in DEFINITIONS}
    length = rows["password.policy.minimum.length"]
    assert length["default"] == 8 and length["effective"] == 8 and length["value"] is None
    assert length["type"] == "integer" and length["scope"] == "global" and length["replicated"]
    assert rows["allow.user.create.projects"]["effective"] is True
    assert rows[FACTOR]["effective"] == 2.0 and rows[FACTOR]["replicated"] is False
    assert rows["vm.allocation.algorithm"]["choices"][0] == "random"


def test_filters_by_scope_category_and_name(root_api):
    assert {r["scope"] for r in listed(root_api.get("/api/settings/?scope=zone")).values()} == {
        "zone"
    }
    by_category = listed(root_api.get("/api/settings/?category=projects"))
    assert set(by_category) == {"allow.user.create.projects", "max.account.projects"}
    assert set(listed(root_api.get("/api/settings/?name=overprovisioning"))) == {
        "storage.overprovisioning.factor",
        "cpu.overprovisioning.factor",
        "mem.overprovisioning.factor",
    }
    assert set(listed(root_api.get("/api/settings/?search=lock"))) == {
        "incorrect.login.attempts.allowed"
    }
    assert root_api.get("/api/settings/?scope=everywhere").status_code == 400


def test_retrieve_by_name(root_api, region):
    response = root_api.get("/api/settings/session.timeout/")
    assert response.status_code == 200 and response.json()["effective"] == 30
    assert root_api.get("/api/settings/no.such.setting/").status_code == 404


@pytest.mark.parametrize("method", ["patch", "put"])
def test_root_admin_changes_a_value_with_json_of_its_type(root_api, region, method):
    response = getattr(root_api, method)(
        "/api/settings/allow.user.create.projects/", {"value": False}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["value"] is False and response.json()["source"] == "global"
    assert setting_value("allow.user.create.projects") is False
    assert Change.objects.filter(model="regions.setting").count() == 1


def test_a_value_may_be_sent_as_text(root_api, region):
    response = root_api.patch("/api/settings/session.timeout/", {"value": "15"}, format="json")
    assert response.json()["effective"] == 15


def test_value_null_and_reset_go_back_to_the_default(root, root_api):
    setting_update(name="session.timeout", value="45", by=root)
    response = root_api.patch("/api/settings/session.timeout/", {"value": None}, format="json")
    assert response.json()["value"] is None and response.json()["effective"] == 30
    setting_update(name="session.timeout", value="45", by=root)
    response = root_api.post("/api/settings/session.timeout/reset/", {}, format="json")
    assert response.status_code == 200 and response.json()["source"] == "default"


@pytest.mark.parametrize(
    ("name", "body", "field"),
    [
        ("session.timeout", {"value": "soon"}, "value"),
        ("session.timeout", {"value": 0}, "value"),
        ("session.timeout", {"value": True}, "value"),
        ("allow.user.create.projects", {"value": "perhaps"}, "value"),
        ("vm.allocation.algorithm", {"value": "fastest"}, "value"),
        ("session.timeout", {}, "value"),
        ("session.timeout", {"value": 5, "zone": "not-a-uuid"}, "zone"),
        (FACTOR, {"value": 3, "zone": "00000000-0000-4000-8000-00000000abcd"}, "zone"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(
    root_api, region, name, body, field
):
    before = db_state()
    response = root_api.patch(f"/api/settings/{name}/", body, format="json")
    assert response.status_code == 400 and field in response.json(), response.content
    assert db_state() == before


def test_zone_values_through_the_api(root_api, zone):
    response = root_api.patch(
        f"/api/settings/{FACTOR}/", {"value": 4, "zone": str(zone.pk)}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["zone_value"] == 4.0 and response.json()["source"] == "zone"
    assert response.json()["value"] is None  # the region's value is untouched
    rows = listed(root_api.get(f"/api/settings/?zone={zone.pk}&scope=zone"))
    assert rows[FACTOR]["effective"] == 4.0
    assert listed(root_api.get("/api/settings/?scope=zone"))[FACTOR]["effective"] == 2.0
    # A global setting has no value per zone.
    before = db_state()
    response = root_api.patch(
        "/api/settings/session.timeout/", {"value": 4, "zone": str(zone.pk)}, format="json"
    )
    assert response.status_code == 400 and "zone" in response.json()
    assert db_state() == before
    response = root_api.post(
        f"/api/settings/{FACTOR}/reset/", {"zone": str(zone.pk)}, format="json"
    )
    assert response.status_code == 200 and response.json()["source"] == "default"
    assert not ZoneSetting.objects.exists()


@pytest.mark.parametrize("path", ["/api/settings/", f"/api/settings/{FACTOR}/"])
def test_reading_in_a_zone_that_is_not_there_is_a_404_naming_zone(root_api, zone, path):
    """Issue #10, item 7: the schema says any UUID may be sent, so one of no zone is not a
    bad request but a zone that is not there (as /api/zones/<uuid>/ would answer)."""
    response = root_api.get(f"{path}?zone=00000000-0000-4000-8000-00000000abcd")
    assert_names_field(response, "zone", status=404)
    for bad in ("not-a-uuid", ""):
        assert_names_field(root_api.get(f"{path}?zone={bad}"), "zone")
    assert root_api.get(f"{path}?zone={zone.pk}").status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("put", f"/api/settings/{FACTOR}/"),
        ("patch", f"/api/settings/{FACTOR}/"),
        ("post", f"/api/settings/{FACTOR}/reset/"),
    ],
)
def test_a_write_with_the_zone_in_the_query_is_refused_not_applied_to_the_region(
    root_api, zone, method, path
):
    """A change names its zone in the body; ?zone= on a write used to be checked and then
    ignored, so the region's value changed where the client meant one zone's."""
    before = db_state()
    response = getattr(root_api, method)(f"{path}?zone={zone.pk}", {"value": 4}, format="json")
    assert_names_field(response, "zone")
    assert db_state() == before


@pytest.mark.parametrize("name", ["%00", "session.timeout%00", "%E2%80%8B"])
def test_a_setting_name_that_cannot_be_one_never_reaches_the_database(root_api, name):
    """A null character in the name reached the lookup, and PostgreSQL refuses one: a 500."""
    with CaptureQueriesContext(connection) as queries:
        response = root_api.get(f"/api/settings/{name}/")
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}
    assert not any("\x00" in query["sql"] for query in queries.captured_queries)


def test_a_domain_admin_reads_but_may_not_change(dadmin_api, zone):
    assert listed(dadmin_api.get("/api/settings/?limit=1000"))
    assert dadmin_api.get("/api/settings/session.timeout/").status_code == 200
    before = db_state()
    for response in (
        dadmin_api.patch("/api/settings/session.timeout/", {"value": 5}, format="json"),
        dadmin_api.put("/api/settings/session.timeout/", {"value": 5}, format="json"),
        dadmin_api.post("/api/settings/session.timeout/reset/", {}, format="json"),
        dadmin_api.patch(
            f"/api/settings/{FACTOR}/", {"value": 4, "zone": str(zone.pk)}, format="json"
        ),
    ):
        assert response.status_code == 403, response.content
    assert db_state() == before


def test_settings_cannot_be_created_or_deleted(root_api, region):
    assert root_api.post("/api/settings/", {"name": "x.y", "value": "1"}).status_code == 405
    assert root_api.delete("/api/settings/session.timeout/").status_code == 405


def test_the_schema_documents_the_endpoint(root_api, region):
    schema = root_api.get("/api/schema/?format=json").json()
    assert "/api/settings/{name}/" in schema["paths"]
    assert "/api/settings/{name}/reset/" in schema["paths"]
