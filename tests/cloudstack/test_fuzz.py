"""Issue #10: a fuzz test of the CloudStack API.

Every registered command (new ones too) gets random parameters drawn from its declaration
(right and wrong types, overflowing numbers, odd encodings, long and astral text, control
characters, unknown names), sent by a root admin, a domain admin or a user, signed either
way or through a `login` session, GET or POST, asking for JSON or XML. Every answer must be
CloudStack's: an allowed code (never 530), the `<command>response` envelope, errorcode and
errortext on errors, XML that parses, and a failed write changes nothing.

Requests run in-process (Django's test client). Each example runs in a savepoint that is
rolled back, so examples are independent and see the same objects. The run is
derandomized for CI; FUZZ_EXAMPLES=300 explores more per command, FUZZ_RANDOM=1 draws
new examples on every run.
"""

from __future__ import annotations

import copy
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from identity.cloudstack.responses import ROLE_IDS
from identity.models import Account, Domain, Project, User
from portal.cloudstack.registry import Command, Param, command_get, commands_all
from portal.models import AsyncJob, AsyncJobStatus
from portal.validation import CONTROL
from regions.models import Region, Setting
from regions.services import region_create
from tests import factories
from tests.cloudstack.fuzzing import (
    Credentials,
    Pools,
    Wire,
    answer_check,
    any_text,
    parameters,
    send,
    wires,
)
from zones.models import Cluster, DedicatedGuestVlanRange, Host, Pod, StoragePool, VlanIpRange, Zone
from zones.services import guest_vlan_range_dedicate, zone_update

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "20")),
    deadline=None,
    derandomize=not os.environ.get("FUZZ_RANDOM"),
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # every example runs in its own savepoint
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
#: the apps whose rows a failed command must leave as they were
WATCHED_APPS = ("identity", "regions", "zones", "portal")

# Hypothesis warns when it prints a falsifying example with a 70,000-character value.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")


@pytest.fixture(autouse=True)
def _live_database(db):
    """No live server here (it overrides the package's fixture): requests run in-process,
    inside the test's own transaction."""


class _Crashes(logging.Handler):
    """The tracebacks the API logs for internal errors, to show with a failed check."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:  # not Django's line for every 531 ("Unknown Status Code")
            self.records.append(logging.Formatter().format(record))


@dataclass
class World:
    """What every example of a test shares: the actors with their credentials, the objects
    to name, the rows before any example ran, and the tracebacks logged."""

    actors: dict[str, tuple[User, Credentials]]
    pools: Pools
    baseline: dict[str, list[tuple]]
    crashes: _Crashes


def _rows() -> dict[str, list[tuple]]:
    """Every row of the watched apps (a few dozen in these tests)."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values_list())
        for label in WATCHED_APPS
        for model in apps.get_app_config(label).get_models()
    }


def _login(user: User) -> tuple[Client, str]:
    """A client signed in as USER through `login`, and its session key."""
    client = Client()
    response = client.post(
        "/client/api",
        {"command": "login", "username": user.username, "password": factories.PASSWORD,
         "response": "json"},
    )  # fmt: skip
    assert response.status_code == 200, response.content
    return client, response.json()["loginresponse"]["sessionkey"]


@pytest.fixture
def world(region, root, dadmin, alice, bob, keys_for) -> Iterator[World]:
    """A small cloud: two regions, two zones, three domains, projects, jobs; and a key pair
    and a session for each actor."""
    zone = factories.zone(name="zone-a")
    factories.zone(name="zone-b", network_type="Basic", allocation_state="Enabled")
    pod = factories.pod(
        zone=zone, name="pod-a", gateway="10.9.0.1", start_ip="10.9.0.10", end_ip="10.9.0.20"
    )
    cluster = factories.cluster(pod=pod, name="cluster-a")
    simulated = factories.cluster(pod=pod, name="sim-a", hypervisor="Simulator")
    factories.host(cluster=simulated, url="http://sim/h0")
    factories.storage_pool(cluster=cluster, name="pool-a")
    zone_update(zone=zone, vlan="100-199", by=None)
    factories.vlan_ip_range(zone=zone)
    guest_vlan_range_dedicate(zone=zone, vlan_range="150-159", account=bob.account, by=None)
    region_create(id=2, name="west", endpoint="http://127.0.0.1:8001", by=None)
    factories.project(owner=alice.account, name="ops-project")
    factories.project(owner=bob.account, name="sales-project")
    keys_for(bob)
    AsyncJob.objects.create(user=alice, command="deleteProject")
    AsyncJob.objects.create(user=bob, command="createProject", status=AsyncJobStatus.FAILED)
    actors = {}
    for user in (root, dadmin, alice):
        pair = keys_for(user)
        client, session_key = _login(user)
        actors[user.username] = (
            user,
            Credentials(pair.api_key, pair.secret_key, client, session_key),
        )
    kinds = {"domain": Domain, "account": Account, "user": User, "project": Project,
             "zone": Zone, "pod": Pod, "cluster": Cluster, "host": Host,
             "storagepool": StoragePool, "ip_range": VlanIpRange,
             "dedication": DedicatedGuestVlanRange, "job": AsyncJob}  # fmt: skip
    # In the order they were made, so a derandomized run picks the same objects every time.
    made = {kind: model.objects.order_by("created") for kind, model in kinds.items()}
    ids = {
        kind: [str(pk) for pk in rows.values_list("pk", flat=True)] for kind, rows in made.items()
    }
    ids["role"] = list(ROLE_IDS.values())
    names = sorted(
        {
            *Domain.objects.values_list("name", flat=True),
            *Account.objects.values_list("name", flat=True),
            *User.objects.values_list("username", flat=True),
            *Project.objects.values_list("name", flat=True),
            *Region.objects.values_list("name", flat=True),
            zone.name,
        }
    )
    pools = Pools(
        ids=ids,
        names=names,
        region_ids=list(Region.objects.values_list("pk", flat=True)),
        settings=list(Setting.objects.order_by("name").values_list("name", flat=True)),
    )
    crashes = _Crashes()
    loggers = [logging.getLogger(name) for name in ("portal", "django.request")]
    for logger in loggers:
        logger.addHandler(crashes)
    yield World(actors, pools, _rows(), crashes)
    for logger in loggers:
        logger.removeHandler(crashes)
    cache.clear()  # leave no sign-in rate-limit counts behind for the next test


