"""Region registry services and the first-run setup."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from console.services import region_setup
from identity.models import Account, AccountType, User
from regions import services
from regions.models import Region
from regions.services import MAX_REGION_ID, endpoint_normalize
from tests.db_state import db_state
from tests.factories import PASSWORD
from zones.models import Zone


def error_codes(excinfo: pytest.ExceptionInfo, field: str) -> list[str]:
    return [e.code for e in excinfo.value.error_dict[field]]


def remote(**fields) -> Region:
    fields.setdefault("id", 2)
    fields.setdefault("name", "west")
    fields.setdefault("endpoint", "https://west.example.com")
    return services.region_create(by=None, **fields)


# --- endpoints ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("https://east.example.com", "https://east.example.com"),
        ("https://east.example.com/", "https://east.example.com"),
        ("https://east.example.com/portal/", "https://east.example.com/portal"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("http://[::1]:8000/", "http://[::1]:8000"),
        ("  https://east.example.com//  ", "https://east.example.com"),
        ("HTTPS://east.example.com", "https://east.example.com"),
        ("http://portal-east:8000", "http://portal-east:8000"),
    ],
)
def test_endpoints_are_normalized(given, stored):
    assert endpoint_normalize(given) == stored


@pytest.mark.parametrize(
    "endpoint",
    [
        "",
        "east.example.com",
        "/relative/path",
        "ftp://east.example.com",
        "javascript:alert(1)",
        "http://",
        "https://east.example.com/?next=/",
        "https://east.example.com/#top",
        "https://admin:secret@east.example.com",
        "https://admin@east.example.com",
        "https://east.example.com:99999",
        "https://east.example.com:port",
        "https://east example.com",
        "https://" + "x" * 250 + ".com",
    ],
)
def test_bad_endpoints_are_refused(endpoint):
    with pytest.raises(ValidationError) as excinfo:
        endpoint_normalize(endpoint)
    assert "endpoint" in excinfo.value.error_dict


def test_endpoint_errors_may_name_another_field():
    with pytest.raises(ValidationError) as excinfo:
        endpoint_normalize("nope", field="peer")
    assert list(excinfo.value.error_dict) == ["peer"]


# --- create ---------------------------------------------------------------------------------


def test_create_a_remote_region(root, region):
    west = services.region_create(
        id=2, name="west", endpoint="https://west.example.com/", description="West", by=root
    )
    west.refresh_from_db()
    assert (west.id, west.name, west.endpoint, west.description) == (
        2,
        "west",
        "https://west.example.com",
        "West",
    )
    assert not west.is_local
    assert region.is_local


def test_ids_may_come_as_strings(region):
    assert remote(id="7").id == 7


@pytest.mark.parametrize("region_id", [0, -1, MAX_REGION_ID + 1, "two", None, ""])
def test_ids_must_be_in_range(region, region_id):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        remote(id=region_id)
    assert "id" in excinfo.value.error_dict
    assert db_state() == before


def test_the_largest_id_is_accepted(region):
    assert remote(id=MAX_REGION_ID).id == MAX_REGION_ID


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"id": 1}, "id"),
        ({"name": "EAST"}, "name"),
        ({"name": " east "}, "name"),
        ({"endpoint": "http://127.0.0.1:8000/"}, "endpoint"),
        ({"endpoint": "HTTP://127.0.0.1:8000"}, "endpoint"),
    ],
)
def test_id_name_and_endpoint_are_unique(region, fields, field):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        remote(**fields)
    assert error_codes(excinfo, field) == ["unique"]
    assert db_state() == before


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 256}, "name"),
        ({"description": "x" * 1025}, "description"),
    ],
)
def test_lengths_are_checked(region, fields, field):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        remote(**fields)
    assert field in excinfo.value.error_dict
    assert db_state() == before


def test_only_one_local_region(region):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        remote(is_local=True)
    assert error_codes(excinfo, "is_local") == ["unique"]
    assert db_state() == before


# --- update ---------------------------------------------------------------------------------


def test_update(root, region):
    west = remote()
    services.region_update(
        region=west, name="West", endpoint="https://w.example.com/", description="d", by=root
    )
    west.refresh_from_db()
    assert (west.name, west.endpoint, west.description) == ("West", "https://w.example.com", "d")


def test_update_may_keep_its_own_name_and_endpoint(region):
    services.region_update(region=region, name="EAST", endpoint=region.endpoint + "/", by=None)
    region.refresh_from_db()
    assert (region.name, region.endpoint) == ("EAST", "http://127.0.0.1:8000")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "East"}, "name"),
        ({"endpoint": "http://127.0.0.1:8000"}, "endpoint"),
        ({"endpoint": "https://west.example.com?x=1"}, "endpoint"),
        ({"name": "ok", "endpoint": "nope"}, "endpoint"),
    ],
)
def test_bad_updates_change_nothing(region, fields, field):
    west = remote()
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.region_update(region=west, by=None, **fields)
    assert field in excinfo.value.error_dict
    assert db_state() == before


# --- delete ---------------------------------------------------------------------------------


def test_delete_a_remote_region(root, region):
    west = remote()
    services.region_delete(region=west, by=root)
    assert not Region.objects.filter(pk=2).exists()


def test_the_local_region_cannot_be_deleted(root, region):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.region_delete(region=region, by=root)
    assert error_codes(excinfo, "region") == ["local"]
    assert db_state() == before


def test_a_region_with_zones_cannot_be_deleted(root, region):
    west = remote()
    Zone.objects.create(region=west, name="w1", dns1="8.8.8.8", internal_dns1="10.0.0.2")
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.region_delete(region=west, by=root)
    assert error_codes(excinfo, "region") == ["in_use"]
    assert db_state() == before


# --- permissions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "actor", ["dadmin", "alice", "anonymous", "disabled_root", "locked_account"], indirect=True
)
def test_only_root_admins_write_regions(region, actor):
    west = remote()
    by = actor
    before = db_state()
    with pytest.raises(PermissionDenied):
        services.region_create(id=3, name="north", endpoint="https://n.example.com", by=by)
    with pytest.raises(PermissionDenied):
        services.region_update(region=west, name="x", by=by)
    with pytest.raises(PermissionDenied):
        services.region_delete(region=west, by=by)
    assert db_state() == before


# --- first-run setup ------------------------------------------------------------------------


SETUP_REGION = {"id": 1, "name": "east", "endpoint": "https://east.example.com/"}
SETUP_ADMIN = {"username": "admin", "password": PASSWORD, "email": "admin@example.com"}


@pytest.mark.django_db
def test_setup_creates_region_root_admin_and_zone():
    result = region_setup(
        region=SETUP_REGION,
        admin=SETUP_ADMIN,
        zone={"name": "z1", "dns1": "8.8.8.8", "internal_dns1": "10.0.0.2"},
    )
    assert result.region.is_local
    assert result.region.endpoint == "https://east.example.com"
    admin = User.objects.get(username="admin")
    assert admin == result.admin
    assert admin.is_root_admin and admin.is_active
    assert admin.check_password(PASSWORD)
    assert admin.email == "admin@example.com"
    assert admin.account.domain.is_root
    assert admin.account.type == AccountType.ROOT_ADMIN
    assert result.zone.region == result.region


@pytest.mark.django_db
def test_setup_without_a_zone():
    result = region_setup(region=SETUP_REGION, admin=SETUP_ADMIN)
    assert result.zone is None
    assert not Zone.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("region", "admin", "zone", "field"),
    [
        (SETUP_REGION, {**SETUP_ADMIN, "password": "short"}, None, "password"),
        (SETUP_REGION, {**SETUP_ADMIN, "password": "12345678901"}, None, "password"),
        (SETUP_REGION, {**SETUP_ADMIN, "password": ""}, None, "password"),
        (SETUP_REGION, {**SETUP_ADMIN, "email": "nope"}, None, "email"),
        (SETUP_REGION, {**SETUP_ADMIN, "username": "bad name"}, None, "username"),
        (SETUP_REGION, {**SETUP_ADMIN, "username": ""}, None, "username"),
        (SETUP_REGION, {**SETUP_ADMIN, "username": "a" * 120}, None, "username"),
        ({**SETUP_REGION, "endpoint": "east"}, SETUP_ADMIN, None, "endpoint"),
        ({**SETUP_REGION, "id": 0}, SETUP_ADMIN, None, "id"),
        (
            SETUP_REGION,
            SETUP_ADMIN,
            {"name": "z1", "dns1": "x", "internal_dns1": "10.0.0.2"},
            "dns1",
        ),
    ],
    ids=[
        "short-password",
        "numeric-password",
        "no-password",
        "bad-email",
        "bad-username",
        "no-username",
        "long-username",
        "bad-endpoint",
        "bad-id",
        "bad-zone",
    ],
)
def test_setup_is_all_or_nothing(region, admin, zone, field):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        region_setup(region=region, admin=admin, zone=zone)
    assert field in excinfo.value.error_dict
    assert db_state() == before
    assert not Region.objects.exists()
    assert not Account.objects.exists()
    assert not User.objects.exists()


def test_setup_refuses_a_second_run(region):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        region_setup(
            region={"id": 9, "name": "other", "endpoint": "https://other.example.com"},
            admin={**SETUP_ADMIN, "username": "admin2"},
        )
    assert error_codes(excinfo, "region") == ["already_setup"]
    assert db_state() == before
