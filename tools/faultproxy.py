"""A fault-injecting TCP proxy for tests and benchmarks, in user space.

Regions are far apart in real life, and this machine's kernel has no netem, so the network
between two regions is emulated here: a proxy on a loopback port that forwards to another
loopback port, with latency, a cut (connections reset, new ones refused) and a blackhole
(connections accepted, nothing ever forwarded or answered) switched at run time from any
thread. Standard library only; an asyncio loop in a background thread.

    with FaultProxy("127.0.0.1", 8102) as proxy:   # proxy.url -> http://127.0.0.1:<port>
        proxy.rtt(50)         # 25 ms each way
        proxy.cut()           # reset every connection; connect() is refused
        proxy.heal()          # forwarding again (latency kept)

Only loopback addresses are ever bound or connected to: the sandbox forbids anything else.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import struct
import threading
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

T = TypeVar("T")
State = Literal["pass", "cut", "blackhole"]

CHUNK = 64 * 1024
# Bytes read but not yet delivered, per direction of a connection, before the proxy stops
# reading: a bound on memory that still lets a latency of a few seconds run at full speed.
MAX_IN_FLIGHT = 16 * 1024 * 1024
CALL_TIMEOUT = 10.0


def loopback(host: str) -> str:
    """HOST as a loopback IP literal; ValueError for anything else (no name is looked up)."""
    if host == "localhost":
        return "127.0.0.1"
    try:
        address = ipaddress.ip_address(host)
    except ValueError as error:
        raise ValueError(f"{host!r} is not a loopback IP address") from error
    if not address.is_loopback:
        raise ValueError(f"{host!r} is not a loopback address: only loopback is allowed")
    return str(address)


def _reset(writer: asyncio.StreamWriter | None) -> None:
    """Close with an RST rather than a FIN, as a peer that vanished does."""
    if writer is None or writer.transport.is_closing():
        return
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


@dataclass(frozen=True)
class ProxyStats:
    """Counters since the proxy started. `bytes_up` is client -> upstream."""

    connections: int  # accepted
    active: int
    resets: int  # connections this proxy reset (cut, heal after a blackhole, upstream down)
    bytes_up: int
    bytes_down: int
    bytes_dropped: int  # swallowed by a blackhole or lost in a cut


@dataclass(eq=False)
class _Connection:
    sock: socket.socket  # as accepted, until `client` wraps it
    task: asyncio.Task | None = None
    client: asyncio.StreamWriter | None = None
    upstream: asyncio.StreamWriter | None = None
    swallowing: bool = False  # lived through a blackhole: its streams are no longer intact

    def reset(self) -> None:
        if self.client is None:  # closed (with an RST) when its task ends, never under it
            with contextlib.suppress(OSError):
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        _reset(self.client)
        _reset(self.upstream)
        if self.task is not None:
            self.task.cancel()


class FaultProxy:
    """Forwards 127.0.0.1:`port` to UPSTREAM_HOST:UPSTREAM_PORT, with faults on demand.

    Every public method is thread-safe and takes effect before it returns (do not call them
    from the proxy's own loop). Faults are states: `cut()` and `blackhole()` replace each
    other, `heal()` ends either; latency is a property of the link that survives them.
    """

    def __init__(
        self,
        upstream_host: str,
        upstream_port: int,
        *,
        listen_host: str = "127.0.0.1",
        listen_port: int = 0,
        name: str = "",
    ) -> None:
        self.upstream = (loopback(upstream_host), upstream_port)
        self.host = loopback(listen_host)
        self.name = name or f"->{upstream_port}"
        self._delay = 0.0  # seconds, one way
        self._state: State = "pass"
        self._connections: set[_Connection] = set()
        self._listener: socket.socket | None = None
        self._switching = asyncio.Lock()  # state changes await, so one at a time
        self._counts = dict.fromkeys(
            ("connections", "resets", "bytes_up", "bytes_down", "bytes_dropped"), 0
        )
        # Holds the port for the proxy's whole life, never listening: cut() closes the
        # listener (so connect() is refused by the kernel) and heal() listens again on the
        # same port without another process being able to take it meanwhile.
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        self._family = family
        self._reservation = socket.socket(family, socket.SOCK_STREAM)
        self._reservation.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._reservation.bind((self.host, listen_port))
        self.port: int = self._reservation.getsockname()[1]
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name=f"faultproxy{self.name}", daemon=True
        )
        self._thread.start()
        self._closed = False
        try:
            self._call(self._listen())
        except BaseException:
            self.close()
            raise

    # --- control, from any thread ---------------------------------------------------------

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def state(self) -> State:
        return self._state

    @property
    def delay_ms(self) -> float:
        """The one-way delay in milliseconds."""
        return self._delay * 1000

    def latency(self, one_way_ms: float) -> None:
        """Delay every chunk by ONE_WAY_MS in each direction (a round trip costs twice that).

        Each chunk is delivered at its arrival time plus the delay, in order, so throughput
        is not limited to one chunk per delay. Applies to bytes that arrive from now on. A
        new connection costs no extra round trip (the kernel completes the client's
        handshake with the proxy at once), where a real one would cost one more.
        """
        if one_way_ms < 0:
            raise ValueError("latency must be >= 0 ms")
        self._delay = one_way_ms / 1000

    def rtt(self, round_trip_ms: float) -> None:
        """Make a round trip through the proxy cost ROUND_TRIP_MS more (half each way)."""
        self.latency(round_trip_ms / 2)

    def cut(self) -> None:
        """Reset every connection and refuse new ones (ECONNREFUSED) until heal()."""
        self._call(self._set_state("cut"))

    def blackhole(self) -> None:
        """Accept connections but never forward or answer: bytes are swallowed, connections
        hang until the client gives up. Connections already open start swallowing too."""
        self._call(self._set_state("blackhole"))

    def heal(self) -> None:
        """Forward again. Connections that lived through a blackhole lost bytes, so they are
        reset (as a peer's TCP stack would after a long partition); new ones work."""
        self._call(self._set_state("pass"))

    def reset(self) -> None:
        """Back to a plain proxy: healed and no latency."""
        self.latency(0)
        self.heal()

    def stats(self) -> ProxyStats:
        return ProxyStats(active=len(self._connections), **self._counts)

    def close(self) -> None:
        """Reset every connection, stop listening and release the port. Idempotent."""
        if self._closed:
            return
        self._closed = True
        if self._thread.is_alive():
            with contextlib.suppress(Exception):
                self._call(self._shutdown())
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=CALL_TIMEOUT)
        if not self._thread.is_alive():
            self._loop.close()
        self._reservation.close()

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"<FaultProxy {self.url} -> {self.upstream[0]}:{self.upstream[1]} {self._state}"
            f" {self.delay_ms:g} ms one-way>"
        )

    def _call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        if self._loop.is_closed() or not self._thread.is_alive():
            coroutine.close()
            raise RuntimeError("the proxy is closed")
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        return future.result(timeout=CALL_TIMEOUT)

    # --- the loop's side ------------------------------------------------------------------

    async def _listen(self) -> None:
        if self._listener is not None:
            return
        sock = socket.socket(self._family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.port))
            sock.listen(128)
            sock.setblocking(False)
        except OSError:
            sock.close()
            raise
        self._listener = sock
        asyncio.get_running_loop().add_reader(sock.fileno(), self._accept, sock)

    def _unlisten(self) -> None:
        """Close the listening socket, so that the kernel refuses connects (and resets the
        ones not accepted yet). Accepting is synchronous (not asyncio.start_server nor
        sock_accept) so that no accepted socket can be in flight, and leak, at this point."""
        if self._listener is None:
            return
        listener, self._listener = self._listener, None
        asyncio.get_running_loop().remove_reader(listener.fileno())
        listener.close()

    async def _set_state(self, state: State) -> None:
        async with self._switching:
            await self._switch(state)

    async def _switch(self, state: State) -> None:
        if state == "cut":
            self._state = state
            self._unlisten()
            for connection in list(self._connections):
                self._reset(connection)
            return
        await self._listen()
        self._state = state
        for connection in list(self._connections):
            if state == "blackhole":
                connection.swallowing = True
            elif connection.swallowing:
                self._reset(connection)

    async def _shutdown(self) -> None:
        async with self._switching:
            await self._switch("cut")
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in others:
            task.cancel()
        if others:
            await asyncio.wait(others, timeout=2)
        for _ in range(3):  # transports close their sockets in callbacks: let them run
            await asyncio.sleep(0)

    def _reset(self, connection: _Connection) -> None:
        self._counts["resets"] += 1
        connection.reset()

    def _resume_accepting(self, listener: socket.socket) -> None:
        if listener is self._listener:
            asyncio.get_running_loop().add_reader(listener.fileno(), self._accept, listener)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                sock, _ = listener.accept()
            except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                return
            except OSError:  # out of descriptors: pause rather than spin on a readable socket
                loop = asyncio.get_running_loop()
                loop.remove_reader(listener.fileno())
                loop.call_later(0.1, self._resume_accepting, listener)
                return
            sock.setblocking(False)
            connection = _Connection(sock=sock)
            self._counts["connections"] += 1
            self._connections.add(connection)
            connection.task = asyncio.create_task(self._serve(connection))
            connection.task.add_done_callback(lambda _, c=connection: self._forget(c))

    def _forget(self, connection: _Connection) -> None:
        self._connections.discard(connection)
        if connection.client is None:  # its task never wrapped the socket (or never ran)
            connection.sock.close()

    async def _serve(self, connection: _Connection) -> None:
        try:
            reader, writer = await asyncio.open_connection(sock=connection.sock)
            connection.client = writer
            if self._state == "blackhole" or connection.swallowing:
                connection.swallowing = True
                await self._swallow(reader)
                return
            try:
                up_reader, up_writer = await asyncio.open_connection(*self.upstream)
            except OSError:
                self._reset(connection)  # upstream down: the client sees a reset
                return
            connection.upstream = up_writer
            if connection.swallowing:  # a blackhole began while connecting
                await self._swallow(reader)
                return
            pipes = [
                asyncio.create_task(self._pipe(reader, up_writer, connection, "bytes_up")),
                asyncio.create_task(self._pipe(up_reader, writer, connection, "bytes_down")),
            ]
            try:
                done, _ = await asyncio.wait(pipes, return_when=asyncio.FIRST_EXCEPTION)
            finally:
                for pipe in pipes:
                    pipe.cancel()
            if any(not p.cancelled() and p.exception() is not None for p in done):
                self._reset(connection)  # one side reset: so does the other
        except asyncio.CancelledError:
            pass
        except OSError:
            self._reset(connection)
        finally:
            for side in (connection.client, connection.upstream):
                if side is not None and not side.transport.is_closing():
                    side.close()

    async def _swallow(self, reader: asyncio.StreamReader) -> None:
        while data := await reader.read(CHUNK):
            self._counts["bytes_dropped"] += len(data)

    async def _pipe(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        connection: _Connection,
        counter: str,
    ) -> None:
        """Copy READER to WRITER, each chunk delivered at its arrival time plus the delay;
        end of stream is passed on (half-close) after the delay as well."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()
        room = asyncio.Event()
        room.set()
        in_flight = 0

        async def deliver() -> None:
            nonlocal in_flight
            while True:
                due, data = await queue.get()
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if not data:
                    if connection.swallowing:
                        return  # the other side never learns anything more
                    if writer.can_write_eof():
                        writer.write_eof()
                    return
                in_flight -= len(data)
                if in_flight < MAX_IN_FLIGHT:
                    room.set()
                if connection.swallowing:
                    self._counts["bytes_dropped"] += len(data)
                    continue
                writer.write(data)
                await writer.drain()
                self._counts[counter] += len(data)

        delivery = asyncio.create_task(deliver())
        try:
            while True:
                data = await reader.read(CHUNK)
                if delivery.done():
                    await delivery  # the writing side failed: raise its error
                    return
                if data and connection.swallowing:
                    self._counts["bytes_dropped"] += len(data)
                    continue
                queue.put_nowait((loop.time() + self._delay, data))
                if not data:
                    break
                in_flight += len(data)
                if in_flight >= MAX_IN_FLIGHT:
                    room.clear()
                    await room.wait()
            await delivery
        finally:
            delivery.cancel()
