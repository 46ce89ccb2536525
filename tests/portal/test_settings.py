"""portal.settings read in a fresh process, as `manage.py` reads them."""

from __future__ import annotations

import hashlib
import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def manage(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """`manage.py ARGS` with the production settings, PORTAL_DATA_DIR=DATA_DIR and no
    SECRET_KEY in the environment (unless ENV gives one)."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if name not in ("SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE", "DATABASE_URL")
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={
            **inherited,
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "PORTAL_DATA_DIR": str(data_dir),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def key_file(data_dir: Path) -> str:
    """A key file written as the Makefile writes it (`print(...) > file`: a newline after)."""
    key = secrets.token_urlsafe(50)
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "secret_key").write_text(key + "\n")
    return key


def last_line(result: subprocess.CompletedProcess) -> str:
    """What `shell -c` printed last (the shell first lists what it imported)."""
    return result.stdout.strip().splitlines()[-1]


def test_manage_py_uses_the_key_make_run_made_when_secret_key_is_unset(tmp_path):
    key = key_file(tmp_path)

    result = manage(tmp_path, "check")

    assert result.returncode == 0, result.stderr
    assert key not in result.stdout + result.stderr


def test_the_key_read_from_the_file_is_the_one_make_run_passes(tmp_path):
    """make run passes `$(cat file)`: the trailing newline is not part of the key, so API
    secrets encrypted by the server (keyed on SECRET_KEY) stay readable from manage.py."""
    key = key_file(tmp_path)
    digest = "import hashlib; print(hashlib.sha256(settings.SECRET_KEY.encode()).hexdigest())"

    result = manage(tmp_path, "shell", "-c", f"from django.conf import settings; {digest}")

    assert result.returncode == 0, result.stderr
    assert last_line(result) == hashlib.sha256(key.encode()).hexdigest()


def test_the_environment_wins_over_the_file(tmp_path):
    key_file(tmp_path)
    code = "from django.conf import settings; print(settings.SECRET_KEY == 'from-the-env')"

    result = manage(tmp_path, "shell", "-c", code, SECRET_KEY="from-the-env")

    assert last_line(result) == "True", result.stderr


def test_without_a_key_or_a_key_file_manage_py_refuses_to_start(tmp_path):
    result = manage(tmp_path, "check")

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert str(tmp_path / "secret_key") in result.stderr
