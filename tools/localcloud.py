"""A multi-region cloud on one machine: each region its own PostgreSQL database, its own
Redis database number, its own gunicorn, Celery worker, Celery beat and replicator; joined
together.

`make cloud` runs `python -m tools.localcloud` (regions at :8101, :8102, :8103); the
integration tests and benchmarks start the same thing on free ports.

`Cloud(proxied=True)` puts a fault proxy (tools.faultproxy) on every ordered pair of regions,
so tests can add latency or cut the network between two regions (`cloud.cut(1, 2)`), and
`cloud.restarts` records every process the supervisor had to bring back.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import psycopg

from tools.datacenters import datacenter
from tools.faultproxy import FaultProxy

BASE_DIR = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_ADMIN = os.environ.get("CLOUD_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_BASE = PG_ADMIN.rsplit("/", 1)[0]
DEFAULT_REDIS = os.environ.get("CLOUD_REDIS_URL", "redis://127.0.0.1:6379")
REGION_NAMES = ["region-one", "region-two", "region-three", "region-four", "region-five"]


class Restart(NamedTuple):
    """A process the supervisor found exited and started again."""

    region: int
    role: str
    at: float  # time.time() of the restart
    expected: bool  # it was killed on purpose (RegionProcess.kill)
    returncode: int | None
    pid: int  # of the process that exited


@dataclass
class RegionProcess:
    index: int
    port: int
    database: str
    redis_db: int
    workdir: Path
    admin_password: str
    sweep_seconds: float = 5.0
    redis_base: str = DEFAULT_REDIS
    # Region id -> base URL to reach that region's peer API by (PORTAL_PEER_URLS).
    peer_urls: dict[int, str] = field(default_factory=dict)
    #: more environment for every process of the region (such as HOST_PING_SWEEP_SECONDS)
    extra_env: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    argv: dict[str, list[str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: roles whose exit is expected for now (a fault a test caused on purpose)
    tolerated: set[str] = field(default_factory=set)
    killed: set[int] = field(default_factory=set)  # pids killed on purpose, not yet revived

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def name(self) -> str:
        return REGION_NAMES[self.index - 1]

    @property
    def env(self) -> dict[str, str]:
        self.workdir.mkdir(parents=True, exist_ok=True)
        secret_file = self.workdir / "secret_key"
        if not secret_file.exists():
            secret_file.write_text(secrets.token_urlsafe(50))
        redis_url = f"{self.redis_base}/{self.redis_db}"
        env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DEBUG")}
        env.update(
            SECRET_KEY=secret_file.read_text(),
            DATABASE_URL=f"{PG_BASE}/{self.database}",
            CELERY_BROKER_URL=redis_url,
            REDIS_URL=redis_url,
            PORTAL_PUBLIC_URL=self.url,
            PORTAL_COOKIE_PREFIX=f"region{self.index}",
            PORTAL_DATA_DIR=str(self.workdir),
            STATIC_ROOT=str(BASE_DIR / "staticfiles"),
            REPLICATION_SWEEP_SECONDS=str(self.sweep_seconds),
            CLOUD_ADMIN_PASSWORD=self.admin_password,
            PYTHONUNBUFFERED="1",
        )
        env.update(self.extra_env)
        env.pop("PORTAL_PEER_URLS", None)
        if self.peer_urls:
            env["PORTAL_PEER_URLS"] = json.dumps({str(k): v for k, v in self.peer_urls.items()})
        return env

    def manage(self, *args: str, extra_env: dict[str, str] | None = None) -> str:
        result = subprocess.run(
            [str(BIN / "python"), "manage.py", *args],
            cwd=BASE_DIR,
            env={**self.env, **(extra_env or {})},
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(f"region {self.index}: manage.py {args[0]} failed:\n{result.stderr}")
        return result.stdout

    def _spawn(self, role: str, argv: list[str]) -> None:
        running = self.processes.get(role)
        if running is not None and running.poll() is None:
            # Starting it again would lose track of the running one, which would outlive
            # the cloud (a replicator left running after a test session did so).
            raise RuntimeError(f"region {self.index}: {role} is running already")
        log = (self.workdir / f"{role}.log").open("a")
        self.processes[role] = subprocess.Popen(
            argv,
            cwd=BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.argv[role] = argv

    def revive(self) -> list[Restart]:
        """Restart every process that exited without being stopped, as a supervisor
        (systemd Restart=always) does in production: a Celery worker can die when its
        broker connection drops. Returns what was restarted."""
        revived = []
        with self.lock:
            exited = [(r, p) for r, p in self.processes.items() if p.poll() is not None]
        for role, process in exited:
            with self.lock:
                if self.processes.get(role) is not process:
                    continue  # stopped on purpose meanwhile
                expected = process.pid in self.killed or role in self.tolerated
                self.killed.discard(process.pid)
                with (self.workdir / f"{role}.log").open("a") as log:
                    log.write(
                        f"\n[localcloud] {role} exited with {process.returncode}"
                        f"{' (killed on purpose)' if expected else ''}; restarting\n"
                    )
                self._spawn(role, self.argv[role])
            revived.append(
                Restart(self.index, role, time.time(), expected, process.returncode, process.pid)
            )
        return revived

    def kill(self, role: str, sig: int = signal.SIGKILL, *, timeout: float = 20) -> int:
        """Signal ROLE's whole process group (kill -9 by default: a crash, the OOM killer)
        and wait for it to exit, leaving it to the supervisor (Cloud.supervise) to restart;
        the restart is recorded as expected. Returns the pid killed."""
        with self.lock:
            process = self.processes.get(role)
            if process is None:
                raise KeyError(f"region {self.index} runs no {role}")
            if process.poll() is not None:
                return process.pid  # it died on its own first: that restart stays unexpected
            self.killed.add(process.pid)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        process.wait(timeout=timeout)
        return process.pid

    def start_web(self) -> None:
        self._spawn(
            "web",
            [
                str(BIN / "gunicorn"),
                "portal.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
                # threads: a peer's feed stream holds one for a minute, not a whole worker
                "--threads",
                "4",
                "--graceful-timeout",
                "10",
                "--access-logfile",
                "-",
            ],
        )

    def start_worker(self) -> None:
        self._spawn(
            "worker",
            [
                str(BIN / "celery"),
                "-A",
                "portal",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                "2",
                "--hostname",
                f"region{self.index}@%h",
                "--without-gossip",
                "--without-mingle",
            ],
        )

    def start_beat(self) -> None:
        self._spawn(
            "beat",
            [
                str(BIN / "celery"),
                "-A",
                "portal",
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(self.workdir / "beat-schedule"),
            ],
        )

    def start_replicator(self) -> None:
        """Pokes peers as changes commit and pulls when poked (regions/federation/replication)."""
        self._spawn("replicator", [str(BIN / "python"), "manage.py", "replicate"])

    def start(self) -> None:
        """Start every process of the region that is not running."""
        starters = {
            "replicator": self.start_replicator,  # first: a region that was down catches up
            "web": self.start_web,
            "worker": self.start_worker,
            "beat": self.start_beat,
        }
        for role, start in starters.items():
            process = self.processes.get(role)
            if process is None or process.poll() is not None:
                start()
        self.wait_healthy()

    def stop(self, *roles: str, sig: int = signal.SIGTERM) -> None:
        for role in roles or list(self.processes):
            with self.lock:
                process = self.processes.pop(role, None)
                if process is not None:
                    self.killed.discard(process.pid)
            if process is None or process.poll() is not None:
                continue
            os.killpg(process.pid, sig)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            web = self.processes.get("web")
            if web is not None and web.poll() is not None:
                raise RuntimeError(f"region {self.index} web exited:\n{self.log('web')}")
            try:
                with urllib.request.urlopen(f"{self.url}/health/", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"region {self.index} not healthy in {timeout}s:\n{self.log('web')}")

    def log(self, role: str) -> str:
        path = self.workdir / f"{role}.log"
        return path.read_text()[-4000:] if path.exists() else ""


class Cloud:
    """REGIONS regions on consecutive ports from BASE_PORT; region N gets region id N; ENV is
    added to the environment of every process of every region (the beat's sweep periods).

    With PROXIED, region i reaches region j's peer API through its own FaultProxy
    (`link(i, j)`), made here, before any region starts, since each process reads
    PORTAL_PEER_URLS once at start. Browsers and the join still use the public URLs.
    """

    def __init__(
        self,
        *,
        regions: int = 3,
        base_port: int = 8101,
        prefix: str = "regionportal_cloud",
        workdir: Path | None = None,
        admin_password: str | None = None,
        redis_base_db: int = 1,
        sweep_seconds: float = 5.0,
        redis_base: str = DEFAULT_REDIS,
        proxied: bool = False,
        env: dict[str, str] | None = None,
    ) -> None:
        self.workdir = workdir or BASE_DIR / "data" / "cloud"
        self.admin_password = admin_password or os.environ.get(
            "PORTAL_ADMIN_PASSWORD", "Region-Portal-2026"
        )
        self.regions = [
            RegionProcess(
                index=i,
                port=base_port + i - 1,
                database=f"{prefix}_{i}",
                redis_db=redis_base_db + i - 1,
                workdir=self.workdir / f"region{i}",
                admin_password=self.admin_password,
                sweep_seconds=sweep_seconds,
                redis_base=redis_base,
                extra_env=dict(env or {}),
            )
            for i in range(1, regions + 1)
        ]
        self.restarts: list[Restart] = []
        self.proxies: dict[tuple[int, int], FaultProxy] = {}
        self._supervising: threading.Event | None = None
        if proxied:
            self._start_proxies()

    # --- regions and the network between them ---------------------------------------------

    def region(self, index: int) -> RegionProcess:
        return self.regions[index - 1]

    def _start_proxies(self) -> None:
        """One proxy per ordered pair, on ports no region will bind."""
        region_ports = {r.port for r in self.regions}
        rejected: list[FaultProxy] = []
        try:
            for source in self.regions:
                for target in self.regions:
                    if source is target:
                        continue
                    proxy = FaultProxy(
                        "127.0.0.1", target.port, name=f"{source.index}->{target.index}"
                    )
                    while proxy.port in region_ports:
                        rejected.append(proxy)
                        proxy = FaultProxy(
                            "127.0.0.1", target.port, name=f"{source.index}->{target.index}"
                        )
                    self.proxies[(source.index, target.index)] = proxy
                    source.peer_urls[target.index] = proxy.url
        except BaseException:
            self._close_proxies()
            raise
        finally:
            for proxy in rejected:
                proxy.close()

    def _close_proxies(self) -> None:
        for proxy in self.proxies.values():
            proxy.close()

    def link(self, source: int, target: int) -> FaultProxy:
        """The proxy region SOURCE reaches region TARGET through: it carries SOURCE's
        requests to TARGET and their answers (not TARGET's requests to SOURCE)."""
        if not self.proxies:
            raise RuntimeError("this cloud was made without proxied=True")
        return self.proxies[(source, target)]

    def between(self, a: int, b: int) -> tuple[FaultProxy, FaultProxy]:
        """Both directions between A and B: (a -> b, b -> a)."""
        return self.link(a, b), self.link(b, a)

    def _links(self, a: int | None, b: int | None, one_way: bool = False) -> list[FaultProxy]:
        if a is None and b is None:
            if not self.proxies:
                raise RuntimeError("this cloud was made without proxied=True")
            return list(self.proxies.values())
        if a is None or b is None:
            raise ValueError("name both regions, or neither for every link")
        return [self.link(a, b)] if one_way else list(self.between(a, b))

    def cut(self, a: int, b: int, *, one_way: bool = False) -> None:
        """Partition A from B: connections reset, new ones refused (only A's calls to B
        with ONE_WAY)."""
        for proxy in self._links(a, b, one_way):
            proxy.cut()

    def blackhole(self, a: int, b: int, *, one_way: bool = False) -> None:
        """Calls between A and B hang until their timeouts (only A's calls with ONE_WAY)."""
        for proxy in self._links(a, b, one_way):
            proxy.blackhole()

    def heal(self, a: int | None = None, b: int | None = None) -> None:
        """End cuts and blackholes between A and B, or on every link; latency stays."""
        for proxy in self._links(a, b):
            proxy.heal()

    def latency(self, rtt_ms: float, a: int | None = None, b: int | None = None) -> None:
        """Make a round trip between A and B (every pair if not given) cost RTT_MS more."""
        for proxy in self._links(a, b):
            proxy.rtt(rtt_ms)

    # --- processes ------------------------------------------------------------------------

    @property
    def expected_restarts(self) -> list[Restart]:
        return [r for r in self.restarts if r.expected]

    @property
    def unexpected_restarts(self) -> list[Restart]:
        """Processes that died without anyone asking: a test under faults should fail."""
        return [r for r in self.restarts if not r.expected]

    @contextlib.contextmanager
    def tolerating(self, *roles: str, grace: float = 5.0) -> Iterator[None]:
        """Exits of ROLES in every region count as expected while a test causes a fault that
        may take them down (a Celery worker can exit when its broker restarts; production
        runs it under a supervisor for that), and for GRACE seconds after."""
        for region in self.regions:
            region.tolerated.update(roles)
        try:
            yield
            time.sleep(grace)
        finally:
            for region in self.regions:
                region.tolerated.difference_update(roles)

    def kill(
        self, index: int, role: str, sig: int = signal.SIGKILL, *, timeout: float = 60
    ) -> Restart:
        """Kill ROLE of region INDEX, wait until the supervisor has restarted it (and, for
        web, until it answers again) and return the restart."""
        if self._supervising is None or self._supervising.is_set():
            raise RuntimeError("kill() needs supervise(): nobody would restart the process")
        region = self.region(index)
        pid = region.kill(role, sig)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            restart = next((r for r in self.restarts if r.pid == pid), None)
            if restart is not None:
                if role == "web":
                    region.wait_healthy(timeout=max(1.0, deadline - time.monotonic()))
                return restart
            time.sleep(0.1)
        raise RuntimeError(f"region {index}: {role} was not restarted within {timeout}s")

    def create(self, *, fresh: bool = True) -> None:
        """Databases, migrations, static files; region 1 set up, the others joined through it."""
        subprocess.run(
            [str(BIN / "python"), "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=BASE_DIR,
            env=self.regions[0].env,
            check=True,
        )
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            for region in self.regions:
                region.workdir.mkdir(parents=True, exist_ok=True)
                if fresh:
                    conn.execute(f'DROP DATABASE IF EXISTS "{region.database}" WITH (FORCE)')
                exists = conn.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", [region.database]
                ).fetchone()
                if not exists:
                    conn.execute(f'CREATE DATABASE "{region.database}"')
        self._flush_redis()
        first = self.regions[0]
        for region in self.regions:
            region.manage("migrate", "--noinput", "-v0")
        first.manage(
            "setup_region",
            "--id",
            "1",
            "--name",
            first.name,
            "--endpoint",
            first.url,
            "--admin-username",
            "admin",
            "--admin-password-env",
            "CLOUD_ADMIN_PASSWORD",
        )
        first.start()
        for region in self.regions[1:]:
            token = first.manage("join_token").strip()
            region.manage(
                "join_region",
                "--peer",
                first.url,
                "--token-env",
                "CLOUD_JOIN_TOKEN",
                "--name",
                region.name,
                "--endpoint",
                region.url,
                extra_env={"CLOUD_JOIN_TOKEN": token},
            )
            region.start()

    def seed(self) -> None:
        """Each region's simulated datacenter (tools/datacenters.py), deployed through
        manage.py deploy_datacenter, then its capacity computed and published."""
        for index, region in enumerate(self.regions, start=1):
            description = region.workdir / "datacenter.json"
            description.write_text(json.dumps(datacenter(index, region.name)))
            print(f"  seeding {region.name} ...", flush=True)
            region.manage("deploy_datacenter", str(description))
            region.manage("capacity_check")

    def _flush_redis(self) -> None:
        import redis

        for region in self.regions:
            redis.Redis.from_url(f"{region.redis_base}/{region.redis_db}").flushdb()

    def supervise(self, interval: float = 1.0) -> None:
        """Keep every started process running until stop(), in a background thread; every
        restart is appended to `restarts`."""
        stopping = self._supervising = threading.Event()

        def loop() -> None:
            while not stopping.wait(interval):
                for region in self.regions:
                    for restart in region.revive():
                        self.restarts.append(restart)
                        how = "killed on purpose" if restart.expected else "exited unexpectedly"
                        print(
                            f"[localcloud] region {region.index}: {restart.role} {how} "
                            f"(exit {restart.returncode}); restarted",
                            flush=True,
                        )

        threading.Thread(target=loop, name="localcloud-supervisor", daemon=True).start()

    def stop(self) -> None:
        if self._supervising is not None:
            self._supervising.set()
        for region in self.regions:
            region.stop()
        self._close_proxies()

    def drop(self) -> None:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            for region in self.regions:
                conn.execute(f'DROP DATABASE IF EXISTS "{region.database}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--regions", type=int, default=3)
    parser.add_argument("--base-port", type=int, default=8101)
    parser.add_argument(
        "--keep", action="store_true", help="Reuse the databases of a previous run."
    )
    parser.add_argument(
        "--no-seed",
        action="store_true",
        help="Leave the regions without zones (else: simulated datacenters, tools/datacenters.py).",
    )
    parser.add_argument(
        "--rtt",
        type=float,
        default=None,
        metavar="MS",
        help="Route peer traffic through fault proxies adding MS milliseconds per round trip.",
    )
    args = parser.parse_args()
    cloud = Cloud(regions=args.regions, base_port=args.base_port, proxied=args.rtt is not None)
    if args.rtt is not None:
        cloud.latency(args.rtt)
    print(f"Starting {args.regions} regions (logs in {cloud.workdir}) ...", flush=True)
    try:
        if args.keep and all(r.workdir.exists() for r in cloud.regions):
            for region in cloud.regions:
                region.start()
        else:
            cloud.create(fresh=True)
            if not args.no_seed:
                cloud.seed()
        cloud.supervise()
        for region in cloud.regions:
            print(f"  {region.name}: {region.url}/  (admin / $PORTAL_ADMIN_PASSWORD)", flush=True)
        print("Press Ctrl-C to stop every process.", flush=True)
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    except KeyboardInterrupt:
        pass
    finally:
        print("Stopping ...", flush=True)
        cloud.stop()


if __name__ == "__main__":
    main()
