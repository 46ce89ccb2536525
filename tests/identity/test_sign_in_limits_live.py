"""The sign-in throttle in a real portal (gunicorn, two worker processes, the embedded
SQLite default): guesses are counted across processes, and a guess made inside a
transaction that rolls back still counts (attempts are written on their own connection)."""

from __future__ import annotations

import re

import pytest
import requests

from tests.portal_process import PortalProcess

PASSWORD = "Throttle-Live-Pass-2026"
WRONG = "not-the-password-at-all"
PER_ADDRESS = 20  # this portal's per account-and-address limit, high enough to see both workers
PER_ACCOUNT = 25
USERS = ("root", "carol")


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    portal = PortalProcess(
        tmp_path_factory.mktemp("throttle"),
        extra_env={
            "PORTAL_SIGN_IN_LIMIT_ACCOUNT_ADDRESS": str(PER_ADDRESS),
            "PORTAL_SIGN_IN_LIMIT_ACCOUNT": str(PER_ACCOUNT),
        },
    ).start()
    portal.env["ADMIN_PW"] = PASSWORD
    portal.manage(
        "setup_region",
        *("--id", "3", "--name", "eu-north", "--endpoint", portal.url),
        *("--admin-username", "root", "--admin-password-env", "ADMIN_PW"),
    )
    portal.manage(
        "shell",
        "-c",
        "import os; from identity.models import User; from identity.services import user_create;"
        "root = User.objects.get(username='root');"
        "user_create(account=root.account, username='carol', password=os.environ['ADMIN_PW'],"
        " by=None)",
    )
    yield portal
    portal.stop()


def token(portal: PortalProcess, password: str) -> requests.Response:
    # A new connection each time: either worker process may take it.
    return requests.post(
        f"{portal.url}/api/auth/token/",
        json={"username": "root", "password": password},
        headers={"Connection": "close"},
        timeout=10,
    )


def token_pids(portal: PortalProcess) -> list[str]:
    log = portal.log_path.read_text()
    return re.findall(r'"POST /api/auth/token/ HTTP/1\.1" \d+ \d+ pid=<?(\d+)', log)


def test_guesses_are_counted_across_worker_processes(portal):
    for _ in range(PER_ADDRESS):
        assert token(portal, WRONG).status_code == 400
    refused = token(portal, PASSWORD)
    assert refused.status_code == 429, refused.text
    assert int(refused.headers["Retry-After"]) >= 1
    pids = token_pids(portal)[:PER_ADDRESS]  # the refusal's line may not be written yet
    assert len(pids) == PER_ADDRESS
    assert len(set(pids)) == 2, pids  # both workers took guesses, and the count was one


def test_a_guess_inside_a_rolled_back_command_still_counts(portal):
    session = requests.Session()
    api = f"{portal.url}/client/api"
    login = session.post(
        api,
        data={"command": "login", "response": "json", "username": "carol"}
        | {"password": PASSWORD, "domain": "/"},
        timeout=10,
    )
    assert login.status_code == 200, login.text
    body = login.json()["loginresponse"]
    params = {"response": "json", "sessionkey": body["sessionkey"]}
    change = {"command": "updateUser", "id": body["userid"], "password": "New-Pass-Live-2026!"}
    # updateUser runs in one transaction that rolls back on the refusal: the guess must stay.
    for _ in range(PER_ACCOUNT):  # these checks have no client address: the account's limit
        refused = session.post(api, data=params | change | {"currentpassword": WRONG}, timeout=10)
        assert refused.status_code == 431, refused.text
        assert "currentpassword" in refused.json()["updateuserresponse"]["errortext"]
    throttled = session.post(api, data=params | change | {"currentpassword": PASSWORD}, timeout=10)
    assert throttled.status_code == 429, throttled.text
    assert "Too many sign-in attempts" in throttled.json()["updateuserresponse"]["errortext"]
    assert int(throttled.headers["Retry-After"]) >= 1
