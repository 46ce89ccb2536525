"""Signed HTTP calls to peer regions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from django.conf import settings

from regions.federation.peer import signing
from regions.models import Region

TIMEOUT = (3.05, 30)  # connect, read


class PeerError(Exception):
    """A peer could not be reached (status None) or refused the request (its JSON in data)."""

    def __init__(self, message: str, *, status: int | None = None, data: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.data = data


_session = requests.Session()


def peer_call(
    *,
    endpoint: str,
    method: str,
    path: str,
    local_region_id: int,
    secret: str,
    params: dict[str, Any] | None = None,
    payload: Any = None,
    timeout: Any = TIMEOUT,
) -> Any:
    """Send a signed request to ENDPOINT + PATH and return its JSON body."""
    query = f"?{urlencode(params)}" if params else ""
    base_path = urlsplit(endpoint).path.rstrip("/")
    signed_path = f"{base_path}{path}{query}"
    body = b"" if payload is None else json.dumps(payload, separators=(",", ":")).encode()
    headers = signing.sign(
        secret=secret, region_id=local_region_id, method=method, path=signed_path, body=body
    )
    headers["Content-Type"] = "application/json"
    url = f"{endpoint.rstrip('/')}{path}{query}"
    try:
        response = _session.request(
            method, url, data=body or None, headers=headers, timeout=timeout
        )
    except requests.RequestException as error:
        raise PeerError(f"cannot reach {endpoint}: {error.__class__.__name__}") from error
    if response.status_code >= 400:
        try:
            data = response.json()
            detail = data.get("detail", response.text[:200])
        except (ValueError, AttributeError):
            data, detail = None, response.text[:200]
        raise PeerError(
            f"{endpoint} answered {response.status_code}: {detail}",
            status=response.status_code,
            data=data,
        )
    return response.json() if response.content else None


def peer_url(region: Region) -> str:
    """Where this region reaches REGION's peer API: its registered endpoint, unless
    PORTAL_PEER_URLS routes it elsewhere (a private network, or a fault proxy in tests)."""
    return settings.PEER_URL_OVERRIDES.get(region.pk) or region.endpoint


def call_region(region: Region, *, method: str, path: str, **kwargs: Any) -> Any:
    """A signed call to REGION's peer API. The signature covers the path that is actually
    requested (never the host), so an override URL signs correctly as long as it reaches the
    peer without rewriting the path."""
    local = Region.objects.get(is_local=True)
    return peer_call(
        endpoint=peer_url(region),
        method=method,
        path=path,
        local_region_id=local.pk,
        secret=signing.federation_secret(),
        **kwargs,
    )


def peer_stream(
    *,
    endpoint: str,
    path: str,
    params: dict[str, Any],
    local_region_id: int,
    secret: str,
    read_timeout: float,
) -> Iterator[bytes]:
    """Open a signed GET to ENDPOINT + PATH that answers a stream of JSON lines; yield each
    line as it arrives. A read waiting longer than READ_TIMEOUT, a broken connection or a
    refusal raise PeerError (the stream is over)."""
    query = f"?{urlencode(params)}"
    signed_path = f"{urlsplit(endpoint).path.rstrip('/')}{path}{query}"
    headers = signing.sign(
        secret=secret, region_id=local_region_id, method="GET", path=signed_path, body=b""
    )
    url = f"{endpoint.rstrip('/')}{path}{query}"
    try:
        response = _stream_session.get(
            url, headers=headers, stream=True, timeout=(TIMEOUT[0], read_timeout)
        )
    except requests.RequestException as error:
        raise PeerError(f"cannot reach {endpoint}: {error.__class__.__name__}") from error
    if response.status_code >= 400:
        with response:
            try:
                detail = response.json().get("detail", response.text[:200])
            except (ValueError, AttributeError):
                detail = response.text[:200]
        raise PeerError(
            f"{endpoint} answered {response.status_code}: {detail}", status=response.status_code
        )
    return _lines(response, endpoint)


def _lines(response: requests.Response, endpoint: str) -> Iterator[bytes]:
    """Complete lines of RESPONSE's body as its chunks arrive (iter_lines would wait for a
    full buffer before yielding a short line)."""
    pending = b""
    try:
        with response:
            for chunk in response.iter_content(chunk_size=None):
                pending += chunk
                *complete, pending = pending.split(b"\n")
                yield from (line for line in complete if line)
    except requests.RequestException as error:
        raise PeerError(f"stream from {endpoint} broke: {error.__class__.__name__}") from error
    if pending:
        raise PeerError(f"stream from {endpoint} ended inside a line")


#: streams hold their connection for a minute: not in the pool the short calls share
_stream_session = requests.Session()
