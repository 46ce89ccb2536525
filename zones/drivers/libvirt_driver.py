"""The libvirt driver: KVM hosts, reached through libvirt (`libvirt-python`).

URLs are libvirt's connection URIs, of these forms only:

- `qemu:///system`: the portal's own machine;
- `qemu+ssh://user@host/system`: over SSH, with the key of the portal's user (never a
  password: the URI gets `no_tty=1`, so SSH cannot ask for one);
- `qemu+tls://host/system`: over TLS, with the portal's client certificate;
- `test:///default`: libvirt's built-in test driver, a real libvirt API over a made-up host
  (the tests use it).

Of the URI's query only `keyfile`, `known_hosts`, `pkipath` and `no_verify` are accepted:
others (`command`, `socket`, `netcat` ...) would choose what the portal runs or reads. A
username and password given to addHost are handed to libvirt's authentication callback for
the discovery alone (SASL over TLS asks for them) and kept nowhere; pings authenticate with
the key or certificate only.

Opening a connection can block (an SSH or TLS peer that never answers): every call runs in
a daemon thread and is given up after `TIMEOUT` seconds, so a request or the ping job is
never held longer; the abandoned thread ends when libvirt itself gives up.

What discovery reads (`virNodeGetInfo`): CPU sockets (sockets per NUMA node times nodes), cores
(the logical CPUs, as CloudStack's KVM agent counts them), their speed in MHz and the memory.
Local storage is 0: a KVM host's local storage is a storage pool, added as primary storage.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit

import libvirt

from zones.drivers.base import DriverError, HostFacts

if TYPE_CHECKING:
    from zones.models import Host

T = TypeVar("T")

#: seconds a connection (with the calls made on it) may take before it is given up
TIMEOUT = 10.0
MIB = 1024 * 1024
#: the URI's query parameters accepted (libvirt's names)
SAFE_QUERY = frozenset({"keyfile", "known_hosts", "pkipath", "no_verify"})
_REMOTE = {"qemu+ssh", "qemu+tls"}
_FORMS = "qemu:///system, qemu+ssh://user@host/system, qemu+tls://host/system or test:///default"

# libvirt prints every error to stderr unless told otherwise; ours are raised instead.
libvirt.registerErrorHandler(lambda context, error: None, None)


def libvirt_uri_check(url: str) -> str:
    """URL as the URI libvirt is opened with (SSH told never to prompt); DriverError naming
    the forms accepted."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "test":
        if parts.netloc or parts.path != "/default" or parts.query:
            raise DriverError(f"{url}: the test driver's URL is test:///default.")
        return url
    if scheme not in {"qemu", *_REMOTE}:
        raise DriverError(f"{url} is not a KVM host's libvirt URL: use {_FORMS}.")
    if parts.path != "/system":
        raise DriverError(f"{url}: a KVM host's URL ends in /system ({_FORMS}).")
    if (scheme in _REMOTE) != bool(parts.hostname):
        needs = "needs a" if scheme in _REMOTE else "takes no"
        raise DriverError(f"{url}: {scheme}:// {needs} host.")
    query = parse_qsl(parts.query, keep_blank_values=True)
    unsafe = sorted({key for key, _ in query} - SAFE_QUERY)
    if unsafe:
        raise DriverError(
            f"{url}: the parameter(s) {', '.join(unsafe)} are not accepted "
            f"(only {', '.join(sorted(SAFE_QUERY))})."
        )
    if scheme == "qemu+ssh":
        query.append(("no_tty", "1"))
    uri = f"{scheme}://{parts.netloc}{parts.path}"  # urlunsplit drops an empty host's //
    return f"{uri}?{urlencode(query)}" if query else uri


def _timed(work: Callable[[], T], what: str) -> T:
    """WORK() in a daemon thread, given up after TIMEOUT seconds."""
    answer: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=1)

    def run() -> None:
        try:
            answer.put((True, work()))
        except Exception as error:
            answer.put((False, error))

    threading.Thread(target=run, name=f"libvirt {what}", daemon=True).start()
    try:
        ok, value = answer.get(timeout=TIMEOUT)
    except queue.Empty:
        raise DriverError(f"{what} did not answer within {TIMEOUT:g} seconds.") from None
    if not ok:
        raise value
    return value


def _open(uri: str, username: str = "", password: str = "") -> libvirt.virConnect:
    def credentials(creds: list[list[Any]], data: Any) -> int:
        for cred in creds:
            if cred[0] == libvirt.VIR_CRED_AUTHNAME and username:
                cred[4] = username
            elif cred[0] == libvirt.VIR_CRED_PASSPHRASE and password:
                cred[4] = password
            else:
                return -1  # nothing to answer with: never prompt
        return 0

    auth = [[libvirt.VIR_CRED_AUTHNAME, libvirt.VIR_CRED_PASSPHRASE], credentials, None]
    return libvirt.openAuth(uri, auth, 0)


def _facts(uri: str, username: str, password: str) -> HostFacts:
    conn = _open(uri, username, password)
    try:
        _model, memory_mib, cpus, mhz, nodes, sockets, _cores, _threads = conn.getInfo()
        return HostFacts(
            hostname=conn.getHostname(),
            cpu_sockets=max(1, nodes * sockets),
            cpu_number=cpus,
            cpu_speed=mhz,
            memory=memory_mib * MIB,
        )
    finally:
        conn.close()


def _answers(uri: str) -> bool:
    conn = _open(uri)
    try:
        return conn.isAlive() == 1
    finally:
        conn.close()


class LibvirtDriver:
    """KVM hosts through libvirt (see the module for the URLs and the timeout)."""

    def discover(self, url: str, username: str, password: str) -> HostFacts:
        uri = libvirt_uri_check(url)
        try:
            return _timed(lambda: _facts(uri, username, password), url)
        except libvirt.libvirtError as error:
            raise DriverError(f"Could not reach {url}: {error.get_error_message()}") from error

    def ping(self, host: Host) -> bool:
        try:
            return _timed(lambda: _answers(libvirt_uri_check(host.url)), host.url)
        except (DriverError, libvirt.libvirtError):
            return False
