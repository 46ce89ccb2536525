"""Signed HTTP calls to peer regions."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests

from regions.models import Region
from regions.peer import signing

TIMEOUT = (3.05, 30)  # connect, read


class PeerError(Exception):
    """A peer could not be reached or refused the request."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


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
            detail = response.json().get("detail", response.text[:200])
        except ValueError:
            detail = response.text[:200]
        raise PeerError(
            f"{endpoint} answered {response.status_code}: {detail}", status=response.status_code
        )
    return response.json() if response.content else None


def call_region(region: Region, *, method: str, path: str, **kwargs: Any) -> Any:
    local = Region.objects.get(is_local=True)
    return peer_call(
        endpoint=region.endpoint,
        method=method,
        path=path,
        local_region_id=local.pk,
        secret=signing.federation_secret(),
        **kwargs,
    )
