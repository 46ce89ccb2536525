"""A peer region that does not answer, the tasks the views queue, and the other regions of
the cloud as an accepting region sees them while it agrees a new region's id (no real peer in
a unit test)."""

from __future__ import annotations

from typing import Any

import pytest

from regions.federation.peer.client import PeerError
from regions.federation.replication import region_ids
from regions.federation.services import federation_ensure
from regions.models import Region
from regions.services import region_create
from tests import factories


@pytest.fixture
def west(region):
    """Region 2, a peer of this one (the federation secret made) that never answers."""
    federation_ensure()
    return region_create(id=2, name="west", endpoint=factories.CLOSED_ENDPOINT, by=None)


@pytest.fixture
def queued(monkeypatch):
    """Tasks the views queue (not run: no peer is listening in a unit test)."""
    from regions import tasks

    calls = []
    monkeypatch.setattr(
        tasks, "enqueue", lambda task, *args: calls.append((task.name, args)) or True
    )
    return calls


class FakePeers:
    """Each peer keeps its reservations (id -> UUID), refuses an id held there for another
    UUID with a 409 as the real endpoint does, or is down."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, Any]]] = []  # (peer name, action, payload)
        self.held: dict[str, dict[int, str]] = {}
        self.down: dict[str, PeerError] = {}

    def hold(self, peer: str, region_id: int, region_uuid: str = "another-joiner") -> None:
        self.held.setdefault(peer, {})[region_id] = region_uuid

    def call_region(
        self, region: Region, *, method: str, path: str, payload: Any = None, **kwargs: Any
    ) -> Any:
        assert method == "POST"
        action = path.rstrip("/").rsplit("/", 1)[-1]
        self.calls.append((region.name, action, payload))
        if region.name in self.down:
            raise self.down[region.name]
        held = self.held.setdefault(region.name, {})
        holder = held.get(payload["id"])
        if action == "release":
            if holder == payload["uuid"]:
                del held[payload["id"]]
            return {"released": int(holder == payload["uuid"])}
        if holder not in (None, payload["uuid"]):
            raise PeerError(
                f"{region.endpoint} answered 409: reserved",
                status=409,
                data={"detail": "reserved", "reason": "reserved", "highest": max(held)},
            )
        held[payload["id"]] = payload["uuid"]
        return {"reserved": payload["id"], "uuid": payload["uuid"]}

    def actions(self) -> list[tuple[str, str, int]]:
        return [(peer, action, payload["id"]) for peer, action, payload in self.calls]


@pytest.fixture
def fake_peers(monkeypatch) -> FakePeers:
    peers = FakePeers()
    monkeypatch.setattr(region_ids, "call_region", peers.call_region)
    monkeypatch.setattr(region_ids, "_pause", lambda attempt: None)
    return peers
