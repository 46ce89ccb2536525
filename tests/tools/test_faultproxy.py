"""The fault proxy against a tiny echo server: latency, order, cut, blackhole, heal.

Timing assertions are loose on purpose (a loaded 2-core machine), but tight enough to tell
"delayed once per chunk in flight" from "delayed once per chunk in turn".
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
import time
from collections.abc import Iterator

import pytest

from tools.faultproxy import FaultProxy, loopback


class _Echo(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        with contextlib.suppress(OSError):
            while data := self.request.recv(65536):
                self.request.sendall(data)


class _EchoServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@pytest.fixture
def echo() -> Iterator[int]:
    server = _EchoServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def proxy(echo: int) -> Iterator[FaultProxy]:
    with FaultProxy("127.0.0.1", echo) as proxy:
        yield proxy


def connect(proxy: FaultProxy, timeout: float = 2.0) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", proxy.port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def recv_exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("closed early")
        data += chunk
    return data


def round_trip(proxy: FaultProxy, payload: bytes = b"ping") -> float:
    """Seconds for PAYLOAD to come back through a new connection (connect excluded)."""
    with connect(proxy) as sock:
        start = time.monotonic()
        sock.sendall(payload)
        assert recv_exactly(sock, len(payload)) == payload
        return time.monotonic() - start


def wait_for(condition, timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def test_forwards_both_ways_and_counts(proxy):
    assert proxy.url == f"http://127.0.0.1:{proxy.port}"
    assert round_trip(proxy, b"x" * 100_000) < 1
    wait_for(lambda: proxy.stats().active == 0)
    stats = proxy.stats()
    assert (stats.connections, stats.bytes_up, stats.bytes_down) == (1, 100_000, 100_000)
    assert stats.bytes_dropped == stats.resets == 0


def test_latency_is_one_way_and_rtt_is_round_trip(proxy):
    proxy.latency(50)
    assert proxy.delay_ms == 50
    assert 0.1 <= round_trip(proxy) < 0.5  # 50 ms there, 50 ms back
    proxy.rtt(60)
    assert proxy.delay_ms == 30
    assert 0.06 <= round_trip(proxy) < 0.4
    proxy.latency(0)
    assert round_trip(proxy) < 0.05
    with pytest.raises(ValueError):
        proxy.latency(-1)


def test_latency_keeps_order_and_does_not_throttle(proxy):
    """200 separate chunks at 100 ms one way take about 200 ms, not 200 x 100 ms."""
    proxy.latency(100)
    messages = [f"{n:05d};".encode() for n in range(200)]
    with connect(proxy, timeout=5) as sock:
        start = time.monotonic()
        for message in messages:
            sock.sendall(message)
            time.sleep(0.001)  # separate chunks, not one coalesced write
        received = recv_exactly(sock, sum(map(len, messages)))
        elapsed = time.monotonic() - start
    assert received == b"".join(messages)
    assert 0.2 <= elapsed < 2.0


def test_cut_resets_connections_and_refuses_new_ones_until_heal(proxy):
    open_sock = connect(proxy)
    open_sock.sendall(b"a")
    assert recv_exactly(open_sock, 1) == b"a"
    proxy.cut()
    assert proxy.state == "cut"
    with pytest.raises((ConnectionError, OSError)):
        open_sock.sendall(b"b")
        if not open_sock.recv(1):
            raise ConnectionError("closed")
    open_sock.close()
    with pytest.raises(ConnectionRefusedError):
        connect(proxy)
    assert proxy.stats().resets >= 1
    proxy.heal()
    assert round_trip(proxy) < 1


def test_blackhole_swallows_until_timeout_then_heal_resets_and_restores(proxy):
    before = connect(proxy)
    proxy.blackhole()
    during = connect(proxy)  # accepted: a blackhole is not a refusal
    for sock in (before, during):
        sock.settimeout(0.3)
        sock.sendall(b"lost")
        with pytest.raises(TimeoutError):
            sock.recv(4)
    wait_for(lambda: proxy.stats().bytes_dropped == 8)
    assert proxy.stats().bytes_up == 0
    proxy.heal()
    for sock in (before, during):  # their bytes were lost: reset, not resumed
        sock.settimeout(2)
        with pytest.raises(ConnectionError):
            if not sock.recv(4):
                raise ConnectionError("closed")
        sock.close()
    assert round_trip(proxy) < 1


def test_heal_keeps_latency_and_reset_clears_it(proxy):
    proxy.rtt(100)
    proxy.cut()
    proxy.heal()
    assert proxy.delay_ms == 50
    proxy.reset()
    assert proxy.delay_ms == 0 and proxy.state == "pass"


def test_cut_then_blackhole_listens_again(proxy):
    proxy.cut()
    proxy.blackhole()
    with connect(proxy) as sock:
        sock.settimeout(0.2)
        sock.sendall(b"x")
        with pytest.raises(TimeoutError):
            sock.recv(1)


def test_upstream_down_is_a_reset_for_the_client():
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))  # bound, not listening: connects are refused
        with FaultProxy("127.0.0.1", placeholder.getsockname()[1]) as proxy:
            with pytest.raises(ConnectionError), connect(proxy) as sock:  # the reset may
                sock.sendall(b"x")  # come before connect() returns, or on the first use
                if not sock.recv(1):
                    raise ConnectionError("closed")
            assert proxy.stats().resets == 1


@pytest.mark.parametrize("host", ["10.0.0.1", "0.0.0.0", "192.168.1.1", "example.com", "::"])
def test_only_loopback_is_allowed(host):
    with pytest.raises(ValueError):
        FaultProxy(host, 80)
    with pytest.raises(ValueError):
        FaultProxy("127.0.0.1", 80, listen_host=host)


def test_loopback_names():
    assert loopback("localhost") == "127.0.0.1"
    assert loopback("127.0.0.2") == "127.0.0.2"
    assert loopback("::1") == "::1"


def test_close_releases_the_port_and_is_idempotent(echo):
    proxy = FaultProxy("127.0.0.1", echo)
    sock = connect(proxy)
    port = proxy.port
    proxy.close()
    proxy.close()
    with pytest.raises(ConnectionRefusedError):
        connect(proxy)
    with pytest.raises(RuntimeError):
        proxy.cut()
    sock.close()
    with socket.socket() as again:  # no SO_REUSEADDR: fails if anything still holds it
        again.bind(("127.0.0.1", port))
    assert not any(t.name.startswith("faultproxy") and t.is_alive() for t in _threads(proxy))


def _threads(proxy: FaultProxy) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == f"faultproxy{proxy.name}"]


def test_control_from_many_threads(proxy):
    """Faults switched from several threads at once leave a consistent, working proxy."""

    def flip() -> None:
        for _ in range(20):
            proxy.cut()
            proxy.blackhole()
            proxy.heal()

    threads = [threading.Thread(target=flip) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert proxy.state == "pass"
    assert round_trip(proxy) < 1
