"""The setup_region management command: the first run without a browser."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from identity.models import Account, User
from regions.models import Region
from tests.db_state import db_state
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

VAR = "TEST_SETUP_ADMIN_PASSWORD"


def run(**options) -> str:
    arguments = {
        "id": 5,
        "name": "east",
        "endpoint": "https://east.example.com/",
        "admin_username": "admin",
        "admin_password_env": VAR,
        **options,
    }
    out = StringIO()
    call_command("setup_region", stdout=out, stderr=StringIO(), **arguments)
    return out.getvalue()


@pytest.fixture
def password(monkeypatch):
    monkeypatch.setenv(VAR, PASSWORD)
    return PASSWORD


def test_success(password):
    output = run(description="East coast", admin_email="ops@example.com")

    assert "region 5 (east) at https://east.example.com" in output
    assert "root admin: admin" in output
    region = Region.objects.get()
    assert (region.id, region.name, region.endpoint, region.description, region.is_local) == (
        5,
        "east",
        "https://east.example.com",
        "East coast",
        True,
    )
    admin = User.objects.get()
    assert admin.username == "admin"
    assert admin.email == "ops@example.com"
    assert admin.is_root_admin and admin.is_active
    assert admin.check_password(password)


def test_the_password_comes_only_from_the_named_variable(monkeypatch):
    monkeypatch.setenv("SOME_OTHER_VAR", "an0ther-long-secret")
    monkeypatch.delenv(VAR, raising=False)
    run(admin_password_env="SOME_OTHER_VAR")
    assert User.objects.get().check_password("an0ther-long-secret")


@pytest.mark.parametrize("value", [None, ""])
def test_a_missing_or_empty_variable_is_an_error(monkeypatch, value):
    if value is None:
        monkeypatch.delenv(VAR, raising=False)
    else:
        monkeypatch.setenv(VAR, value)
    before = db_state()
    with pytest.raises(CommandError, match=VAR):
        run()
    assert db_state() == before
    assert not Region.objects.exists()


def test_a_second_run_fails_and_changes_nothing(password):
    run()
    before = db_state()
    counts = (Region.objects.count(), Account.objects.count(), User.objects.count())
    with pytest.raises(CommandError, match="already set up"):
        run(id=6, name="west", endpoint="https://west.example.com", admin_username="admin2")
    assert (Region.objects.count(), Account.objects.count(), User.objects.count()) == counts
    assert counts == (1, 1, 1)
    assert db_state() == before


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"endpoint": "east.example.com"}, "endpoint"),
        ({"endpoint": "https://east.example.com/?x=1"}, "endpoint"),
        ({"id": 0}, "id"),
        ({"admin_username": "bad name"}, "username"),
        ({"admin_email": "nope"}, "email"),
    ],
)
def test_invalid_input_names_the_field_and_changes_nothing(password, options, field):
    before = db_state()
    with pytest.raises(CommandError) as excinfo:
        run(**options)
    assert str(excinfo.value).startswith(f"{field}: ")
    assert db_state() == before


def test_a_weak_password_is_refused(monkeypatch):
    monkeypatch.setenv(VAR, "12345678")
    with pytest.raises(CommandError) as excinfo:
        run()
    assert str(excinfo.value).startswith("password: ")
    assert not Region.objects.exists()
    assert not User.objects.exists()


def test_the_password_is_never_an_argument(password):
    with pytest.raises(TypeError):
        call_command(
            "setup_region",
            id=5,
            name="east",
            endpoint="https://east.example.com",
            admin_username="admin",
            admin_password=PASSWORD,
            admin_password_env=VAR,
            stdout=StringIO(),
        )
    assert not Region.objects.exists()


@pytest.mark.parametrize(
    "missing", ["id", "name", "endpoint", "admin_username", "admin_password_env"]
)
def test_required_options(password, missing):
    arguments = {
        "--id": "5",
        "--name": "east",
        "--endpoint": "https://east.example.com",
        "--admin-username": "admin",
        "--admin-password-env": VAR,
    }
    del arguments["--" + missing.replace("_", "-")]
    argv = [item for pair in arguments.items() for item in pair]
    with pytest.raises(CommandError, match="required"):
        call_command("setup_region", *argv, stdout=StringIO(), stderr=StringIO())
    assert not Region.objects.exists()
