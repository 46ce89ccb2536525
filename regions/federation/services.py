"""Federation writes an operator makes: retry a peer, turn replication off or on."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django.db import transaction

from portal.permissions import Action, require
from regions import tasks
from regions.models import Federation, ParkedChange, PeerLink

if TYPE_CHECKING:
    from identity.models import User  # annotations only: identity is a layer above


def peer_retry(*, link: PeerLink, by: User | None) -> None:
    """Pull from the peer now, poke it, and give its parked changes (dead letters) another go."""
    require(by, Action.CHANGE, link)
    ParkedChange.objects.filter(origin=link.region_id).update(attempts=0)
    transaction.on_commit(lambda: tasks.enqueue(tasks.peer_pull, link.region_id))
    transaction.on_commit(lambda: tasks.enqueue(tasks.peer_poke, link.region_id))


@transaction.atomic
def replication_set(*, enabled: bool, by: User | None) -> Federation:
    """Off: this region neither sends nor pulls; every change is still published as an event."""
    require(by, Action.CHANGE, Federation)
    federation = federation_ensure()
    federation.replication_enabled = enabled
    federation.save(update_fields=["replication_enabled", "updated"])
    if enabled:
        transaction.on_commit(lambda: tasks.enqueue(tasks.replication_sweep))
    return federation


def federation_ensure() -> Federation:
    """The federation secret, made once by the first region and handed to every joiner."""
    federation, _ = Federation.objects.get_or_create(
        pk=1, defaults={"secret": secrets.token_urlsafe(48)}
    )
    return federation
