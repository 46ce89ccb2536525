"""Cache-Control and cookies (issue #10, item 6)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", ["/api/domains/", "/api/zones/", "/zones/", "/"])
def test_signed_in_pages_and_api_answers_are_not_stored(root_client, path):
    response = root_client.get(path, follow=True)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_the_token_endpoint_is_not_stored(anon_client, root):
    response = anon_client.post("/api/auth/token/", {"username": "x", "password": "y"})
    assert response.status_code == 400
    assert "no-store" in response["Cache-Control"]


def test_the_sign_in_page_is_not_stored(anon_client):
    response = anon_client.get("/accounts/login/")
    assert "no-store" in response.get("Cache-Control", "")


def test_messages_travel_in_the_session_not_a_shared_cookie(root_client, region):
    from tests.zones.test_views import ZONE

    response = root_client.post("/zones/add/", ZONE)
    assert response.status_code == 302
    assert "messages" not in response.cookies and "messages" not in root_client.cookies
    shown = root_client.get(response["Location"])
    assert [str(m) for m in shown.context["messages"]] == ["Created zone zone-b."]


def _directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in policy.split("; ")}


def test_pages_carry_a_strict_policy_whose_forms_go_only_to_registered_regions(root_client):
    from regions.models import Region

    Region.objects.create(id=9, name="far-away", endpoint="https://far.example:8443/portal/")
    directives = _directives(root_client.get("/"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    origins = directives["form-action"].split()
    assert origins[0] == "'self'"
    assert "https://far.example:8443" in origins
    assert all(not origin.endswith("/portal/") for origin in origins)


@pytest.mark.parametrize("path", ["/api/zones/", "/client/api?command=listZones"])
def test_api_answers_carry_a_policy_that_allows_no_forms(root_client, path):
    directives = _directives(root_client.get(path))
    assert directives["default-src"] == "'self'"
    assert directives["form-action"] == "'none'"


def test_the_sign_in_page_carries_the_policy_before_setup(anon_client):
    assert "script-src 'self'" in anon_client.get("/accounts/login/")["Content-Security-Policy"]


@pytest.mark.parametrize(
    "key", ["abc\x00defghijk", "ABCDEFGHIJKLMNOP", "short", "x" * 41, "é" * 32]
)
def test_a_session_cookie_django_never_made_is_no_session(client, region, key):
    from django.conf import settings

    client.cookies[settings.SESSION_COOKIE_NAME] = key
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    response = client.get("/api/zones/")
    assert response.status_code in (401, 403)
