"""Database connections of the replication's long-lived threads (replicator workers, feed
streams), which Django's request cycle never cleans up."""

from __future__ import annotations

from django.db import close_old_connections, connection


def fresh_connections() -> None:
    """Between jobs: drop this thread's database connection if it broke or aged out
    (CONN_MAX_AGE). Never inside a transaction (a test's)."""
    if not connection.in_atomic_block:
        close_old_connections()
