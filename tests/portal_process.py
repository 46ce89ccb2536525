"""A real region portal in its own process, for browser and integration tests.

It runs what `make run` runs (migrate, collectstatic, gunicorn) against a fresh database in
a temporary folder, on a free loopback port, and stops when the test is done.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PortalProcess:
    def __init__(
        self,
        workdir: Path,
        *,
        port: int | None = None,
        extra_env: dict[str, str] | None = None,
        workers: int = 2,
    ):
        self.port = port or free_port()
        self.workers = workers  # gunicorn's
        self.url = f"http://127.0.0.1:{self.port}"
        self.workdir = workdir
        self.log_path = workdir / "portal.log"
        self.env = {
            **{
                k: v
                for k, v in os.environ.items()
                if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
            },
            "SECRET_KEY": secrets.token_urlsafe(40),
            "PORTAL_DATA_DIR": str(workdir / "data"),
            "STATIC_ROOT": str(workdir / "static"),
            "PORTAL_PUBLIC_URL": self.url,
            "PORTAL_COOKIE_PREFIX": f"region{self.port}",
            "DEBUG": "0",
            **(extra_env or {}),
        }
        self.process: subprocess.Popen | None = None

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(VENV_BIN / "python"), "manage.py", *args],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )

    def start(self, timeout: float = 30.0) -> PortalProcess:
        self.manage("migrate", "--noinput", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")
        log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "portal.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--access-logfile",
                "-",
                "--access-logformat",
                '%(h)s "%(r)s" %(s)s %(b)s pid=%(p)s',  # which worker answered
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"portal exited early:\n{self.log_path.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/health/", timeout=1) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"portal did not answer within {timeout}s:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
