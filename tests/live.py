"""A real three-region cloud for the integration and browser tests: three PostgreSQL
databases, gunicorn, Celery workers and beat per region, and a private Redis server that
tests may restart. One cloud per test session, started by the first test that asks for it
(the fixtures are made available to every test folder by tests/conftest.py)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
import uuid
from pathlib import Path

import psycopg
import pytest
import redis
import requests

from tests.portal_process import free_port
from tools.localcloud import PG_BASE, Cloud

PASSWORD = "Federation-Test-2026"


class PrivateRedis:
    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        client = redis.Redis.from_url(self.url)
        for _ in range(100):
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("private redis did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=10)


@pytest.fixture(scope="session")
def private_redis(tmp_path_factory):
    server = PrivateRedis(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


#: The anti-entropy sweep runs as often as in production (README: REPLICATION_SWEEP_SECONDS
#: defaults to 10), so a broken fast path (pokes, pulls on start) shows as slow convergence
#: instead of being papered over by a sweep every second.
SWEEP_SECONDS = 10.0
#: The beat looks for hosts due for a ping every second and asks for the capacity check every
#: two; each still runs only as often as its settings say (a zone's ping.interval, a region's
#: capacity.check.period: 60 s and 300 s by default), so the tests that lower those see
#: the change within seconds (tests/integration/test_host_faults.py, tests/browser/
#: test_dashboard.py) and the others see the cloud as it is by default.
BEAT_ENV = {"HOST_PING_SWEEP_SECONDS": "1", "CAPACITY_SWEEP_SECONDS": "2"}


@pytest.fixture(scope="session")
def cloud(tmp_path_factory, private_redis):
    """Three regions with fault proxies between them (`cloud.cut(1, 3)`, `cloud.heal()`),
    supervised. The session fails at the end if the supervisor had to restart a process
    that no test killed on purpose (`cloud.kill(index, role)`)."""
    base_port = free_port()
    while any(_port_taken(base_port + i) for i in range(3)):
        base_port = free_port()
    cloud = Cloud(
        regions=3,
        base_port=base_port,
        prefix=f"rp_it_{os.getpid()}",
        workdir=tmp_path_factory.mktemp("cloud"),
        admin_password=PASSWORD,
        redis_base=private_redis.url,
        sweep_seconds=SWEEP_SECONDS,
        proxied=True,
        env=BEAT_ENV,
    )
    unexpected = []
    try:
        cloud.create(fresh=True)
        cloud.supervise()
        yield cloud
        unexpected = list(cloud.unexpected_restarts)
        crashes = {
            (r.region, r.role): _crash_context(cloud.region(r.region), r.role) for r in unexpected
        }
    finally:
        cloud.stop()
        cloud.drop()
    if unexpected:
        pytest.fail(
            "the supervisor restarted processes nobody killed:\n"
            + "\n".join(
                f"region {r.region} {r.role} (pid {r.pid}) exited with {r.returncode} at "
                f"{time.strftime('%H:%M:%S', time.localtime(r.at))}"
                for r in unexpected
            )
            + "".join(
                f"\n\nregion {region} {role}, before it died:\n{text}"
                for (region, role), text in crashes.items()
            ),
            pytrace=False,
        )


def _crash_context(region, role: str, lines: int = 15) -> str:
    """The last log lines of ROLE before each exit the supervisor did not expect (it marks
    every restart in the log), tracebacks' caret lines left out."""
    path = region.workdir / f"{role}.log"
    if not path.exists():
        return "(no log)"
    text = path.read_text(errors="replace").splitlines()
    found = []
    for i, line in enumerate(text):
        if line.startswith(f"[localcloud] {role} exited") and "on purpose" not in line:
            before = [
                x[:300]
                for x in text[max(0, i - 300) : i]
                if x.strip() and not x.strip().startswith(("^", "~"))
            ]
            found.append("\n".join(before[-lines:]))
    return "\n...\n".join(found) or "(no exit marked in its log)"


