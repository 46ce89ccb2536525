"""The one write to the change log besides recording: purging what has aged out."""

from __future__ import annotations

import datetime

from django.utils import timezone

from portal.models import ObjectChange
from regions.configuration.selectors import setting_value


def change_log_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete this region's changes older than `event.purge.delay` days (0 keeps them all);
    the number deleted."""
    days = int(setting_value("event.purge.delay"))
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    return ObjectChange.objects.filter(time__lt=cutoff).delete()[0]
