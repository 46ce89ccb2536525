"""Reads of the federation: what replication overrode here, join tokens, peer links."""

from __future__ import annotations

from django.db.models import QuerySet

from regions.models import JoinToken, Override, PeerLink


def overrides_filtered(
    *, kind: str | None = None, model: str | None = None, object_id: str | None = None
) -> QuerySet[Override]:
    """What replication overrode here, newest first (the Federation page and the API)."""
    rows = Override.objects.all()
    if kind:
        rows = rows.filter(kind=kind)
    if model:
        rows = rows.filter(model=model)
    if object_id:
        rows = rows.filter(object_id=object_id)
    return rows


def join_tokens_recent(*, limit: int = 10) -> QuerySet[JoinToken]:
    """The newest join tokens (hashed: what the Federation page lists)."""
    return JoinToken.objects.select_related("created_by")[:limit]


def peer_links() -> QuerySet[PeerLink]:
    """This region's link to each peer, with the peer."""
    return PeerLink.objects.select_related("region")