def _port_taken(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def db(region) -> psycopg.Connection:
    return psycopg.connect(f"{PG_BASE}/{region.database}", autocommit=True)


class Api:
    """The REST API of one region, signed in as a root admin with a token."""

    def __init__(self, region, username: str = "admin", password: str = PASSWORD) -> None:
        self.base = region.url
        response = requests.post(
            f"{self.base}/api/auth/token/",
            data={"username": username, "password": password},
            timeout=10,
        )
        response.raise_for_status()
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Token {response.json()['token']}"
        # A connection per request: a kept-alive one that gunicorn closes (after 2 idle
        # seconds) just as the next request goes out is reset, and a POST is not retried.
        self.session.headers["Connection"] = "close"

    def call(self, method: str, path: str, **kwargs):
        response = self.session.request(method, f"{self.base}/api{path}", timeout=30, **kwargs)
        assert response.status_code < 400, (
            f"{method} {path}: {response.status_code} {response.text}"
        )
        return response.json() if response.content else None

    def post(self, path: str, **data):
        return self.call("POST", path, json=data)

    def patch(self, path: str, **data):
        return self.call("PATCH", path, json=data)

    def delete(self, path: str):
        return self.call("DELETE", path)


@pytest.fixture(scope="session")
def apis(cloud):
    return [Api(region) for region in cloud.regions]


CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class WebSession:
    """A person's browser, scripted: cookies of every region, forms posted with CSRF."""

    def __init__(self) -> None:
        self.http = requests.Session()

    @staticmethod
    def csrf(html: str) -> str:
        match = CSRF_INPUT.search(html)
        assert match, "no form with a CSRF token on the page"
        return match.group(1)

    def get(self, region, path: str, **kwargs) -> requests.Response:
        return self.http.get(f"{region.url}{path}", timeout=30, **kwargs)

    def post(self, region, path: str, data: dict, *, page: str | None = None, **kwargs):
        """POST a form of REGION's page PATH (the page is fetched for its token if not given)."""
        page = page if page is not None else self.get(region, path).text
        return self.http.post(
            f"{region.url}{path}",
            data={"csrfmiddlewaretoken": self.csrf(page), **data},
            headers={"Referer": f"{region.url}{path}"},
            timeout=30,
            **kwargs,
        )

    def sign_in(self, region, username: str, password: str, **kwargs) -> requests.Response:
        return self.post(
            region, "/accounts/login/", {"login": username, "password": password}, **kwargs
        )

    def switch(self, source, target_id: int, *, next_path: str = "/", **kwargs):
        """Choose region TARGET_ID in SOURCE's switcher while on NEXT_PATH."""
        page = self.get(source, next_path).text
        return self.http.post(
            f"{source.url}/sso/switch/{target_id}/",
            data={"csrfmiddlewaretoken": self.csrf(page), "next": next_path},
            headers={"Referer": f"{source.url}{next_path}"},
            timeout=30,
            **kwargs,
        )

    def signed_in_as(self, region) -> str | None:
        """The username REGION's navbar shows, or None when signed out there."""
        html = self.get(region, "/").text
        match = re.search(r'<summary class="nav-link" id="user-menu">([^<]+)</summary>', html)
        return match.group(1).strip() if match else None


USER_PASSWORD = "Switching-Regions-2026"

KEYS_SCRIPT = """
from identity.models import User
from identity.services import user_keys_register
pair = user_keys_register(user=User.objects.get(pk={user_id!r}), by=None)
print(pair.api_key, pair.secret_key)
"""


def cloudstack(region, api: Api):
    """A `cs` client of REGION's CloudStack API signing as a new root admin of the cloud, made
    through API (REGION's REST API) with keys registered in REGION."""
    from cs import CloudStack

    made = new_user(api, admin=True)
    key, secret = region.manage("shell", "-c", KEYS_SCRIPT.format(user_id=made["id"])).split()[-2:]
    return CloudStack(
        endpoint=f"{region.url}/client/api",
        key=key,
        secret=secret,
        fetch_result=True,
        poll_interval=0.2,
        job_timeout=60,
        timeout=30,
        headers={"Connection": "close"},  # as Api's: no kept-alive connection reset under it
    )


def root_domain_id(api: Api) -> str:
    return next(
        d["id"] for d in api.call("GET", "/domains/?limit=1000")["results"] if d["path"] == "ROOT"
    )


def new_user(api: Api, *, admin: bool = False) -> dict:
    account = api.post(
        "/accounts/",
        domain=root_domain_id(api),
        name=f"sso-{uuid.uuid4().hex[:8]}",
        type=1 if admin else 0,
    )
    return api.post(
        "/users/",
        account=account["id"],
        username=f"sso-{uuid.uuid4().hex[:8]}",
        password=USER_PASSWORD,
    )


def wait_for_user(region, user_id: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with db(region) as conn:
            if conn.execute("SELECT 1 FROM identity_user WHERE id = %s", [user_id]).fetchone():
                return
        time.sleep(0.2)
    pytest.fail(f"user {user_id} did not reach region {region.index}")


@pytest.fixture
def live_user(cloud, apis):
    """A plain user made in region 1 through the REST API, present in every region."""
    made = new_user(apis[0])
    for region in cloud.regions[1:]:
        wait_for_user(region, made["id"])
    return made
