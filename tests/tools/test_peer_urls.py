"""PORTAL_PEER_URLS: peer calls go to the override URL (here a fault proxy in front of a
recording HTTP server), signed over the path they actually request, while the region's
registered endpoint stays what it was."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.settings import peer_url_overrides
from regions.federation.peer import client as peer_client
from regions.federation.peer import signing
from regions.federation.services import federation_ensure
from regions.models import Region
from regions.services import region_create
from tools.faultproxy import FaultProxy

BASE_DIR = Path(__file__).resolve().parents[2]


class _Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _answer(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.requests.append((self.command, self.path, dict(self.headers), body))
        answer = b'{"accepted": true}'
        self.send_response(202)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


class _RecordingServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Recorder)
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # connections the proxy resets on purpose


@pytest.fixture
def peer() -> Iterator[_RecordingServer]:
    server = _RecordingServer()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def proxy(peer) -> Iterator[FaultProxy]:
    with FaultProxy("127.0.0.1", peer.server_address[1]) as proxy:
        yield proxy


@pytest.fixture
def west(region):
    federation_ensure()
    return region_create(id=2, name="west", endpoint="http://127.0.0.1:8002", by=None)


def test_call_region_goes_through_the_override_and_signs_the_path_it_requests(
    west, peer, proxy, settings
):
    settings.PEER_URL_OVERRIDES = {2: proxy.url}
    answer = peer_client.call_region(
        west, method="GET", path="/api/peer/changes/", params={"after": 3, "limit": 5}
    )
    assert answer == {"accepted": True}
    assert proxy.stats().connections == 1
    [(method, path, headers, body)] = peer.requests
    assert (method, path) == ("GET", "/api/peer/changes/?after=3&limit=5")
    # What the receiving view does: verify over the path as received (no host in it).
    assert signing.verify(method=method, path=path, headers=headers, body=body) == 1
    assert Region.objects.get(pk=2).endpoint == "http://127.0.0.1:8002"


def test_an_override_with_a_path_prefix_signs_that_prefix(west, peer, proxy, settings):
    settings.PEER_URL_OVERRIDES = {2: f"{proxy.url}/private"}
    peer_client.call_region(west, method="POST", path="/api/peer/poke/", payload={})
    [(method, path, headers, body)] = peer.requests
    assert path == "/private/api/peer/poke/" and body == b"{}"
    assert signing.verify(method=method, path=path, headers=headers, body=body) == 1


def test_without_an_override_the_registered_endpoint_is_used(west, settings, monkeypatch):
    settings.PEER_URL_OVERRIDES = {3: "http://127.0.0.1:1"}
    urls = []

    def request(method, url, **kwargs):
        urls.append(url)
        raise peer_client.requests.ConnectionError("not listening")

    monkeypatch.setattr(peer_client._session, "request", request)
    with pytest.raises(peer_client.PeerError):
        peer_client.call_region(west, method="POST", path="/api/peer/poke/", payload={})
    assert urls == ["http://127.0.0.1:8002/api/peer/poke/"]
    assert peer_client.peer_url(west) == "http://127.0.0.1:8002"


def test_a_cut_link_is_a_peer_error(west, peer, proxy, settings):
    settings.PEER_URL_OVERRIDES = {2: proxy.url}
    proxy.cut()
    with pytest.raises(peer_client.PeerError, match="cannot reach"):
        peer_client.call_region(west, method="POST", path="/api/peer/poke/", payload={})
    proxy.heal()
    assert peer_client.call_region(west, method="POST", path="/api/peer/poke/", payload={})
    assert len(peer.requests) == 1


def test_a_blackholed_link_times_out_as_a_peer_error(west, peer, proxy, settings):
    settings.PEER_URL_OVERRIDES = {2: proxy.url}
    proxy.blackhole()
    with pytest.raises(peer_client.PeerError, match="cannot reach"):
        peer_client.call_region(
            west, method="POST", path="/api/peer/poke/", payload={}, timeout=(0.5, 0.5)
        )
    assert peer.requests == []


def test_peer_url_overrides_parsing():
    assert peer_url_overrides("") == {}
    assert peer_url_overrides(' {"2": "http://127.0.0.1:9123/", "3": "https://x.example"} ') == {
        2: "http://127.0.0.1:9123",
        3: "https://x.example",
    }
    for bad in ("[1]", '{"two": "http://x"}', '{"2": "ftp://x"}', '{"2": null}', "{"):
        with pytest.raises(ImproperlyConfigured):
            peer_url_overrides(bad)


def test_settings_read_portal_peer_urls_from_the_environment():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "SECRET_KEY": "x",
        "PORTAL_PEER_URLS": json.dumps({"2": "http://127.0.0.1:9123"}),
    }
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(repr(settings.PEER_URL_OVERRIDES))",
        ],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert result.stdout.strip() == "{2: 'http://127.0.0.1:9123'}"
