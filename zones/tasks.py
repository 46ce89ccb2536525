"""zones' Celery tasks (found by the worker's autodiscovery): the hosts' pings."""

from __future__ import annotations

from celery import shared_task

from zones.services import hosts_ping_sweep


@shared_task
def hosts_ping() -> int:
    """Beat, every few seconds (HOST_PING_SWEEP_SECONDS): ping the hosts that are due, each
    by its zone's ping.interval; the number pinged."""
    return hosts_ping_sweep()
