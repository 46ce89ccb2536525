"""The API's schema and interactive docs, and token authentication."""

from __future__ import annotations

import pytest
import yaml
from rest_framework.authtoken.models import Token

from identity.services import user_disable
from tests import factories
from tests.api_helpers import ANONYMOUS_REFUSED, api_client

RESOURCES = ("regions", "zones", "domains", "accounts", "users", "projects")


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
    assert "swagger-ui" in page.lower() and "/api/schema/" in page


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
