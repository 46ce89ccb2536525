"""The hypervisor drivers behind one interface: the libvirt driver against libvirt's built-in
test driver (test:///default, a real libvirt API, no mock), its URL rules and its timeout;
the simulator's URLs, in the query or in the path as CloudStack's simulator reads them."""

from __future__ import annotations

import socket
import threading
import time

import libvirt
import pytest

from zones.drivers import DriverError, HostFacts, driver_for, libvirt_driver
from zones.drivers.libvirt_driver import LibvirtDriver, libvirt_uri_check
from zones.drivers.simulator import SimulatorDriver, simulator_url_check
from zones.models import Host

MIB = 1024 * 1024


def test_drivers_are_chosen_by_hypervisor():
    assert isinstance(driver_for("KVM"), LibvirtDriver)
    assert isinstance(driver_for("Simulator"), SimulatorDriver)


def test_libvirt_discovers_the_test_drivers_real_facts():
    conn = libvirt.open("test:///default")
    try:
        _model, memory_mib, cpus, mhz, nodes, sockets, _cores, _threads = conn.getInfo()
        hostname = conn.getHostname()
    finally:
        conn.close()
    facts = LibvirtDriver().discover("test:///default", "", "")
    assert facts == HostFacts(
        hostname=hostname,
        cpu_sockets=nodes * sockets,
        cpu_number=cpus,
        cpu_speed=mhz,
        memory=memory_mib * MIB,
        local_storage=0,
    )
    # as libvirt's test driver describes its machine
    assert (facts.hostname, facts.cpu_sockets, facts.cpu_number, facts.cpu_speed) == (
        "vm",
        4,
        16,
        1400,
    )


def test_libvirt_pings():
    driver = LibvirtDriver()
    assert driver.ping(Host(url="test:///default")) is True
    assert driver.ping(Host(url="qemu:///system")) is False  # no libvirtd here
    assert driver.ping(Host(url="xen:///system")) is False  # never raises


@pytest.mark.parametrize(
    ("url", "uri"),
    [
        ("test:///default", "test:///default"),
        ("qemu:///system", "qemu:///system"),
        ("qemu+tls://kvm1.example/system", "qemu+tls://kvm1.example/system"),
        ("qemu+ssh://root@kvm1:2222/system", "qemu+ssh://root@kvm1:2222/system?no_tty=1"),
        (
            "qemu+ssh://kvm1/system?keyfile=/etc/portal/id_ed25519",
            "qemu+ssh://kvm1/system?keyfile=%2Fetc%2Fportal%2Fid_ed25519&no_tty=1",
        ),
    ],
)
def test_the_urls_libvirt_is_opened_with(url, uri):
    assert libvirt_uri_check(url) == uri


@pytest.mark.parametrize(
    "url",
    [
        "qemu+tcp://kvm1/system",
        "qemu+libssh2://kvm1/system",
        "lxc:///system",
        "qemu://kvm1/system",
        "qemu+tls://kvm1/session",
        "qemu+ssh://kvm1/system?socket=/tmp/x",
        "qemu+ssh://kvm1/system?netcat=/bin/sh",
        "test:///tmp/host.xml",
        "test:///default?x=1",
    ],
)
def test_urls_libvirt_refuses(url):
    with pytest.raises(DriverError):
        libvirt_uri_check(url)


@pytest.fixture
def silent_port():
    """A TCP port that accepts connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for each in [*held, server]:
        each.close()


def test_a_host_that_never_answers_is_given_up_after_the_timeout(silent_port, monkeypatch):
    monkeypatch.setattr(libvirt_driver, "TIMEOUT", 0.5)
    url = f"qemu+ssh://nobody@127.0.0.1:{silent_port}/system"
    start = time.monotonic()
    with pytest.raises(DriverError, match=r"did not answer within 0\.5 seconds"):
        LibvirtDriver().discover(url, "", "")
    assert LibvirtDriver().ping(Host(url=url)) is False
    assert time.monotonic() - start < 3


# --- the simulator --------------------------------------------------------------------------


def test_simulator_urls_in_the_query_or_in_the_path_as_cloudstack_reads_them():
    assert simulator_url_check("http://sim/c0/h0?cpucore=16&CPUSPEED=2400&memory=1024") == (
        "sim-c0-h0",
        {
            "cpu_sockets": 1,
            "cpu_number": 16,
            "cpu_speed": 2400,
            "memory": 1024 * MIB,
            "local_storage": 0,
        },
    )
    name, values = simulator_url_check("http://sim/c0/h1/cpucore=2&localstorage=100&other=x")
    assert (name, values["cpu_number"], values["local_storage"]) == ("sim-c0-h1", 2, 100)
    assert simulator_url_check("http://sim2")[0] == "sim2"
    assert simulator_url_check("http://sim/h?cpusockets=2")[1]["cpu_sockets"] == 2
