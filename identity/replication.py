"""The identity hierarchy opts into replication: same rows, same UUIDs, in every region."""

from __future__ import annotations

from typing import Any

from identity.crypto import secret_decrypt, secret_encrypt
from identity.models import Account, ApiKey, Domain, Project, ProjectMembership, User
from regions.peer.sealing import seal, unseal
from regions.replication.registry import ReplicatedModel, register


def _seal_secret(payload: dict[str, Any]) -> dict[str, Any]:
    """At rest under this region's key, in transit under the federation's."""
    payload = dict(payload)
    payload["secret_key_sealed"] = seal(secret_decrypt(payload.pop("secret_key_encrypted")))
    return payload


def _unseal_secret(payload: dict[str, Any]) -> dict[str, Any]:
    payload = dict(payload)
    payload["secret_key_encrypted"] = secret_encrypt(unseal(payload.pop("secret_key_sealed")))
    return payload


# Parents before children: the order in which a snapshot lists and applies them.
register(ReplicatedModel(Domain))
register(ReplicatedModel(Account))
register(ReplicatedModel(User, exclude=frozenset({"created", "updated", "last_login"})))
register(ReplicatedModel(Project))
register(ReplicatedModel(ProjectMembership))
register(ReplicatedModel(ApiKey, outgoing=_seal_secret, incoming=_unseal_secret))
