"""The sign-in throttle in a real portal (gunicorn, the embedded SQLite default): guesses
are counted across processes (two servers on one database, as two hosts behind a load
balancer), and a guess made inside a transaction that rolls back still counts (attempts
are written on their own connection)."""

from __future__ import annotations

import re

import pytest
import requests

from tests.portal_process import PortalProcess

PASSWORD = "Throttle-Live-Pass-2026"
WRONG = "not-the-password-at-all"
PER_ADDRESS = 20  # this portal's per account-and-address limit
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


@pytest.fixture(scope="module")
def twin(portal, tmp_path_factory):
    """A second server on the first one's database and secret key."""
    same = {name: portal.env[name] for name in ("SECRET_KEY", "PORTAL_DATA_DIR")}
    twin = PortalProcess(
        tmp_path_factory.mktemp("throttle-twin"),
        extra_env={**same, **{k: v for k, v in portal.env.items() if k.startswith("PORTAL_SIGN")}},
    ).start()
    yield twin
    twin.stop()


def token(portal: PortalProcess, password: str) -> requests.Response:
    return requests.post(
        f"{portal.url}/api/auth/token/",
        json={"username": "root", "password": password},
        headers={"Connection": "close"},
        timeout=10,
    )


def token_pids(portal: PortalProcess) -> list[str]:
    log = portal.log_path.read_text()
    return re.findall(r'"POST /api/auth/token/ HTTP/1\.1" \d+ \d+ pid=<?(\d+)', log)


def test_guesses_are_counted_across_processes(portal, twin):
    servers = (portal, twin)
    for guess in range(PER_ADDRESS):  # half through each server
        assert token(servers[guess % 2], WRONG).status_code == 400
    for server in servers:  # the limit is reached in both, by the guesses of both
        refused = token(server, PASSWORD)
        assert refused.status_code == 429, refused.text
        assert int(refused.headers["Retry-After"]) >= 1
    # each server's process took its half of the guesses (the refusal's line may be unwritten)
    halves = [token_pids(server)[: PER_ADDRESS // 2] for server in servers]
    assert [len(half) for half in halves] == [PER_ADDRESS // 2] * 2
    assert not set(halves[0]) & set(halves[1])


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
