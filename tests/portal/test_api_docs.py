"""The API's schema and interactive docs, and token authentication."""

from __future__ import annotations

import re

import pytest
import yaml
from rest_framework.authtoken.models import Token

from identity.services import user_disable
from tests import factories
from tests.api_helpers import ANONYMOUS_REFUSED, api_client

RESOURCES = (
    "regions",
    "zones",
    "pods",
    "clusters",
    "hosts",
    "storage-pools",
    "vlan-ip-ranges",
    "public-ip-addresses",
    "domains",
    "accounts",
    "users",
    "projects",
)


def test_schema_renders_and_lists_every_resource(root):
    response = api_client(root).get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Region Portal API"
    for resource in RESOURCES:
        assert f"/api/{resource}/" in schema["paths"]
        assert f"/api/{resource}/{{id}}/" in schema["paths"]
    actions = {
        "/api/accounts/{id}/disable/",
        "/api/users/{id}/set_password/",
        "/api/projects/{id}/members/",
        "/api/projects/{id}/suspend/",
        "/api/hosts/{id}/maintenance/",
        "/api/hosts/{id}/cancel_maintenance/",
        "/api/hosts/{id}/simulate/",
    }
    assert actions <= set(schema["paths"])
    members = schema["paths"]["/api/projects/{id}/members/"]
    assert {"get", "post", "delete"} <= set(members)


def test_schema_never_offers_the_password_hash(root):
    schema = yaml.safe_load(api_client(root).get("/api/schema/").content)
    user = schema["components"]["schemas"]["User"]["properties"]
    assert "password" not in user  # write-only: only in UserRequest
    assert "password" in schema["components"]["schemas"]["UserRequest"]["properties"]


def test_schema_as_json(root):
    response = api_client(root).get("/api/schema/?format=json")
    assert response.status_code == 200
    assert "/api/zones/" in response.json()["paths"]


def test_docs_render(root):
    docs = api_client(root).get("/api/docs/")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "swagger-ui" in page.lower() and '<script src="/api/docs/?script=">' in page
    # The page's script is a file (the CSP allows no inline script); it loads the schema.
    script = api_client(root).get("/api/docs/?script=")
    assert script.status_code == 200
    assert "/api/schema/" in script.content.decode()


@pytest.fixture
def anon(region):
    return api_client()


def test_token_authentication(anon, root):
    token = anon.post("/api/auth/token/", {"username": "root", "password": factories.PASSWORD})
    assert token.status_code == 200
    key = token.json()["token"]
    assert Token.objects.get(key=key).user == root

    client = api_client()
    assert client.get("/api/zones/").status_code in ANONYMOUS_REFUSED
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    listing = client.get("/api/users/")
    assert listing.status_code == 200 and listing.json()["count"] == 1
    created = client.post(
        "/api/zones/", {"name": "t", "dns1": "8.8.8.8", "internal_dns1": "10.0.0.2"}, format="json"
    )
    assert created.status_code == 201

    again = anon.post("/api/auth/token/", {"username": "ROOT", "password": factories.PASSWORD})
    assert again.status_code == 200 and again.json()["token"] == key


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"username": "root", "password": "wrong"}, "non_field_errors"),
        ({"username": "nobody", "password": factories.PASSWORD}, "non_field_errors"),
        ({"username": "root"}, "password"),
        ({"password": factories.PASSWORD}, "username"),
    ],
)
def test_token_refused_for_bad_credentials(anon, root, payload, field):
    response = anon.post("/api/auth/token/", payload)
    assert response.status_code == 400 and field in response.json()
    assert not Token.objects.exists()


def test_disabled_user_gets_no_token_and_loses_the_one_it_had(anon, root, alice):
    key = anon.post(
        "/api/auth/token/", {"username": "alice", "password": factories.PASSWORD}
    ).json()["token"]
    user_disable(user=alice, by=root)
    refused = anon.post("/api/auth/token/", {"username": "alice", "password": factories.PASSWORD})
    assert refused.status_code == 400
    client = api_client()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get("/api/zones/")
    # 403 rather than 401: DRF answers with the first authentication class (the session's).
    assert response.status_code in ANONYMOUS_REFUSED
    assert "inactive" in response.json()["detail"].lower()


def test_bad_token_is_refused(anon):
    anon.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = anon.get("/api/zones/")
    assert response.status_code in ANONYMOUS_REFUSED
    assert "invalid token" in response.json()["detail"].lower()


def test_session_login_works_for_the_api(root):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(root)
    assert client.get("/api/domains/").status_code == 200


def test_schema_matches_the_answers_schemathesis_found_wrong(root):
    """Issue #10, item 7: the ROOT domain's parent is null, a project's member list is a
    bare list, and error answers are documented."""
    schema = yaml.safe_load(api_client(root).get("/api/schema/").content)
    assert schema["components"]["schemas"]["Domain"]["properties"]["parent"]["nullable"]
    assert not schema["components"]["schemas"]["DomainRequest"]["properties"]["parent"].get(
        "nullable"
    )
    members = schema["paths"]["/api/projects/{id}/members/"]["get"]["responses"]["200"]
    assert members["content"]["application/json"]["schema"]["type"] == "array"
    detail = schema["paths"]["/api/domains/{id}/"]
    assert {"400", "401", "403", "404"} <= set(detail["get"]["responses"])
    assert "409" in detail["patch"]["responses"]
    zones = schema["paths"]["/api/zones/"]["get"]["responses"]
    assert (
        "400" in zones and "Error" in zones["400"]["content"]["application/json"]["schema"]["$ref"]
    )


