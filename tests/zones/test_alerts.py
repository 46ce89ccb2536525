"""Alerts: one open alert per subject (raised again, it is counted), resolved when what it
names recovers; the Alerts page, its archive and delete; the REST API (read, archive,
delete, never create). Who may see them (root admins only) is tested for every model by
tests/portal/test_model_contracts.py."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection, connections

from regions.configuration.services import setting_update
from tests import factories
from zones.models import Alert, AlertType
from zones.services import alert_raise, alert_resolve, alerts_resolve_except
from zones.services.alerts import alert_mail


def test_an_alert_raised_again_while_open_is_counted_not_repeated(region):
    first, new = alert_raise(alert_type=AlertType.HOST, key="host:1", subject="h1 is down")
    assert new
    again, new = alert_raise(alert_type=AlertType.HOST, key="host:1", subject="h1 still down")
    assert not new
    assert again.pk == first.pk
    assert (again.count, again.subject) == (2, "h1 still down")
    assert again.last_sent >= first.last_sent
    assert Alert.objects.count() == 1


def test_a_resolved_alert_is_closed_and_a_new_one_opens_when_it_happens_again(region):
    first, _ = alert_raise(alert_type=AlertType.HOST, key="host:1", subject="h1 is down")
    assert alert_resolve(key="host:1") == 1
    assert alert_resolve(key="host:1") == 0  # nothing open any more
    first.refresh_from_db()
    assert first.resolved is not None and first.state == "Resolved"
    second, new = alert_raise(alert_type=AlertType.HOST, key="host:1", subject="h1 is down")
    assert new and second.pk != first.pk
    assert Alert.objects.filter(resolved__isnull=True).count() == 1


def test_a_periodic_check_closes_what_it_no_longer_finds(region):
    for key in ("capacity:1:cluster:a", "capacity:1:cluster:b", "host:x"):
        alert_raise(alert_type=AlertType.CPU, key=key, subject=key)
    assert alerts_resolve_except(prefix="capacity:", keep={"capacity:1:cluster:b"}) == 1
    open_keys = set(Alert.objects.filter(resolved__isnull=True).values_list("key", flat=True))
    assert open_keys == {"capacity:1:cluster:b", "host:x"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency needs PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_raisers_leave_one_open_alert_counting_them_all():
    factories.local_region()
    key = f"host:{uuid.uuid4()}"
    start = threading.Barrier(6)
    failures: list[BaseException] = []

    def raise_it() -> None:
        try:
            start.wait(5)
            for _ in range(5):
                alert_raise(alert_type=AlertType.HOST, key=key, subject="down")
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=raise_it) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not failures
    (alert,) = Alert.objects.filter(key=key)
    assert alert.count == 30


def test_the_alerts_page_lists_open_alerts_and_archives_on_request(root_client, region):
    kept = factories.alert(subject="Host h1 is not answering")
    gone = factories.alert(subject="Host h2 is not answering")
    page = root_client.get("/zones/alerts/")
    assert page.status_code == 200
    assert b"Host h1 is not answering" in page.content
    detail = root_client.get(f"/zones/alerts/{gone.pk}/")
    assert b"Archive" in detail.content and b"/edit/" not in detail.content
    done = root_client.post(f"/zones/alerts/{gone.pk}/archive/", follow=True)
    assert done.redirect_chain == [(f"/zones/alerts/{gone.pk}/", 302)]  # the message shown
    gone.refresh_from_db()
    assert gone.archived and gone.state == "Archived"
    page = root_client.get("/zones/alerts/")
    assert b"Host h2" not in page.content and b"Host h1" in page.content
    archived = root_client.get("/zones/alerts/?archived=true")
    assert b"Host h2" in archived.content and b"Host h1" not in archived.content
    assert not Alert.objects.get(pk=kept.pk).archived


def test_alert_pages_offer_no_add_or_edit(root_client, region):
    alert = factories.alert()
    assert root_client.get("/zones/alerts/add/").status_code == 404
    # "edit" is no action of an alert's: only the archive button posts there
    assert root_client.get(f"/zones/alerts/{alert.pk}/edit/").status_code == 405
    assert root_client.post(f"/zones/alerts/{alert.pk}/edit/").status_code == 404
    deleted = root_client.post(f"/zones/alerts/{alert.pk}/delete/")
    assert deleted.status_code == 302
    assert not Alert.objects.filter(pk=alert.pk).exists()


def test_rest_reads_archives_and_deletes_alerts_but_never_creates_them(root_api, region):
    alert = factories.alert(subject="Host h1 is not answering")
    listed = root_api.get("/api/alerts/")
    assert listed.status_code == 200
    (row,) = listed.json()["results"]
    assert (row["id"], row["name"], row["state"]) == (
        str(alert.pk),
        "ALERT.COMPUTE.HOST",
        "Open",
    )
    assert root_api.get("/api/alerts/?resolved=true").json()["results"] == []
    archived = root_api.post(f"/api/alerts/{alert.pk}/archive/")
    assert archived.status_code == 200 and archived.json()["archived"] is True
    made = root_api.post("/api/alerts/", {"subject": "made up"}, format="json")
    assert made.status_code == 405
    changed = root_api.patch(f"/api/alerts/{alert.pk}/", {"subject": "x"}, format="json")
    assert changed.status_code == 405
    assert Alert.objects.get(pk=alert.pk).subject == "Host h1 is not answering"
    assert root_api.delete(f"/api/alerts/{alert.pk}/").status_code == 204
    assert not Alert.objects.exists()


def test_a_new_alert_is_mailed_to_the_regions_addresses(
    region, mailoutbox, django_capture_on_commit_callbacks
):
    setting_update(name="alert.email.addresses", value="ops@example.com, noc@example.com", by=None)
    with django_capture_on_commit_callbacks(execute=True):
        alert_raise(alert_type=AlertType.HOST, key="host:m", subject="Host m is Down: no answer")
        alert_raise(alert_type=AlertType.HOST, key="host:m", subject="Host m is Down: no answer")
    (mail,) = mailoutbox  # raised again while open: counted, not mailed again
    assert mail.to == ["ops@example.com", "noc@example.com"]
    assert mail.subject == "[ALERT.COMPUTE.HOST] Host m is Down: no answer"


def test_no_addresses_no_mail_and_a_failing_server_is_only_logged(
    region, mailoutbox, settings, caplog
):
    alert, _ = alert_raise(alert_type=AlertType.CPU, key="capacity:x", subject="CPU at 90%")
    assert alert_mail(alert) == 0 and mailoutbox == []
    setting_update(name="alert.email.addresses", value="ops@example.com", by=None)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_PORT = 1  # nothing listens there
    assert alert_mail(alert) == 0
    assert "alert mail to ops@example.com failed" in caplog.text
