"""Replication benchmark against a real three-region cloud (tools.localcloud).

Prints, last, one line:
  replication: p50=<ms> p95=<ms> p99=<ms> lag, bulk10k=<s>, catchup10k=<s>

- lag: a writer creates domains in region 1 through the REST API at 50 writes/s; observers
  poll regions 2 and 3's databases; lag is from the write's response (the commit happened
  before it) until the row is visible in both peers.
- bulk10k: `manage.py import_users` of 10,000 users in region 1, from the command's start
  until all are visible in both peers.
- catchup10k: region 2 is stopped while 10,000 users are imported in region 1; from its
  restart until it holds all of them.

Run: .venv/bin/python -m benchmarks.replication [--writes 500] [--bulk 10000]
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

    def observe(index: int) -> None:
        with connect(peers[index]) as conn:
            while not done.is_set():
                now = time.monotonic()
                for (name,) in conn.execute(
                    "SELECT name FROM identity_domain WHERE name LIKE %s", [prefix + "%"]
                ).fetchall():
                    seen[index].setdefault(name, now)
                time.sleep(0.005)

    observers = [threading.Thread(target=observe, args=(i,)) for i in range(len(peers))]
    for thread in observers:
        thread.start()
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


def count_users(region, prefix: str) -> int:
    with connect(region) as conn:
        return conn.execute(
            "SELECT count(*) FROM identity_user WHERE username LIKE %s", [prefix + "%"]
        ).fetchone()[0]


def wait_count(regions, prefix: str, count: int, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(count_users(r, prefix) == count for r in regions):
            return
        time.sleep(0.1)
    raise RuntimeError(f"{prefix}: not all {count} users arrived in {timeout}s")


def measure_bulk(cloud: Cloud, count: int, workdir: Path) -> float:
    region1 = cloud.regions[0]
    prefix = f"bulk{uuid.uuid4().hex[:6]}-"
    path = workdir / f"{prefix}.csv"
    write_csv(path, count, prefix)
    start = time.monotonic()
    region1.manage("import_users", "--account", account_id(region1), str(path))
    wait_count(cloud.regions[1:], prefix, count)
    return time.monotonic() - start


def measure_catchup(cloud: Cloud, count: int, workdir: Path) -> float:
    region1, region2 = cloud.regions[0], cloud.regions[1]
    prefix = f"catch{uuid.uuid4().hex[:6]}-"
    path = workdir / f"{prefix}.csv"
    write_csv(path, count, prefix)
    region2.stop("web", "worker", "beat")
    region1.manage("import_users", "--account", account_id(region1), str(path))
    wait_count([cloud.regions[2]], prefix, count)
    start = time.monotonic()
    region2.start()
    wait_count([region2], prefix, count)
    return time.monotonic() - start


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
    )
    try:
        print("creating a three-region cloud ...", flush=True)
        cloud.create(fresh=True)
        lags = measure_lag(cloud, args.writes, args.rate)
        print(
            f"lag over {len(lags)} writes at {args.rate:g}/s: mean={statistics.mean(lags):.1f} ms "
            f"max={max(lags):.1f} ms",
            flush=True,
        )
        bulk = measure_bulk(cloud, args.bulk, workdir)
        print(
            f"bulk import of {args.bulk} users visible in both peers after {bulk:.1f} s", flush=True
        )
        catchup = measure_catchup(cloud, args.bulk, workdir)
        print(
            f"region 2 caught up on {args.bulk} changes {catchup:.1f} s after restart", flush=True
        )
    finally:
        cloud.stop()
        cloud.drop()
    print(
        f"replication: p50={percentile(lags, 50):.0f} p95={percentile(lags, 95):.0f} "
        f"p99={percentile(lags, 99):.0f} lag, bulk{args.bulk // 1000}k={bulk:.1f}, "
        f"catchup{args.bulk // 1000}k={catchup:.1f}"
    )


if __name__ == "__main__":
    main()
