"""Pings: a host that answers is Up; one that misses a ping is in Alert, and Down once it has
not answered for longer than ping.interval times ping.timeout (its zone's settings); it is Up
again as soon as it answers. The simulator's fault control (configureSimulator) makes a
simulated host stop answering; time is given to the services, never slept through."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from portal.models import ChangeAction, ObjectChange
from regions.configuration.services import setting_update
from tests import factories
from tests.db_state import refused
from zones import services
from zones.models import Alert, AlertType, Cluster, Host, HostState, SimulatorHost
from zones.tasks import hosts_ping


def later(host: Host, seconds: float):
    """SECONDS after HOST last answered."""
    return Host.objects.get(pk=host.pk).last_pinged + timedelta(seconds=seconds)


def state(host: Host) -> str:
    return Host.objects.get(pk=host.pk).state


def silence(host: Host, answering: bool = False) -> None:
    services.simulator_configure(host=host, answering=answering, by=None)


def test_up_alert_down_and_up_again(host):
    answered = Host.objects.get(pk=host.pk).last_pinged
    assert services.host_ping(host=host, now=later(host, 60)) == HostState.UP
    assert Host.objects.get(pk=host.pk).last_pinged == answered + timedelta(seconds=60)

    silence(host)
    seen = later(host, 0)
    # the defaults: ping.interval 60 s, ping.timeout 2.5: Down after 150 s without an answer
    assert services.host_ping(host=host, now=seen + timedelta(seconds=60)) == HostState.ALERT
    assert services.host_ping(host=host, now=seen + timedelta(seconds=150)) == HostState.ALERT
    assert services.host_ping(host=host, now=seen + timedelta(seconds=151)) == HostState.DOWN
    assert services.host_ping(host=host, now=seen + timedelta(seconds=600)) == HostState.DOWN
    assert Host.objects.get(pk=host.pk).last_pinged == seen  # it never answered

    silence(host, answering=True)
    assert services.host_ping(host=host, now=seen + timedelta(seconds=660)) == HostState.UP
    assert state(host) == HostState.UP


def test_only_state_changes_are_logged_pings_are_not(host, caplog):
    caplog.set_level("INFO", logger="zones.services.hosts")
    services.host_ping(host=host, now=later(host, 60))  # Up, and Up again: nothing to log
    silence(host)
    services.host_ping(host=host, now=later(host, 60))
    assert "host sim-h0" in caplog.text and "Up -> Alert" in caplog.text
    changes = ObjectChange.objects.filter(object_id=str(host.pk)).order_by("time")
    assert [c.action for c in changes] == [ChangeAction.CREATE, ChangeAction.UPDATE]
    assert changes.last().data["state"] == "Alert"


def test_the_zones_own_interval_and_timeout_count(host):
    zone = host.cluster.pod.zone
    setting_update(name="ping.interval", value="10", zone=zone, by=None)
    setting_update(name="ping.timeout", value="3", zone=zone, by=None)
    silence(host)
    assert services.host_ping(host=host, now=later(host, 30)) == HostState.ALERT
    assert services.host_ping(host=host, now=later(host, 31)) == HostState.DOWN


def test_a_host_in_maintenance_is_still_pinged(host):
    services.host_maintenance_prepare(host=host, by=None)
    silence(host)
    assert services.host_ping(host=host, now=later(host, 1000)) == HostState.DOWN
    assert Host.objects.get(pk=host.pk).resource_state == "Maintenance"


def test_a_host_deleted_while_pinged_is_left_alone(host):
    stale = Host.objects.get(pk=host.pk)
    services.host_delete(host=host, forced=True, by=None)
    assert services.host_ping(host=stale) is None


def test_host_state_set_is_the_one_place_and_says_whether_it_changed(host):
    assert services.host_state_set(host=host, state="Up", reason="test") is False
    assert services.host_state_set(host=host, state="Disconnected", reason="test") is True
    assert state(host) == "Disconnected"
    refused(services.host_state_set, "state", host=host, state="Sleeping", reason="test")


# --- the sweep: which hosts are due, and the beat task ------------------------------------


def test_the_sweep_pings_the_hosts_due_by_their_zones_interval(host):
    other_zone = factories.cluster(hypervisor="Simulator")
    slow = factories.host(cluster=other_zone)
    setting_update(name="ping.interval", value="300", zone=other_zone.pod.zone, by=None)
    start = max(Host.objects.values_list("last_ping_attempt", flat=True))
    assert services.hosts_ping_sweep(now=start) == 0  # both just discovered
    assert services.hosts_ping_sweep(now=start + timedelta(seconds=60)) == 1  # host, not slow
    assert services.hosts_ping_sweep(now=start + timedelta(seconds=90)) == 0
    assert services.hosts_ping_sweep(now=start + timedelta(seconds=300)) == 2
    assert Host.objects.get(pk=slow.pk).last_ping_attempt == start + timedelta(seconds=300)


def test_hosts_of_other_regions_zones_are_not_pinged(region):
    far = Cluster.objects.create(
        pod=factories.remote_pod(), name="far-cluster", hypervisor="Simulator"
    )
    Host.objects.create(
        cluster=far,
        name="far-host",
        url="http://sim/far",
        hypervisor="Simulator",
        cpu_sockets=1,
        cpu_number=1,
        cpu_speed=1,
        memory=1,
    )
    assert services.hosts_ping_sweep() == 0


def test_the_beat_task_takes_a_silenced_host_down_and_back_up(host, settings):
    """End to end through Celery (eager here, as without a broker): the scheduled task."""
    assert settings.CELERY_BEAT_SCHEDULE["hosts-ping"]["task"] == "zones.tasks.hosts_ping"
    silence(host)
    Host.objects.filter(pk=host.pk).update(
        last_pinged=timezone.now() - timedelta(seconds=200),
        last_ping_attempt=timezone.now() - timedelta(seconds=60),
    )
    assert hosts_ping.delay().get() == 1
    assert state(host) == HostState.DOWN
    silence(host, answering=True)
    Host.objects.filter(pk=host.pk).update(last_ping_attempt=None)
    assert hosts_ping.delay().get() == 1
    assert state(host) == HostState.UP


def test_the_fault_control_is_for_simulated_hosts_only(cluster):
    kvm = factories.host(cluster=cluster, url="test:///default")
    error = refused(services.simulator_configure, "host", host=kvm, answering=False, by=None)
    assert error.messages == ["Host vm is not simulated: it takes no faults."]


def test_a_silenced_host_cannot_be_discovered_again(host):
    silence(host)
    url = host.url
    services.host_delete(host=host, forced=True, by=None)
    assert SimulatorHost.objects.get(url=url).answering is False  # the machine's own state
    error = refused(services.host_add, "url", cluster=host.cluster, url=url, by=None)
    assert "does not answer" in error.messages[0]


def test_a_host_that_stops_answering_raises_one_alert_resolved_when_it_answers(host):
    silence(host)
    seen = later(host, 0)
    services.host_ping(host=host, now=seen + timedelta(seconds=60))  # Alert
    services.host_ping(host=host, now=seen + timedelta(seconds=151))  # Down: the same alert
    (alert,) = Alert.objects.filter(key=f"host:{host.pk}")
    assert alert.alert_type == AlertType.HOST and alert.resolved is None
    assert alert.count == 2 and alert.subject.startswith("Host sim-h0 of cluster")
    assert "is Down" in alert.subject
    assert (alert.zone, alert.cluster) == (host.cluster.pod.zone, host.cluster)

    silence(host, answering=True)
    services.host_ping(host=host, now=seen + timedelta(seconds=200))
    alert.refresh_from_db()
    assert alert.resolved is not None
    silence(host)
    services.host_ping(host=host, now=seen + timedelta(seconds=300))
    assert Alert.objects.filter(key=f"host:{host.pk}", resolved__isnull=True).count() == 1
    assert Alert.objects.filter(key=f"host:{host.pk}").count() == 2
