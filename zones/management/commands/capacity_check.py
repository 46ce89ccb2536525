"""manage.py capacity_check: recompute every zone's capacity now, raise or resolve the
threshold alerts and publish the region's sums (what the periodic job does once per
capacity.check.period)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from zones.services.capacity import capacities_refresh


class Command(BaseCommand):
    help = "Recompute every zone's capacity now and publish this region's sums."

    def handle(self, *args: Any, **options: Any) -> None:
        zones = capacities_refresh()
        self.stdout.write(self.style.SUCCESS(f"Capacity of {zones} zone(s) recomputed."))