def test_the_root_domain_answers_a_null_parent(root):
    body = api_client(root).get("/api/domains/00000000-0000-4000-8000-000000000001/").json()
    assert body["parent"] is None


def _schema(user) -> dict:
    return yaml.safe_load(api_client(user).get("/api/schema/").content)


def test_a_change_is_offered_only_the_fields_it_can_change(root):
    """Found by schemathesis: PUT and PATCH were documented with what is fixed at creation
    (a domain's parent, a user's account and password, a zone's network type), which the
    API then ignored, whatever their value."""
    schemas = _schema(root)["components"]["schemas"]
    fixed = {
        "Domain": {"parent"},
        "Account": {"domain", "type"},
        "User": {"account", "password"},
        "Project": {"domain"},
        "Zone": {"network_type"},
        "Region": {"id"},
    }
    for name, fields in fixed.items():
        for request in (f"{name}UpdateRequest", f"Patched{name}UpdateRequest"):
            assert not fields & set(schemas[request]["properties"]), request
        assert fields <= set(schemas[f"{name}Request"]["properties"])
    assert "owner" not in schemas["ProjectUpdateRequest"].get("required", [])
    assert schemas["DomainUpdate"]["properties"]["parent"]["nullable"]


def test_a_time_zone_is_documented_as_a_name_not_as_the_whole_database(root):
    """Issue #11, item 9: the field lost its ~600 choices; the service checks the name and
    a bad one is a 400 naming the field."""
    schemas = _schema(root)["components"]["schemas"]
    for name in ("User", "UserRequest", "PatchedUserUpdateRequest"):
        timezone = schemas[name]["properties"]["timezone"]
        assert timezone["type"] == "string" and "enum" not in timezone, name
        assert "IANA time zone" in timezone["description"]
    response = api_client(root).patch(
        f"/api/users/{root.pk}/", {"timezone": "Mars/Olympus"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "timezone": ["Unknown time zone 'Mars/Olympus': give an IANA name such as Europe/Paris."]
    }


def test_actions_that_take_no_body_document_none(root):
    """Found by schemathesis: enable, disable, lock, suspend and activate were documented
    with the object's whole body, required, though they read none."""
    paths = _schema(root)["paths"]
    for path in (
        "/api/accounts/{id}/disable/",
        "/api/users/{id}/lock/",
        "/api/projects/{id}/suspend/",
        "/api/projects/{id}/activate/",
    ):
        assert "requestBody" not in paths[path]["post"], path


def test_query_parameters_say_what_the_api_accepts(root):
    """Found by schemathesis: each of these was refused with a 400 for values the schema
    allowed (limit=0, region=0, an ordering of no field), or accepted where it refused."""
    paths = _schema(root)["paths"]
    parameters = {p["name"]: p["schema"] for p in paths["/api/zones/"]["get"]["parameters"]}
    assert parameters["limit"]["minimum"] == 1 and parameters["offset"]["minimum"] == 0
    assert parameters["region"] == {"type": "integer", "minimum": 1}
    assert parameters["ordering"]["pattern"] == "^-?(name|created)(,-?(name|created))*$"
    assert parameters["search"]["pattern"] == "^[^\\u0000]*$"
    settings = paths["/api/settings/"]["get"]
    assert "zone" in {p["name"] for p in settings["parameters"]} and "404" in settings["responses"]
    write = paths["/api/settings/{name}/"]["put"]
    assert "zone" not in {p["name"] for p in write.get("parameters", [])}
    overrides = paths["/api/federation/overrides/"]["get"]["parameters"]
    assert {p["name"]: p["schema"].get("maximum") for p in overrides}["limit"] == 500


def test_bodies_are_documented_as_json_and_throttled_password_checks_as_429(root):
    paths = _schema(root)["paths"]
    for operations in paths.values():
        for operation in operations.values():
            body = operation.get("requestBody", {}).get("content", {})
            assert set(body) <= {"application/json"}
    token = paths["/api/auth/token/"]["post"]
    assert "429" in token["responses"] and "security" not in token
    assert "429" in paths["/api/users/{id}/set_password/"]["post"]["responses"]


def test_every_operation_documents_the_http_servers_answer_to_a_url_too_long(root):
    """Found by schemathesis: gunicorn answers a request line over 4094 bytes with its own
    414 page before the portal sees it; the schema now says so."""
    for operations in _schema(root)["paths"].values():
        for operation in operations.values():
            assert set(operation["responses"]["414"]["content"]) == {"text/html"}


def test_a_url_under_the_api_that_names_nothing_is_a_json_404(root):
    """Found by schemathesis: /api/users/0.5/ (no route matches) answered the portal's HTML
    page, where the schema promises the JSON error shape."""
    client = api_client(root)
    for path in ("/api/users/0.5/", "/api/federation/peers/x/retry/", "/api/nothing/"):
        response = client.get(path)
        assert response.status_code == 404 and response.json() == {"detail": "Not found."}
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_schema_and_docs_are_served_before_setup(client):
    """Issue #11, item 9: they describe the code, not the data, so a fresh install serves
    them (and what the docs page loads) while the rest of the API still answers 503."""
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    assert "/api/zones/" in schema.json()["paths"]
    assert client.get("/api/schema/").status_code == 200

    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    page = docs.content.decode()
    loaded = re.findall(r'(?:src|href)="(/[^"]*)"', page)
    assert "/api/docs/?script=" in loaded and any(url.startswith("/static/") for url in loaded)
    for url in loaded:
        assert client.get(url).status_code == 200, url
    assert "/api/schema/" in client.get("/api/docs/?script=").content.decode()

    assert client.get("/api/zones/").status_code == 503
    assert client.get("/api/schema/other/").status_code == 503
