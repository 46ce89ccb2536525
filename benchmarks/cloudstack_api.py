"""CloudStack API benchmark: signed listZones against the REST zone list, same portal, same data.

Prints, last, one line:
  cloudstack-api: listZones=<req/s> signed, rest=<req/s> same data, verify=<us> per signature

- A real portal: migrate, collectstatic and gunicorn (the production server), as
  tests/portal_process.py starts one, set up with `region_setup` and 100 zones.
- listZones: `GET /client/api?command=listZones&response=json&pagesize=100`, signed with
  the admin's key pair (signatureVersion 3), so every request is authenticated by key
  lookup, secret decryption and HMAC check.
- rest: `GET /api/zones/?limit=100` with the admin's REST token: the same 100 zones.
- Both are driven by the same closed loop: CLIENTS threads, each with its own keep-alive
  connection, for SECONDS each, after a warm-up. Every answer is checked to hold 100 zones.
- verify: in this process, the cost of one signature check (canonical string, HMAC-SHA1,
  constant-time compare) on a listZones request, averaged over many.

Run: .venv/bin/python -m benchmarks.cloudstack_api [--seconds 10] [--clients 8] [--workers 4]
     [--postgres]   (a throwaway database on CLOUD_PG_ADMIN_URL instead of SQLite)
"""

from __future__ import annotations

import argparse
import base64
import datetime
import hashlib
import hmac
import json
import os
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import requests

from tests.portal_process import PortalProcess

ADMIN_PASSWORD = "Benchmark-Passphrase-2026"
PG_ADMIN = os.environ.get("CLOUD_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")

SETUP = """
import json
from identity.services import user_keys_register
from console.services import region_setup
from zones.services import zone_create

result = region_setup(
    region={"id": 1, "name": "bench", "endpoint": "%(url)s"},
    admin={"username": "admin", "password": "%(password)s"},
)
for n in range(%(zones)d):
    zone_create(
        name=f"zone-{n:03d}", dns1="8.8.8.8", internal_dns1="10.0.0.2",
        description=f"benchmark zone {n}", by=None,
    )
pair = user_keys_register(user=result.admin, by=None)
print(json.dumps({"key": pair.api_key, "secret": pair.secret_key}))
"""


def sign(params: dict[str, str], secret: str) -> dict[str, str]:
    unsigned = "&".join(f"{k}={quote(v, safe='*')}" for k, v in sorted(params.items())).lower()
    digest = hmac.new(secret.encode(), unsigned.encode(), hashlib.sha1).digest()
    return {**params, "signature": base64.b64encode(digest).decode()}


def signed_list_zones(key: str, secret: str, zones: int) -> dict[str, str]:
    expires = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)
    return sign(
        {
            "apiKey": key,
            "command": "listZones",
            "response": "json",
            "page": "1",
            "pagesize": str(zones),
            "signatureVersion": "3",
            "expires": expires.strftime("%Y-%m-%dT%H:%M:%S%z"),
        },
        secret,
    )


def closed_loop(make_request, *, clients: int, seconds: float) -> float:
    """Requests per second of CLIENTS threads sending MAKE_REQUEST(session) back to back."""
    counts = [0] * clients
    failures: list[str] = []
    start = threading.Barrier(clients + 1)

    def run(index: int) -> None:
        with requests.Session() as session:
            start.wait()
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                response = make_request(session)
                if response.status_code != 200:
                    failures.append(f"{response.status_code} {response.text[:200]}")
                    return
                counts[index] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.monotonic()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    if failures:
        raise RuntimeError(f"requests failed: {failures[0]}")
    return sum(counts) / elapsed


def verify_cost(key: str, secret: str, zones: int, rounds: int = 20000) -> float:
    """Microseconds per signature check, in this process."""
    from portal.cloudstack.signature import signature_matches

    params = signed_list_zones(key, secret, zones)
    signature = params.pop("signature")
    assert signature_matches(params, secret_key=secret, signature=signature)
    began = time.perf_counter()
    for _ in range(rounds):
        signature_matches(params, secret_key=secret, signature=signature)
    return (time.perf_counter() - began) / rounds * 1e6


def decrypt_cost(rounds: int = 20000) -> float:
    """Microseconds per secret decryption (Fernet), the other per-request crypto."""
    from cryptography.fernet import Fernet

    fernet = Fernet(Fernet.generate_key())
    token = fernet.encrypt(b"x" * 86)
    began = time.perf_counter()
    for _ in range(rounds):
        fernet.decrypt(token)
    return (time.perf_counter() - began) / rounds * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--zones", type=int, default=100)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()

    extra_env = {"LOG_LEVEL": "WARNING"}
    database = None
    if args.postgres:
        import psycopg

        database = f"bench_cloudstack_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{database}"')
        extra_env["DATABASE_URL"] = f"{PG_ADMIN.rsplit('/', 1)[0]}/{database}"

    with tempfile.TemporaryDirectory(prefix="bench-cloudstack-") as tmp:
        portal = PortalProcess(Path(tmp), workers=args.workers, extra_env=extra_env)
        try:
            portal.start(timeout=60.0)
            code = SETUP % {"url": portal.url, "password": ADMIN_PASSWORD, "zones": args.zones}
            keys = json.loads(portal.manage("shell", "-c", code).stdout.strip().splitlines()[-1])
            token = requests.post(
                f"{portal.url}/api/auth/token/",
                data={"username": "admin", "password": ADMIN_PASSWORD},
                timeout=10,
            ).json()["token"]

            endpoint = f"{portal.url}/client/api"
            params = signed_list_zones(keys["key"], keys["secret"], args.zones)
            rest_url = f"{portal.url}/api/zones/?limit={args.zones}"
            rest_headers = {"Authorization": f"Token {token}"}

            def cloudstack(session):
                return session.get(endpoint, params=params, timeout=30)

            def rest(session):
                return session.get(rest_url, headers=rest_headers, timeout=30)

            first = cloudstack(requests).json()["listzonesresponse"]
            assert first["count"] == args.zones == len(first["zone"]), first
            first_rest = rest(requests).json()
            assert first_rest["count"] == args.zones == len(first_rest["results"]), first_rest

            for mode in (cloudstack, rest):  # warm up every worker
                closed_loop(mode, clients=args.clients, seconds=min(2.0, args.seconds))
            signed_rate = closed_loop(cloudstack, clients=args.clients, seconds=args.seconds)
            rest_rate = closed_loop(rest, clients=args.clients, seconds=args.seconds)
        finally:
            portal.stop()
            if database:
                import psycopg

                with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')

    verify = verify_cost(keys["key"], keys["secret"], args.zones)
    decrypt = decrypt_cost()
    backend = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"setup: {args.zones} zones, {backend}, gunicorn {args.workers} workers, "
        f"{args.clients} client threads x {args.seconds:g}s, Python {sys.version.split()[0]}"
    )
    print(f"per request crypto: HMAC check {verify:.1f} us + secret decryption {decrypt:.1f} us")
    print(
        f"cloudstack-api: listZones={signed_rate:.0f} signed, rest={rest_rate:.0f} same data, "
        f"verify={verify:.1f} per signature"
    )


if __name__ == "__main__":
    main()
