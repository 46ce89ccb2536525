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
