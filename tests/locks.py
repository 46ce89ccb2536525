"""Two writes at once on PostgreSQL, in threads: proof that the second waits for the first's
row locks and then answers clearly (each thread closes its database connections)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import connections, transaction


def first_holds_second_waits(first: Callable[[], object], second: Callable[[], object]) -> object:
    """FIRST runs in a transaction kept open until SECOND, started meanwhile in another
    thread, has waited half a second for FIRST's row locks; then both finish. What SECOND
    did: its result or its ValidationError."""
    held, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def hold() -> None:
        try:
            with transaction.atomic():
                first()
                held.set()
                release.wait(10)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    outcome: list[object] = []

    def wait() -> None:
        try:
            outcome.append(second())
        except ValidationError as error:
            outcome.append(error)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    assert held.wait(10)
    waiter = threading.Thread(target=wait)
    waiter.start()
    waiter.join(0.5)
    assert waiter.is_alive(), "the second write must wait for the first one's lock"
    release.set()
    holder.join(10)
    waiter.join(10)
    assert not errors
    [result] = outcome
    return result
