"""Two writes racing on PostgreSQL's row locks, in threads of their own: the first held open in
its transaction while the second runs, so a test sees whether the second waits for it and how
it ends once the first commits."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs on it)"
)


def while_held(first: Callable[[], Any], second: Callable[[], Any]) -> tuple[bool, Any]:
    """Run FIRST in a transaction kept open while SECOND runs, then commit it: whether SECOND
    was still waiting half a second on, and what it returned (or the ValidationError it
    raised). FIRST must not fail."""
    held, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []
    outcome: list[Any] = []

    def holding() -> None:
        try:
            with transaction.atomic():
                first()
                held.set()
                release.wait(10)
        except BaseException as error:
            errors.append(error)
            held.set()
        finally:
            connections.close_all()

    def running() -> None:
        try:
            outcome.append(second())
        except ValidationError as error:
            outcome.append(error)
        finally:
            connections.close_all()

    holder = threading.Thread(target=holding)
    holder.start()
    assert held.wait(10)
    runner = threading.Thread(target=running)
    runner.start()
    runner.join(0.5)
    waited = runner.is_alive()
    release.set()
    holder.join(10)
    runner.join(10)
    assert not errors, errors
    [result] = outcome
    return waited, result
