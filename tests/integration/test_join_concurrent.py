"""Two fresh portals join the live cloud at the same moment through two different regions:
every region agrees their ids first, so they get different ones.

Real processes: the joiners run `manage.py join_region` against regions 1 and 2 of the
session's cloud, released together from a barrier so that both acceptors choose an id
before either has heard of the other join.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import psycopg
import pytest
import redis

from tests.integration.conftest import PASSWORD, Api, db
from tests.portal_process import free_port
from tools.localcloud import PG_ADMIN, RegionProcess

pytestmark = pytest.mark.integration

JOIN_SCRIPT = """
import os, time
from django.core.management import call_command
open(os.environ["JOIN_READY"], "w").close()
while not os.path.exists(os.environ["JOIN_GO"]):
    time.sleep(0.001)
call_command(
    "join_region", "--peer", os.environ["JOIN_PEER"], "--token-env", "JOIN_TOKEN",
    "--name", os.environ["JOIN_NAME"], "--endpoint", os.environ["JOIN_ENDPOINT"],
)
"""


@pytest.fixture
def newcomers(cloud, apis, tmp_path):
    """Two fresh, migrated portals (own database, Redis database and port), not set up.

    Afterwards their processes stop, their databases go, and their rows are deleted from
    the cloud's registry, so that later tests see the three regions they expect.
    """
    first = cloud.regions[0]
    made = [
        RegionProcess(
            index=index,
            port=free_port(),
            database=f"rp_it_{os.getpid()}_joiner_{index}",
            redis_db=index,
            workdir=tmp_path / f"region{index}",
            admin_password=PASSWORD,
            sweep_seconds=first.sweep_seconds,
            redis_base=first.redis_base,
        )
        for index in (4, 5)
    ]
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            for region in made:
                conn.execute(f'DROP DATABASE IF EXISTS "{region.database}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{region.database}"')
        for region in made:
            redis.Redis.from_url(f"{region.redis_base}/{region.redis_db}").flushdb()
            region.manage("migrate", "--noinput", "-v0")
        yield made
    finally:
        for region in made:
            region.stop()
        endpoints = {region.url for region in made}
        for listed in apis[0].call("GET", "/regions/?limit=1000")["results"]:
            if listed["endpoint"] in endpoints:
                apis[0].delete(f"/regions/{listed['id']}/")
        wait_for(
            lambda: (
                all(registry(region) == registry(first) for region in cloud.regions)
                and len(registry(first)) == len(cloud.regions)
            ),
            "the cloud did not forget the joined regions",
        )
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            for region in made:
                conn.execute(f'DROP DATABASE IF EXISTS "{region.database}" WITH (FORCE)')


def registry(region) -> list[tuple]:
    with db(region) as conn:
        return conn.execute(
            "SELECT id, uuid, name, endpoint FROM regions_region ORDER BY id"
        ).fetchall()


def wait_for(condition, message: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(message)
        time.sleep(0.25)


def test_concurrent_joins_through_two_regions_get_different_ids(cloud, newcomers, tmp_path):
    acceptors = cloud.regions[:2]
    go = tmp_path / "go"
    runs = []
    for joiner, acceptor in zip(newcomers, acceptors, strict=True):
        token = acceptor.manage("join_token").strip()
        env = {
            "JOIN_TOKEN": token,
            "JOIN_PEER": acceptor.url,
            "JOIN_NAME": joiner.name,
            "JOIN_ENDPOINT": joiner.url,
            "JOIN_READY": str(tmp_path / f"ready-{joiner.index}"),
            "JOIN_GO": str(go),
        }
        runs.append({"joiner": joiner, "env": env})

    def join(run: dict) -> None:
        try:
            run["out"] = run["joiner"].manage("shell", "-c", JOIN_SCRIPT, extra_env=run["env"])
        except Exception as error:  # reported by the assertion below
            run["error"] = error

    threads = [threading.Thread(target=join, args=(run,)) for run in runs]
    for thread in threads:
        thread.start()
    wait_for(
        lambda: all(Path(run["env"]["JOIN_READY"]).exists() for run in runs),
        "the joiners did not start",
        timeout=60,
    )
    go.touch()  # both joins are sent at the same moment
    for thread in threads:
        thread.join(timeout=180)
    assert [run.get("error") for run in runs] == [None, None]

    ids = {}
    for run in runs:
        joiner = run["joiner"]
        with db(joiner) as conn:
            local = conn.execute("SELECT id, uuid FROM regions_region WHERE is_local").fetchone()
        assert f"This portal now serves region {local[0]} ({joiner.name})" in run["out"]
        ids[joiner.name] = local
    # Different ids, above the cloud's; an id both acceptors chose at once is refused to
    # both and skipped, so there may be a gap.
    assert len({region_id for region_id, _ in ids.values()}) == 2, ids
    assert all(region_id > len(cloud.regions) for region_id, _ in ids.values()), ids

    for joiner in newcomers:
        joiner.start()
    everyone = [*cloud.regions, *newcomers]
    wait_for(
        lambda: (
            all(registry(region) == registry(everyone[0]) for region in everyone)
            and len(registry(everyone[0])) == 5
        ),
        "the five regions did not agree on the registry",
    )
    listed = {name: (region_id, uuid) for region_id, uuid, name, _ in registry(everyone[0])}
    for name, (region_id, uuid) in ids.items():
        assert listed[name] == (region_id, uuid)
    for region in everyone:
        with db(region) as conn:
            refused = conn.execute(
                "SELECT count(*) FROM regions_override WHERE kind = 'region_id'"
            ).fetchone()[0]
        assert refused == 0, f"region {region.index} recorded a region id clash"
    # Every surviving reservation belongs to a region now: the sweep may forget it.
    for region in everyone:
        with db(region) as conn:
            stray = conn.execute(
                "SELECT r.region_id, r.region_uuid FROM regions_regionidreservation r "
                "LEFT JOIN regions_region g ON g.id = r.region_id AND g.uuid = r.region_uuid "
                "WHERE g.id IS NULL"
            ).fetchall()
        assert stray == [], f"region {region.index} holds reservations of no region: {stray}"
    Api(newcomers[0]).call("GET", "/regions/")  # the admin signs in at a joined region