@contextmanager
def _rolled_back(world: World, credentials: Credentials) -> Iterator[None]:
    """Run an example in a savepoint that is rolled back, and restore the session cookies,
    so the next example starts from the same cloud."""
    cookies = copy.deepcopy(credentials.session_client.cookies)
    world.crashes.records.clear()
    try:
        with transaction.atomic():
            try:
                yield
            finally:
                transaction.set_rollback(True)
    finally:
        credentials.session_client.cookies = cookies


def _exchange(
    world: World, wire: Wire, credentials: Credentials, capture: Callable[..., Any], name: str
) -> tuple[Any, dict[str, Any]]:
    """Send WIRE (running the async jobs it starts) and check the answer's shape."""
    client = credentials.session_client if wire.session else Client()
    with capture(execute=True):
        response = send(client, wire)
    crashes = "\n".join(world.crashes.records)
    assert response.status_code not in (500, 530), crashes or response.content[:2000]
    body = answer_check(response, wire, name)
    # --hypothesis-show-statistics: how far the examples got
    event(f"{response.status_code} {str(body.get('errortext', ''))[:60]}")
    assert not crashes, crashes
    return response, body


def _check_jobs(world: World) -> None:
    """No job this example started ended in an internal error."""
    crashed = AsyncJob.objects.filter(result_code__in=(500, 530)).values_list("command", "result")
    assert not crashed, (list(crashed), "\n".join(world.crashes.records))


def _actor(data: Any, world: World, command: Command | None = None) -> tuple[User, Credentials]:
    """One of the actors; mostly one that may call COMMAND, so most examples reach it."""
    names = sorted(world.actors)
    allowed = [n for n in names if command and command.allows(world.actors[n][0].account.type)]
    if allowed and data.draw(st.integers(0, 4), label="allowed actor") > 0:
        names = allowed
    return world.actors[data.draw(st.sampled_from(names), label="actor")]


@pytest.mark.parametrize("command", commands_all(), ids=lambda command: command.name)
@FUZZ
@given(data=st.data())
def test_every_command_answers_as_cloudstack_does(
    command: Command, world: World, data: Any, django_capture_on_commit_callbacks: Any
) -> None:
    user, credentials = _actor(data, world, command)
    pairs = data.draw(parameters(command.params, world.pools, command.name), label="parameters")
    wire = data.draw(wires(command.name, pairs, credentials), label="request")
    with _rolled_back(world, credentials):
        response, body = _exchange(
            world, wire, credentials, django_capture_on_commit_callbacks, command.response_name
        )
        status = response.status_code
        if wire.auth == "bad":
            assert status == 401, body
            return
        assert status != 401, body  # a well-signed request is never refused as unsigned
        if not command.allows(user.account.type):
            assert status == 432, body
        if status == 200 and command.is_async:
            assert body.get("jobid"), body
        _check_jobs(world)
        if status != 200 and not command.is_list:
            assert _rows() == world.baseline, f"a failed {command.name} changed rows"


_NOT_COMMANDS = st.one_of(
    any_text,
    st.sampled_from(["listzones", "LISTZONES", "listZones ", " listZones", "listZones\x00"]),
).filter(lambda name: command_get(name) is None and name not in ("login", "logout"))


@FUZZ
@given(data=st.data())
def test_an_unknown_command_is_432_whatever_comes_with_it(
    world: World, data: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _, credentials = _actor(data, world)
    name = data.draw(_NOT_COMMANDS, label="command")
    pairs = data.draw(parameters([Param("id", "uuid"), Param("name")], world.pools))
    wire = data.draw(wires(name, pairs, credentials), label="request")
    with _rolled_back(world, credentials):
        response, body = _exchange(
            world, wire, credentials, django_capture_on_commit_callbacks, "errorresponse"
        )
        assert response.status_code == (401 if wire.auth == "bad" else 432), body


_LOGIN_PARAMS = [
    Param("username", required=True),
    Param("password", required=True),
    Param("domain"),
    Param("domainid", "uuid"),
]


@FUZZ
@given(data=st.data())
def test_login_and_logout_answer_as_cloudstack_does(
    world: World, data: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _, credentials = _actor(data, world)
    name = data.draw(st.sampled_from(["login", "login", "logout"]), label="command")
    pairs = data.draw(parameters(_LOGIN_PARAMS, world.pools), label="parameters")
    auth = data.draw(st.sampled_from(["none", "none", "v2", "session"]), label="auth")
    wire = data.draw(wires(name, pairs, credentials, auth=auth), label="request")
    with _rolled_back(world, credentials):
        response, body = _exchange(
            world, wire, credentials, django_capture_on_commit_callbacks, f"{name}response"
        )
        status = response.status_code
        if name == "logout":
            assert status == 200, body
        elif any(CONTROL.search(value) for value in wire.params.values()):
            assert status == 431, body  # checked first: PostgreSQL cannot look up a NUL
        elif wire.method == "GET":
            assert status == 405, body
        else:
            assert status in (200, 429, 531), body  # 429: the sign-in throttle
