"""Conflicting operations fired at the same moment in two regions, for the replication
benchmark's last figures: how many races ran, and afterwards how many replicated tables
still differ between regions (diverged) and how many changes wait (parked).

Each race: an object is made in region 1 and waited for in region 3, then two threads
behind one barrier send one request each, to region 1 and to region 3. The pairs are the
conflict policy's (docs/architecture.md): update/delete, delete parent/create child, the
same username and the same sibling domain name, rename parent/create child, delete
user/set password. The full-row comparison is the fault suite's (tests/integration).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import psycopg
import requests

from tools.localcloud import PG_BASE

ROOT = "00000000-0000-4000-8000-000000000001"


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


class _Api:
    def __init__(self, region, password: str) -> None:
        self.base = f"{region.url}/api"
        token = requests.post(
            f"{self.base}/auth/token/",
            data={"username": "admin", "password": password},
            timeout=10,
        ).json()["token"]
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Token {token}"
        self.statuses: list[int] = []

    def call(self, method: str, path: str, **body: Any) -> requests.Response:
        response = self.http.request(method, f"{self.base}{path}", json=body or None, timeout=30)
        self.statuses.append(response.status_code)
        return response


def _present(region, table: str, object_id: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    with psycopg.connect(f"{PG_BASE}/{region.database}", autocommit=True) as conn:
        while time.monotonic() < deadline:
            if conn.execute(f"SELECT 1 FROM {table} WHERE id = %s", [object_id]).fetchone():
                return
            time.sleep(0.02)
    raise RuntimeError(f"{table} {object_id} never reached region {region.index}")


def _together(*calls: Callable[[], Any]) -> None:
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> None:
        barrier.wait()
        call()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def fire_races(cloud, password: str, rounds: int) -> tuple[int, list[int]]:
    """Fire every pair ROUNDS times; returns (races fired, every status code answered)."""
    one, three = _Api(cloud.regions[0], password), _Api(cloud.regions[2], password)
    far = cloud.regions[2]
    races = 0
    for _ in range(rounds):
        domain = one.call("POST", "/domains/", parent=ROOT, name=_name("rd")).json()["id"]
        _present(far, "identity_domain", domain)
        _together(
            lambda d=domain: one.call("DELETE", f"/domains/{d}/"),
            lambda d=domain: three.call("PATCH", f"/domains/{d}/", network_domain="late.example"),
        )
        empty = one.call("POST", "/domains/", parent=ROOT, name=_name("pd")).json()["id"]
        _present(far, "identity_domain", empty)
        _together(
            lambda d=empty: one.call("DELETE", f"/domains/{d}/"),
            lambda d=empty: three.call("POST", "/accounts/", domain=d, name=_name("ac"), type=0),
        )
        account = one.call("POST", "/accounts/", domain=ROOT, name=_name("ra"), type=0).json()["id"]
        _present(far, "identity_account", account)
        username = _name("twin")
        twin = {"account": account, "username": username, "password": password}
        _together(
            lambda t=twin: one.call("POST", "/users/", **t),
            lambda t=twin: three.call("POST", "/users/", **t),
        )
        sibling = {"parent": ROOT, "name": _name("sib")}
        _together(
            lambda s=sibling: one.call("POST", "/domains/", **s),
            lambda s=sibling: three.call("POST", "/domains/", **s),
        )
        parent = one.call("POST", "/domains/", parent=ROOT, name=_name("rn")).json()["id"]
        _present(far, "identity_domain", parent)
        _together(
            lambda p=parent: one.call("PATCH", f"/domains/{p}/", name=_name("renamed")),
            lambda p=parent: three.call("POST", "/domains/", parent=p, name="kid"),
        )
        user = one.call(
            "POST", "/users/", account=account, username=_name("gone"), password=password
        ).json()["id"]
        _present(far, "identity_user", user)
        _together(
            lambda u=user: one.call("DELETE", f"/users/{u}/"),
            lambda u=user: three.call(
                "POST", f"/users/{u}/set_password/", password="Another-Long-Pass-2026"
            ),
        )
        races += 6
    return races, one.statuses + three.statuses


def settle(cloud, timeout: float = 120) -> tuple[int, int]:
    """(tables that still differ, parked changes in all regions) once the regions agree, or
    when TIMEOUT runs out."""
    from tests.integration import convergence

    deadline = time.monotonic() + timeout
    while True:
        now = convergence.state(cloud)
        if now.ok or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    names = now.snapshots[0].keys()
    diverged = sum(1 for n in names if any(s[n] != now.snapshots[0][n] for s in now.snapshots))
    parked = 0
    for region in cloud.regions:
        with psycopg.connect(f"{PG_BASE}/{region.database}", autocommit=True) as conn:
            parked += conn.execute("SELECT count(*) FROM regions_parkedchange").fetchone()[0]
    return diverged, parked
