"""zones' Celery tasks (found by the worker's autodiscovery): the hosts' pings and the
capacity check."""

from __future__ import annotations

from celery import shared_task
from django.core.cache import cache

from regions.configuration.selectors import setting_value
from zones.services import hosts_ping_sweep
from zones.services.capacity import capacities_refresh

#: the cache key that keeps the capacity check to once per capacity.check.period (the
#: period's milliseconds are appended: a changed period starts its own count at once, instead
#: of waiting out the key the old period set)
CAPACITY_CHECKED = "zones:capacity-checked"


@shared_task
def hosts_ping() -> int:
    """Beat, every few seconds (HOST_PING_SWEEP_SECONDS): ping the hosts that are due, each
    by its zone's ping.interval; the number pinged."""
    return hosts_ping_sweep()


@shared_task
def capacity_check(*, force: bool = False) -> int:
    """Beat, every few seconds (CAPACITY_SWEEP_SECONDS): once per capacity.check.period
    (milliseconds, as CloudStack's), recompute every zone's capacity, raise or resolve the
    threshold alerts and publish the region's sums; the number of zones (0: not due)."""
    period = setting_value("capacity.check.period")
    due = cache.add(f"{CAPACITY_CHECKED}:{period}", True, timeout=period / 1000)
    if not due and not force:
        return 0  # checked less than a period ago, here or by another worker
    return capacities_refresh()
