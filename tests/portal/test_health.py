import pytest


@pytest.mark.django_db
def test_health_reports_database_and_setup_state(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up", "setup": False, "region": None}


def test_health_names_the_region_once_set_up(client, region):
    response = client.get("/health/")
    assert response.json()["region"] == {"id": region.pk, "name": region.name}
