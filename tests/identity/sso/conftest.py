"""Fixtures of the single sign-on tests: this region (east, id 1), two peers and the
federation secret they share.

Every endpoint is on the loopback interface, and no test may reach any other address: the
only real connection any of these tests makes is the health probe of a switch to a region
whose port is closed (west, port 9).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from requests.adapters import HTTPAdapter

from regions.federation.services import federation_ensure
from regions.services import region_create

#: a closed loopback port (discard): a probe of it fails at once
DOWN_ENDPOINT = "http://127.0.0.1:9"
NORTH_ENDPOINT = "http://127.0.0.1:18003"
LOCAL_ENDPOINT = "http://127.0.0.1:8000"  # tests.factories.local_region


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch):
    """Any HTTP request to a non-loopback address fails the test instead of leaving."""
    send = HTTPAdapter.send

    def guarded(self, request, *args, **kwargs):
        host = urlsplit(request.url).hostname
        assert host in {"127.0.0.1", "::1", "localhost"}, f"network request to {request.url}"
        return send(self, request, *args, **kwargs)

    monkeypatch.setattr(HTTPAdapter, "send", guarded)


@pytest.fixture
def federation(region):
    return federation_ensure()


@pytest.fixture
def west(region):
    return region_create(id=2, name="west", endpoint=DOWN_ENDPOINT, by=None)


@pytest.fixture
def north(region):
    return region_create(id=3, name="north", endpoint=NORTH_ENDPOINT, by=None)
