"""The CloudStack API against a live portal, through the `cs` client from PyPI.

`live_server` serves this test's database from a thread, so requests are real HTTP and
the objects made here through the services are what the portal sees. Async jobs run
in-process (no broker in tests), queued after their command's transaction commits.
"""

from __future__ import annotations

import base64
import gc
import hashlib
import hmac
import threading
import time
from collections.abc import Callable
from urllib.parse import quote

import cs
import pytest
import requests

from identity.services import user_keys_register
from identity.services.keys import KeyPair
from regions.federation.services import federation_ensure
from tests import factories


@pytest.fixture(autouse=True)
def _live_database(transactional_db, django_db_serialized_rollback):
    """The server thread must see what the test commits, so no wrapping transaction; the
    rows migrations made (the ROOT domain) are restored after each test's flush.

    At the end, wait for the server's request threads: one still closing its connection
    when the test's database access ends would fail later, in another test.
    """
    yield
    gc.collect()  # a caught cs exception keeps its response's socket open until collected
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(
        "process_request_thread" in thread.name for thread in threading.enumerate()
    ):
        time.sleep(0.01)


@pytest.fixture
def region(db):
    """The local region as `region_setup` leaves it: with the federation secret that key
    pairs are sealed with for replication."""
    local = factories.local_region()
    federation_ensure()
    return local


@pytest.fixture
def endpoint(live_server, region) -> str:
    return f"{live_server.url}/client/api"


@pytest.fixture
def keys_for() -> Callable[..., KeyPair]:
    """USER's key pair, registered once per test (registering again would revoke it)."""
    pairs: dict = {}

    def get(user) -> KeyPair:
        if user.pk not in pairs:
            pairs[user.pk] = user_keys_register(user=user, by=None)
        return pairs[user.pk]

    return get


@pytest.fixture
def cs_client(endpoint) -> Callable[..., cs.CloudStack]:
    """A `cs` client with KEY and SECRET; its connections are closed after the test."""
    made: list[cs.CloudStack] = []

    def make(key: str, secret: str, **options) -> cs.CloudStack:
        options.setdefault("fetch_result", True)
        options.setdefault("poll_interval", 0.05)
        options.setdefault("job_timeout", 10)
        client = cs.CloudStack(endpoint=endpoint, key=key, secret=secret, **options)
        made.append(client)
        return client

    yield make
    for client in made:  # no keep-alive connection left for the server thread to wait on
        client.session.close()


@pytest.fixture
def client_for(cs_client, keys_for) -> Callable[..., cs.CloudStack]:
    """A `cs` client signing as USER."""

    def make(user, **options) -> cs.CloudStack:
        pair = keys_for(user)
        return cs_client(pair.api_key, pair.secret_key, **options)

    return make


@pytest.fixture
def root_cs(client_for, root):
    return client_for(root)


@pytest.fixture
def dadmin_cs(client_for, dadmin):
    return client_for(dadmin)


@pytest.fixture
def alice_cs(client_for, alice):
    return client_for(alice)


def sign(params: dict[str, str], secret: str) -> dict[str, str]:
    """Sign PARAMS the way CloudStack's documentation describes, independently of `cs`."""
    unsigned = "&".join(
        f"{name}={quote(str(value), safe='*')}" for name, value in sorted(params.items())
    ).lower()
    digest = hmac.new(secret.encode(), unsigned.encode(), hashlib.sha1).digest()
    return {**params, "signature": base64.b64encode(digest).decode()}


@pytest.fixture
def raw(endpoint) -> Callable[..., requests.Response]:
    """A plain HTTP call: signed with PAIR when given, JSON unless `response` says otherwise."""

    def call(
        command: str | None = None, *, pair=None, method: str = "get", **params
    ) -> requests.Response:
        params = {k: str(v) for k, v in params.items()}
        if command is not None:
            params["command"] = command
        if pair is not None:
            params = sign({"apiKey": pair.api_key, **params}, pair.secret_key)
        kind = "params" if method == "get" else "data"
        return requests.request(method, endpoint, timeout=10, **{kind: params})

    return call


@pytest.fixture
def root_keys(keys_for, root) -> KeyPair:
    return keys_for(root)


@pytest.fixture
def alice_keys(keys_for, alice) -> KeyPair:
    return keys_for(alice)
