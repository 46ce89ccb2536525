"""Replication benchmark against a real three-region cloud (tools.localcloud).

Prints, last, one line:
  replication: p50=<ms> p95=<ms> p99=<ms> lag, wan50_p99=<ms>, bulk10k=<s>, catchup10k=<s>,
  races=<n> diverged=<n> parked=<n>

Regions reach each other through the fault proxy (tools.faultproxy, one per ordered pair),
as the fault suite's do: every figure includes its hop.

- lag: a writer creates domains in region 1 through the REST API at 50 writes/s; lag is
  from the write's response (the commit happened before it) until the row is visible in
  both peers. Observers LISTEN in regions 2 and 3's databases, where a trigger added for the
  benchmark notifies every insert of a domain at its commit (no polling: no interval added
  to the figure, no CPU taken from the regions).
- bulk10k: `manage.py import_users` of 10,000 users in region 1, from the command's start
  until all are visible in both peers (counted whenever a statement inserted users there).
- catchup10k: region 2 (every process of it) is stopped while 10,000 users are imported in
  region 1; from its restart until it holds all of them (watched from the restart on, not
  from the moment its web process answers).
- wan50_p99: the lag measurement again (--wan-writes at the same rate) with 50 ms added to
  every round trip between regions (the proxies delay each direction by 25 ms).
- races, diverged, parked: the conflict policy's pairs fired at the same moment in regions
  1 and 3 (benchmarks/replication_races.py, --race-rounds rounds of six), then, once the
  regions agree or two minutes pass, the replicated tables whose full rows still differ
  between regions and the changes still parked in any region. Any 5xx answered fails the run.

Run: .venv/bin/python -m benchmarks.replication [--writes 500] [--bulk 10000]
     [--wan-writes 250] [--race-rounds 5]
Needs PostgreSQL and Redis on 127.0.0.1 (as `make cloud`).
"""

from __future__ import annotations

import argparse
import csv
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

import psycopg
import requests

from benchmarks.replication_races import fire_races, settle
from tools.localcloud import PG_BASE, Cloud

PASSWORD = "Benchmark-Passphrase-2026"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def connect(region) -> psycopg.Connection:
    return psycopg.connect(f"{PG_BASE}/{region.database}", autocommit=True)


def api_session(region) -> requests.Session:
    token = requests.post(
        f"{region.url}/api/auth/token/",
        data={"username": "admin", "password": PASSWORD},
        timeout=10,
    ).json()["token"]
    session = requests.Session()
    session.headers["Authorization"] = f"Token {token}"
    return session


NOTIFY_SQL = """
CREATE OR REPLACE FUNCTION bench_notify_domain() RETURNS trigger AS $$
BEGIN PERFORM pg_notify('bench_domain', NEW.name); RETURN NULL; END $$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION bench_notify_users() RETURNS trigger AS $$
BEGIN PERFORM pg_notify('bench_users', ''); RETURN NULL; END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS bench_domain ON identity_domain;
CREATE TRIGGER bench_domain AFTER INSERT ON identity_domain
    FOR EACH ROW EXECUTE FUNCTION bench_notify_domain();
DROP TRIGGER IF EXISTS bench_users ON identity_user;
CREATE TRIGGER bench_users AFTER INSERT ON identity_user
    FOR EACH STATEMENT EXECUTE FUNCTION bench_notify_users();
"""


def install_notify(cloud: Cloud) -> None:
    """Benchmark-only triggers: a notification at the commit of every insert we wait for."""
    for region in cloud.regions:
        with connect(region) as conn:
            conn.execute(NOTIFY_SQL)


