"""REST test clients per role, and the checks every endpoint's tests share."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from tests.db_state import db_state

#: What an anonymous request gets: 401 with token auth, 403 where only a session is tried.
ANONYMOUS_REFUSED = (401, 403)


def api_client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    return client


def call(client: APIClient, method: str, path: str, data: Any = None):
    """One request; bodies go as JSON."""
    if method in ("get", "delete"):
        return getattr(client, method)(path)
    return getattr(client, method)(path, data if data is not None else {}, format="json")


def assert_names_field(response, field: str, status: int = 400) -> None:
    """A JSON error answer with STATUS that names FIELD."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert field in body, body
    assert body[field] and all(isinstance(m, str) and m for m in body[field]), body


def assert_refused_unchanged(client: APIClient, method: str, path: str, data: Any, status) -> Any:
    """Send a request that must be refused with STATUS (one code or a tuple of codes) and
    prove the database is exactly as it was."""
    before = db_state()
    response = call(client, method, path, data)
    allowed = status if isinstance(status, tuple) else (status,)
    assert response.status_code in allowed, (response.status_code, response.content)
    assert response["Content-Type"].startswith("application/json")
    assert db_state() == before
    return response


def assert_field_refused(client: APIClient, method: str, path: str, data: Any, *fields: str) -> Any:
    """A request refused with a 400 naming each of FIELDS, the database exactly as it was."""
    response = assert_refused_unchanged(client, method, path, data, 400)
    for field in fields:
        assert_names_field(response, field)
    return response


def assert_page(body: dict, *, count: int, size: int) -> None:
    """The paginated list shape: count, next, previous, results."""
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == count
    assert len(body["results"]) == size
