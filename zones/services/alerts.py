"""Alert writes: the system raises and resolves alerts (a host that stops answering, a
capacity past its threshold); root admins archive and delete them, as CloudStack's
archiveAlerts and deleteAlerts do.

One alert is open per subject (its `key`): raising it again while it is open counts it and
moves its `last_sent`, so a host down for a day is one alert, not one per ping. A partial
unique index keeps it one under concurrent raisers.
"""

from __future__ import annotations

import datetime
import functools
import logging
from smtplib import SMTPException
from typing import TYPE_CHECKING

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from portal.permissions import Action, require
from regions.configuration.selectors import setting_value
from zones.models import Alert, AlertType, Cluster, Pod, Zone

if TYPE_CHECKING:
    from identity.models import User

log = logging.getLogger(__name__)


def alert_raise(
    *,
    alert_type: AlertType,
    key: str,
    subject: str,
    zone: Zone | None = None,
    pod: Pod | None = None,
    cluster: Cluster | None = None,
) -> tuple[Alert, bool]:
    """The open alert of KEY, raised now; and whether it is new (else counted again)."""
    now = timezone.now()
    for _ in range(3):
        with transaction.atomic():
            if Alert.objects.filter(key=key, resolved__isnull=True).update(
                last_sent=now, count=F("count") + 1, subject=subject
            ):
                return Alert.objects.get(key=key, resolved__isnull=True), False
            try:
                with transaction.atomic():
                    alert = Alert.objects.create(
                        alert_type=alert_type,
                        key=key,
                        subject=subject,
                        zone=zone,
                        pod=pod,
                        cluster=cluster,
                        last_sent=now,
                    )
            except IntegrityError:
                continue  # raised meanwhile by another process: count it instead
        log.warning("alert %s: %s", AlertType(alert_type).label, subject)
        transaction.on_commit(functools.partial(alert_mail, alert))
        return alert, True
    raise RuntimeError(f"alert {key} could not be raised")


def alert_mail(alert: Alert) -> int:
    """Mail a new ALERT to the region's `alert.email.addresses` (none set: nobody), as
    CloudStack's alert manager does; a mail server that fails is logged, never raised (the
    alert stays on the Alerts page). Returns how many were sent."""
    addresses = [a.strip() for a in setting_value("alert.email.addresses").split(",") if a.strip()]
    if not addresses:
        return 0
    try:
        return send_mail(
            subject=f"[{AlertType(alert.alert_type).label}] {alert.subject}"[:200],
            message=f"{alert.subject}\n\nRaised {alert.last_sent:%Y-%m-%d %H:%M:%S} UTC.",
            from_email=None,
            recipient_list=addresses,
        )
    except (OSError, SMTPException) as error:
        log.warning("alert mail to %s failed: %s", ", ".join(addresses), error)
        return 0


def alert_resolve(*, key: str) -> int:
    """Close the open alert of KEY (what it is about recovered); returns how many closed."""
    return Alert.objects.filter(key=key, resolved__isnull=True).update(resolved=timezone.now())


def alerts_resolve_except(*, prefix: str, keep: set[str], zone: Zone | None = None) -> int:
    """Close the open alerts (of ZONE, if given) whose key starts with PREFIX but is not in
    KEEP (a periodic check closes what it no longer finds)."""
    stale = Alert.objects.filter(key__startswith=prefix, resolved__isnull=True).exclude(
        key__in=keep
    )
    if zone is not None:
        stale = stale.filter(zone=zone)
    return stale.update(resolved=timezone.now())


def _chosen(
    alerts: QuerySet[Alert],
    *,
    alert_type: int | None,
    start: datetime.datetime | None,
    end: datetime.datetime | None,
) -> QuerySet[Alert]:
    if alert_type is not None:
        alerts = alerts.filter(alert_type=alert_type)
    if start is not None:
        alerts = alerts.filter(last_sent__gte=start)
    if end is not None:
        alerts = alerts.filter(last_sent__lte=end)
    return alerts


def alerts_archive(
    *,
    alerts: QuerySet[Alert],
    by: User | None,
    alert_type: int | None = None,
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
) -> int:
    """Archive ALERTS (those of ALERT_TYPE, last sent between START and END, if given):
    they leave the lists; returns how many."""
    require(by, Action.CHANGE, Alert)
    chosen = _chosen(alerts, alert_type=alert_type, start=start, end=end)
    return chosen.filter(archived=False).update(archived=True)


def alerts_delete(
    *,
    alerts: QuerySet[Alert],
    by: User | None,
    alert_type: int | None = None,
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
) -> int:
    """Delete ALERTS (narrowed as alerts_archive narrows); returns how many."""
    require(by, Action.DELETE, Alert)
    deleted, _ = _chosen(alerts, alert_type=alert_type, start=start, end=end).delete()
    return deleted


def alert_archive(*, alert: Alert, by: User | None) -> Alert:
    """Archive one alert (its page's button)."""
    require(by, Action.CHANGE, alert)
    Alert.objects.filter(pk=alert.pk).update(archived=True)
    alert.archived = True
    return alert


def alert_delete(*, alert: Alert, by: User | None) -> None:
    require(by, Action.DELETE, alert)
    alert.delete()