def measure_lag(cloud: Cloud, writes: int, rate: float) -> list[float]:
    region1, peers = cloud.regions[0], cloud.regions[1:]
    session = api_session(region1)
    root = next(
        d["id"] for d in session.get(f"{region1.url}/api/domains/?path=ROOT").json()["results"]
    )
    prefix = f"lag{uuid.uuid4().hex[:6]}-"
    committed: dict[str, float] = {}
    seen: list[dict[str, float]] = [{} for _ in peers]
    done = threading.Event()
    listening = threading.Barrier(len(peers) + 1)

    def observe(index: int) -> None:
        with connect(peers[index]) as conn:
            conn.execute("LISTEN bench_domain")
            listening.wait()
            while not done.is_set():
                for notify in conn.notifies(timeout=0.2):
                    if notify.payload.startswith(prefix):
                        seen[index].setdefault(notify.payload, time.monotonic())

    observers = [threading.Thread(target=observe, args=(i,)) for i in range(len(peers))]
    for thread in observers:
        thread.start()
    listening.wait()
    start = time.monotonic()
    for i in range(writes):
        target = start + i / rate
        time.sleep(max(0.0, target - time.monotonic()))
        name = f"{prefix}{i}"
        response = session.post(
            f"{region1.url}/api/domains/", json={"parent": root, "name": name}, timeout=10
        )
        response.raise_for_status()
        committed[name] = time.monotonic()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not all(len(s) == writes for s in seen):
        time.sleep(0.05)
    done.set()
    for thread in observers:
        thread.join()
    missing = [len(committed) - len(s) for s in seen]
    if any(missing):
        raise RuntimeError(f"writes never seen in peers: {missing}")
    return [(max(s[name] for s in seen) - at) * 1000 for name, at in committed.items()]


def write_csv(path: Path, count: int, prefix: str) -> None:
    from django.contrib.auth.hashers import make_password

    hashed = make_password(PASSWORD)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["username", "email", "password_hash"])
        for i in range(count):
            writer.writerow([f"{prefix}{i}", f"{prefix}{i}@example.com", hashed])


def account_id(region) -> str:
    with connect(region) as conn:
        return str(
            conn.execute("SELECT id FROM identity_account ORDER BY created LIMIT 1").fetchone()[0]
        )


class UserWatch:
    """Counts users named PREFIX... in each of REGIONS whenever a statement inserted users
    there (LISTEN, set up before anything is written), in a thread per region."""

    def __init__(self, regions, prefix: str) -> None:
        self.prefix = prefix
        self.conns = [connect(region) for region in regions]
        for conn in self.conns:
            conn.execute("LISTEN bench_users")

    def _count(self, conn) -> int:
        return conn.execute(
            "SELECT count(*) FROM identity_user WHERE username LIKE %s", [self.prefix + "%"]
        ).fetchone()[0]

    def wait(self, count: int, timeout: float = 600) -> float:
        """Block until every region holds COUNT; the moment the last one got there."""
        deadline = time.monotonic() + timeout
        reached: list[float] = []

        def watch(conn) -> None:
            while time.monotonic() < deadline:
                if self._count(conn) == count:
                    reached.append(time.monotonic())
                    return
                for _ in conn.notifies(timeout=1.0, stop_after=1):
                    pass

        threads = [threading.Thread(target=watch, args=(conn,)) for conn in self.conns]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if len(reached) < len(self.conns):
            raise RuntimeError(f"{self.prefix}: not all {count} users arrived in {timeout}s")
        return max(reached)

    def close(self) -> None:
        for conn in self.conns:
            conn.close()


def measure_bulk(cloud: Cloud, count: int, workdir: Path) -> tuple[float, float]:
    """Seconds from the import's start, and from its end (its commit), until both peers
    hold every user."""
    region1 = cloud.regions[0]
    prefix = f"bulk{uuid.uuid4().hex[:6]}-"
    path = workdir / f"{prefix}.csv"
    write_csv(path, count, prefix)
    account = account_id(region1)
    watch = UserWatch(cloud.regions[1:], prefix)
    try:
        start = time.monotonic()
        region1.manage("import_users", "--account", account, str(path))
        imported = time.monotonic()
        reached = watch.wait(count)
    finally:
        watch.close()
    return reached - start, reached - imported


