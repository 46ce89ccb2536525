import pytest
from django.db import OperationalError, connection


def test_health_answers_503_when_the_database_is_down(client, region, monkeypatch):
    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    # Every query fails, the one the setup guard makes for each request included.
    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", down)
        response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "down"}


@pytest.mark.django_db
def test_health_reports_database_and_setup_state(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up", "setup": False, "region": None}


def test_health_names_the_region_once_set_up(client, region):
    response = client.get("/health/")
    assert response.json()["region"] == {"id": region.pk, "name": region.name}


@pytest.mark.django_db
def test_the_cloudstack_api_of_a_fresh_install_answers_503_not_a_redirect(client):
    response = client.get("/client/api", {"command": "listZones", "response": "json"})
    assert response.status_code == 503
    assert "not set up" in response.json()["detail"]
