"""Session use: `login` gives a session key, requests then carry the session cookie and the
key (as a cookie and as the `sessionkey` parameter); `logout` ends it."""

from __future__ import annotations

import pytest
import requests
from django.conf import settings

from identity import services
from identity.models import UserState
from regions.configuration.services import setting_update
from tests.factories import PASSWORD


@pytest.fixture
def browser(endpoint):
    session = requests.Session()
    yield session
    session.close()


def login(browser, endpoint, **params):
    data = {"command": "login", "response": "json", **params}
    return browser.post(endpoint, data=data, timeout=10)


def test_login_then_commands_with_the_session_key_then_logout(browser, endpoint, root, zone):
    response = login(browser, endpoint, username="root", password=PASSWORD, domain="/")
    assert response.status_code == 200
    body = response.json()["loginresponse"]
    assert body["username"] == "root"
    assert body["userid"] == str(root.pk)
    assert body["type"] == "1"
    key = body["sessionkey"]
    assert browser.cookies[settings.CLOUDSTACK_SESSIONKEY_COOKIE_NAME] == key
    assert settings.SESSION_COOKIE_NAME in browser.cookies

    listed = browser.get(
        endpoint, params={"command": "listZones", "response": "json", "sessionkey": key}
    )
    assert listed.status_code == 200
    assert listed.json()["listzonesresponse"]["zone"][0]["name"] == "zone-a"

    out = browser.post(endpoint, data={"command": "logout", "response": "json"})
    assert out.json() == {"logoutresponse": {"description": "success"}}
    after = browser.get(
        endpoint, params={"command": "listZones", "response": "json", "sessionkey": key}
    )
    assert after.status_code == 401


def test_the_session_key_parameter_is_required(browser, endpoint, root, zone):
    key = login(browser, endpoint, username="root", password=PASSWORD).json()["loginresponse"][
        "sessionkey"
    ]
    without = browser.get(endpoint, params={"command": "listZones", "response": "json"})
    assert without.status_code == 401
    wrong = browser.get(
        endpoint, params={"command": "listZones", "response": "json", "sessionkey": key + "x"}
    )
    assert wrong.status_code == 401


def test_the_session_key_cookie_is_required(browser, endpoint, root, zone):
    key = login(browser, endpoint, username="root", password=PASSWORD).json()["loginresponse"][
        "sessionkey"
    ]
    browser.cookies.pop(settings.CLOUDSTACK_SESSIONKEY_COOKIE_NAME)
    response = browser.get(
        endpoint, params={"command": "listZones", "response": "json", "sessionkey": key}
    )
    assert response.status_code == 401


def test_a_session_acts_with_the_users_role(browser, endpoint, alice, zone):
    body = login(browser, endpoint, username="alice", password=PASSWORD, domain="/eng/ops")
    key = body.json()["loginresponse"]["sessionkey"]
    refused = browser.get(
        endpoint,
        params={"command": "createDomain", "name": "x", "response": "json", "sessionkey": key},
    )
    assert refused.status_code == 432


def test_login_checks_the_domain_path_when_given(browser, endpoint, alice):
    assert login(browser, endpoint, username="alice", password=PASSWORD, domain="/eng/ops/").ok
    assert login(browser, endpoint, username="alice", password=PASSWORD, domain="ROOT/eng/ops").ok
    wrong = login(browser, endpoint, username="alice", password=PASSWORD, domain="/sales")
    assert wrong.status_code == 531


def test_a_wrong_password_is_an_account_error(browser, endpoint, root):
    response = login(browser, endpoint, username="root", password="wrong-password-1")
    assert response.status_code == 531
    body = response.json()["loginresponse"]
    assert body["errorcode"] == 531
    assert "Failed to authenticate user root" in body["errortext"]
    assert settings.CLOUDSTACK_SESSIONKEY_COOKIE_NAME not in browser.cookies


def test_an_unknown_user_is_the_same_account_error(browser, endpoint, region):
    response = login(browser, endpoint, username="nobody", password=PASSWORD)
    assert response.status_code == 531
    assert "Failed to authenticate user nobody" in response.json()["loginresponse"]["errortext"]


def test_a_disabled_user_cannot_log_in(browser, endpoint, alice):
    services.user_disable(user=alice, by=None)
    response = login(browser, endpoint, username="alice", password=PASSWORD)
    assert response.status_code == 531
    assert "disabled/locked" in response.json()["loginresponse"]["errortext"]


def test_a_user_of_a_disabled_account_cannot_log_in(browser, endpoint, alice):
    services.account_disable(account=alice.account, by=None)
    response = login(browser, endpoint, username="alice", password=PASSWORD)
    assert response.status_code == 531


def test_login_is_post_only(browser, endpoint, root):
    response = browser.get(
        endpoint,
        params={"command": "login", "username": "root", "password": PASSWORD, "response": "json"},
    )
    assert response.status_code == 405
    assert response.json()["loginresponse"]["errorcode"] == 405


def test_a_portal_sign_in_alone_does_not_authenticate_api_calls(endpoint, root, zone, live_server):
    with requests.Session() as portal:
        page = portal.get(f"{live_server.url}/accounts/login/")
        token = portal.cookies[settings.CSRF_COOKIE_NAME]
        portal.post(
            f"{live_server.url}/accounts/login/",
            data={"login": "root", "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": page.url},
        )
        assert settings.SESSION_COOKIE_NAME in portal.cookies
        response = portal.get(endpoint, params={"command": "listZones", "response": "json"})
        assert response.status_code == 401


def test_failed_logins_count_towards_the_lockout(browser, endpoint, alice):
    setting_update(name="incorrect.login.attempts.allowed", value=2, by=None)
    for _ in range(2):
        assert (
            login(browser, endpoint, username="alice", password="not-it-at-all").status_code == 531
        )
    alice.refresh_from_db()
    assert alice.state == UserState.LOCKED
    response = login(browser, endpoint, username="alice", password=PASSWORD)
    assert response.status_code == 531
    assert "disabled/locked" in response.json()["loginresponse"]["errortext"]


@pytest.mark.parametrize("name", ["username", "password", "domain", "domainid"])
def test_a_control_character_in_a_login_parameter_is_refused(browser, endpoint, root, name):
    """Issue #10 (fuzz test): a NUL in the username reached PostgreSQL, which cannot compare
    it (500). CloudStack refuses control characters in every parameter."""
    params = {"username": "root", "password": PASSWORD, name: "ro\x00ot"}
    response = login(browser, endpoint, **params)
    assert response.status_code == 431
    body = response.json()["loginresponse"]
    assert body["errortext"].endswith(f"for parameter {name}")
    assert settings.CLOUDSTACK_SESSIONKEY_COOKIE_NAME not in browser.cookies