def measure_catchup(cloud: Cloud, count: int, workdir: Path) -> float:
    region1, region2, region3 = cloud.regions
    prefix = f"catch{uuid.uuid4().hex[:6]}-"
    path = workdir / f"{prefix}.csv"
    write_csv(path, count, prefix)
    region2.stop()  # every process of it
    region1.manage("import_users", "--account", account_id(region1), str(path))
    watch3 = UserWatch([region3], prefix)
    try:
        watch3.wait(count)
    finally:
        watch3.close()
    watch = UserWatch([region2], prefix)
    try:
        # Watched from the restart on, in a thread: start() also waits for the region's web
        # process to answer its health probe, which the catch-up does not need (when the
        # watch began only after start() returned, the figure was the web's start-up).
        reached: list[float] = []
        waiter = threading.Thread(target=lambda: reached.append(watch.wait(count)))
        start = time.monotonic()
        waiter.start()
        region2.start()
        waiter.join()
        if not reached:
            raise RuntimeError(f"{prefix}: region 2 never caught up")
        return reached[0] - start
    finally:
        watch.close()


def main() -> None:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    django.setup()

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--writes", type=int, default=500)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--bulk", type=int, default=10_000)
    parser.add_argument("--wan-writes", type=int, default=250)
    parser.add_argument("--wan-rtt", type=float, default=50.0)
    parser.add_argument("--race-rounds", type=int, default=5)
    parser.add_argument("--base-port", type=int, default=8301)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="rp-bench-"))
    cloud = Cloud(
        regions=3,
        base_port=args.base_port,
        prefix="regionportal_bench",
        workdir=workdir / "cloud",
        admin_password=PASSWORD,
        redis_base_db=11,
        sweep_seconds=5.0,
        proxied=True,
    )
    try:
        print("creating a three-region cloud ...", flush=True)
        cloud.create(fresh=True)
        install_notify(cloud)
        lags = measure_lag(cloud, args.writes, args.rate)
        print(
            f"lag over {len(lags)} writes at {args.rate:g}/s: mean={statistics.mean(lags):.1f} ms "
            f"max={max(lags):.1f} ms",
            flush=True,
        )
        bulk, after_commit = measure_bulk(cloud, args.bulk, workdir)
        print(
            f"bulk import of {args.bulk} users visible in both peers after {bulk:.1f} s "
            f"({after_commit:.1f} s after the import committed)",
            flush=True,
        )
        catchup = measure_catchup(cloud, args.bulk, workdir)
        print(
            f"region 2 caught up on {args.bulk} changes {catchup:.1f} s after restart", flush=True
        )
        cloud.latency(args.wan_rtt)
        wan = measure_lag(cloud, args.wan_writes, args.rate)
        cloud.latency(0)
        print(
            f"lag at {args.wan_rtt:g} ms RTT over {len(wan)} writes: "
            f"p50={percentile(wan, 50):.0f} ms p99={percentile(wan, 99):.0f} ms",
            flush=True,
        )
        races, statuses = fire_races(cloud, PASSWORD, args.race_rounds)
        errors = sorted({status for status in statuses if status >= 500})
        if errors:
            raise RuntimeError(f"races answered {errors}")
        diverged, parked = settle(cloud)
        print(
            f"{races} races answered {sorted(set(statuses))}; afterwards {diverged} tables "
            f"differ, {parked} changes parked",
            flush=True,
        )
    finally:
        cloud.stop()
        cloud.drop()
    print(
        f"replication: p50={percentile(lags, 50):.0f} p95={percentile(lags, 95):.0f} "
        f"p99={percentile(lags, 99):.0f} lag, wan{args.wan_rtt:.0f}_p99={percentile(wan, 99):.0f}, "
        f"bulk{args.bulk // 1000}k={bulk:.1f}, catchup{args.bulk // 1000}k={catchup:.1f}, "
        f"races={races} diverged={diverged} parked={parked}"
    )


if __name__ == "__main__":
    main()
