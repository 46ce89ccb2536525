"""Schemathesis against a live portal (issue #10): every operation of /api/schema/ with every
check, as a plain user, a domain admin, a root admin and signed out. No server error, and no
answer that disagrees with the schema.

Each run is what `schemathesis run` does (examples, coverage, fuzzing and stateful phases),
bounded for CI: SCHEMATHESIS_EXAMPLES derandomized examples per operation (default 10), and
the coverage phase for the root admin and the token endpoint only; about two minutes in
all. To look harder locally: `SCHEMATHESIS_EXAMPLES=200 SCHEMATHESIS_COVERAGE_FOR_ALL=1
SCHEMATHESIS_SEED=7`, and SCHEMATHESIS_MAX_TIME=<seconds> to keep fuzzing until that budget
is spent. With DATABASE_URL set (as in CI) the portal runs on a fresh PostgreSQL database of
that server, else on SQLite.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import requests
import schemathesis
from schemathesis.engine import events, from_schema

from tests.portal_process import PortalProcess

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "10"))
MAX_TIME = int(os.environ.get("SCHEMATHESIS_MAX_TIME", "0"))  # 0: each phase once
SEED = int(os.environ.get("SCHEMATHESIS_SEED", "1"))
#: The coverage phase (every boundary and wrong type of every parameter) is most of a run's
#: time. A root admin's run reaches every check of every value; the other actors' runs add
#: what differs for them (what they may see and do) through the other phases.
COVERAGE_FOR_ALL = os.environ.get("SCHEMATHESIS_COVERAGE_FOR_ALL", "") == "1"
PASSWORD = "Schema-Contract-2026"
ROOT_DOMAIN = "00000000-0000-4000-8000-000000000001"
TOKEN_PATH = "/api/auth/token/"

#: Operations left out of the signed-in runs, each for a reason (the signed-out run has all).
EXCLUDED = [
    # Checks a password: fuzzed under a real username (schemathesis reuses values from
    # answers) it would count failed sign-ins against the actor whose run this is, and
    # throttle or lock them out halfway through. The signed-out run knows no username.
    {"include-path": TOKEN_PATH},
]

#: Checks narrowed, each for a reason; every other check runs as schemathesis ships it.
NARROWED = [
    {
        # A request line longer than gunicorn takes (limit_request_line, 4094 bytes) is
        # refused before it reaches the portal, with the 414 every operation documents
        # (portal/api/schema.py): that is a rejection too. Long invalid queries (a parameter
        # repeated a hundred times) meet it when generation is turned up. (Reads only: the
        # writes' rule below is theirs.)
        "include-method": ["GET"],
        "checks": {
            "negative_data_rejection": {
                "expected-statuses": [
                    "400",
                    "401",
                    "403",
                    "404",
                    "405",
                    "406",
                    "409",
                    "414",
                    "415",
                    "422",
                    "428",
                    "429",
                    "5xx",
                ]
            }
        },
    },
    {
        # Whether a write is valid depends on what is stored and on rules no JSON schema can
        # state: references to objects that exist and that the actor may see, unique names,
        # the password policy, objects that keep the cloud running (the ROOT domain, this
        # region, yourself, the last root admin). The API answers those with a 400 naming
        # the field, which the schema documents. Reads keep the strict default.
        "include-method": ["POST", "PUT", "PATCH", "DELETE"],
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "429", "5xx"]
            }
        },
    },
]


@dataclass
class Failure:
    operation: str
    check: str
    title: str
    message: str
    status: int | None
    body: str
    reproduce: str

    def __str__(self) -> str:
        return (
            f"{self.operation}: {self.title} ({self.check})\n{self.message}\n"
            f"-> {self.status} {self.body[:500]}\n{self.reproduce}"
        )


def schemathesis_config(
    base_url: str, *, token: str | None, operations: list[dict], coverage: bool = True
) -> schemathesis.Config:
    config = {
        "seed": SEED,
        "cache": {"enabled": False},  # nothing carried over from an earlier run
        # Hypothesis's checks on its own generation (slow, too much filtered) judge the
        # generator, not the API.
        "suppress-health-check": ["all"],
        "base-url": base_url,
        "workers": 1,
        "request-timeout": 30,
        "checks": {"enabled": True},
        "generation": {"max-examples": EXAMPLES, "deterministic": True, "database": "none"},
        "operations": operations,
        "phases": {"coverage": {"enabled": coverage}},
        "warnings": False,
    }
    if MAX_TIME:
        config["max-time"] = MAX_TIME
    # Our own actors only: schemathesis would otherwise sign up a user of its own.
    config["auth"] = {"auto-signup": False}
    if token is not None:
        config["auth"]["openapi"] = {"tokenAuth": {"api_key": f"Token {token}"}}
    return schemathesis.Config.from_dict(config)


def schemathesis_run(
    base_url: str, *, token: str | None, operations: list[dict], coverage: bool = True
) -> tuple[list[Failure], list[str]]:
    """One `schemathesis run` against BASE_URL's schema: its failed checks (one per
    operation, check and kind) and its errors (a request that crashed, a schema it cannot
    use)."""
    config = schemathesis_config(base_url, token=token, operations=operations, coverage=coverage)
    schema = schemathesis.openapi.from_url(f"{base_url}/api/schema/?format=json", config=config)
    failures: dict[tuple[str, str, str], Failure] = {}
    errors: list[str] = []
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            for failure in _failures(event.recorder):
                failures.setdefault((failure.operation, failure.check, failure.title), failure)
        elif isinstance(event, events.NonFatalError):
            errors.append(f"{event.label}: {event.info.title}: {event.value}")
        elif isinstance(event, events.FatalError):
            errors.append(f"schemathesis stopped: {event.exception!r}")
        elif isinstance(event, events.EngineFinished):  # checks made once the run is over
            errors.extend(f"{failure.title}: {failure.message}" for failure in event.failures)
    return list(failures.values()), errors


def _failures(recorder) -> Iterator[Failure]:
    for case_id, checks in recorder.checks.items():
        for check in checks:
            if check.failure_info is None:
                continue
            failure = check.failure_info.failure
            interaction = recorder.interactions.get(case_id)
            response = interaction.response if interaction else None
            yield Failure(
                operation=failure.operation or recorder.label,
                check=check.name,
                title=failure.title,
                message=failure.message,
                status=response.status_code if response else None,
                body=response.content.decode(errors="replace") if response else "",
                reproduce=check.failure_info.code_sample,
            )


def assert_clean(failures: list[Failure], errors: list[str]) -> None:
    report = "\n\n".join([*map(str, failures), *errors])
    assert not failures and not errors, f"{len(failures)} failures, {len(errors)} errors:\n{report}"


class LivePortal:
    """A portal process with its region, a zone, a root admin (`admin`), a domain admin
    (`dadmin`) and a plain user (`alice`) of domain `eng`, and a project of alice's account."""

    def __init__(self, workdir: Path) -> None:
        self.database = _postgres_database()
        env = {"PORTAL_FAST_PASSWORD_HASHER": "1", "ADMIN_PASSWORD": PASSWORD}
        if self.database:
            env["DATABASE_URL"] = self.database
        self.process = PortalProcess(workdir, extra_env=env)
        self.url = self.process.url
        self.tokens: dict[str, str] = {}

    def start(self) -> LivePortal:
        self.process.start()
        self.process.manage(
            "setup_region",
            *("--id", "1", "--name", "east", "--endpoint", self.url),
            *("--admin-username", "admin", "--admin-password-env", "ADMIN_PASSWORD"),
        )
        admin = self.token("admin")
        self.post(admin, "/zones/", name="zone-a", dns1="8.8.8.8", internal_dns1="10.0.0.2")
        eng = self.post(admin, "/domains/", parent=ROOT_DOMAIN, name="eng")
        for username, account_type in (("dadmin", 2), ("alice", 0)):
            account = self.post(
                admin, "/accounts/", domain=eng["id"], name=f"{username}-team", type=account_type
            )
            self.post(admin, "/users/", account=account["id"], username=username, password=PASSWORD)
        self.post(admin, "/projects/", domain=eng["id"], name="alpha", owner=account["id"])
        # Every token now: the token endpoint's own run trips the sign-in throttle.
        self.tokens = {username: self.token(username) for username in ("dadmin", "alice")}
        self.tokens["admin"] = admin
        return self

    def stop(self) -> None:
        self.process.stop()
        if self.database:
            base, name = self.database.rsplit("/", 1)
            with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def token(self, username: str) -> str:
        response = requests.post(
            f"{self.url}/api/auth/token/",
            json={"username": username, "password": PASSWORD},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        return response.json()["token"]

    def post(self, token: str, path: str, **data) -> dict:
        response = requests.post(
            f"{self.url}/api{path}",
            json=data,
            headers={"Authorization": f"Token {token}"},
            timeout=30,
        )
        assert response.status_code == 201, response.text
        return response.json()


def _postgres_database() -> str | None:
    """A fresh database on DATABASE_URL's server, when the suite runs on PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    base = url.rsplit("/", 1)[0]
    name = f"rp_schemathesis_{os.getpid()}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


@pytest.fixture(scope="module")
def portal(tmp_path_factory) -> Iterator[LivePortal]:
    portal = LivePortal(tmp_path_factory.mktemp("schemathesis"))
    try:
        yield portal.start()
    finally:
        portal.stop()


# The root admin runs last: its run may lock, rename or delete the other actors.
@pytest.mark.parametrize("username", ["alice", "dadmin", "admin"])
def test_every_operation_keeps_to_the_schema(portal, username):
    operations = [{**rule, "enabled": False} for rule in EXCLUDED] + NARROWED
    coverage = username == "admin" or COVERAGE_FOR_ALL
    failures, errors = schemathesis_run(
        portal.url, token=portal.tokens[username], operations=operations, coverage=coverage
    )
    assert_clean(failures, errors)


def test_signed_out_every_operation_keeps_to_the_schema(portal):
    """Every operation refuses a caller who is not signed in, in the documented shape; the
    token endpoint, which only this run reaches, with every phase."""
    operations = list(NARROWED)
    if not COVERAGE_FOR_ALL:
        no_coverage = {"phases": {"coverage": {"enabled": False}}}
        operations.append({"exclude-path": TOKEN_PATH, **no_coverage})
    assert_clean(*schemathesis_run(portal.url, token=None, operations=operations))
