"""Run this region's replicator (regions/federation/replication/replicator.py) until SIGTERM
or SIGINT."""

from __future__ import annotations

import logging
import signal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from regions.federation.replication.replicator import Replicator, clear_stale_pull_locks

log = logging.getLogger("regions.federation.replication.replicator")


class Command(BaseCommand):
    help = (
        "Run the replicator: pokes every peer as soon as changes commit here, and pulls from "
        "a peer as soon as it pokes. Run one per region, under a supervisor, next to the "
        "Celery worker and beat (which stay the fallback and the periodic sweep)."
    )
    # A region that was down catches up from the moment this starts: it does not re-run
    # the system checks (URLs, templates, models), which its web process runs at start and
    # `manage.py check` runs in CI; they cost it a fifth of a second, more while the
    # region's other processes start on the same cores.
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.REDIS_URL:
            raise CommandError("The replicator needs REDIS_URL (its wake-ups come through Redis).")
        # A thread per peer and job: each would keep a database connection of its own
        # (CONN_MAX_AGE). Let every job close its own; a stream keeps one while it is open.
        connections.settings[DEFAULT_DB_ALIAS]["CONN_MAX_AGE"] = 0
        connections.close_all()
        replicator = Replicator(streams=True)

        def stop(signum: int, frame: Any) -> None:
            log.info("stopping (signal %s)", signum)
            replicator.stop()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        clear_stale_pull_locks()
        replicator.run()
