"""The identity hierarchy opts into replication: same rows, same UUIDs, in every region."""

from __future__ import annotations

from typing import Any

from identity.crypto import secret_decrypt, secret_encrypt
from identity.models import (
    PATH_SEPARATOR,
    ROOT_DOMAIN_ID,
    Account,
    ApiKey,
    Domain,
    Project,
    ProjectMembership,
    User,
)
from regions.federation.peer.sealing import seal, unseal
from regions.federation.replication.registry import ReplicatedModel, UniqueName, register
from regions.models import OverrideKind


def _seal_secret(payload: dict[str, Any]) -> dict[str, Any]:
    """At rest under this region's key, in transit under the federation's."""
    payload = dict(payload)
    payload["secret_key_sealed"] = seal(secret_decrypt(payload.pop("secret_key_encrypted")))
    return payload


def _unseal_secret(payload: dict[str, Any]) -> dict[str, Any]:
    payload = dict(payload)
    payload["secret_key_encrypted"] = secret_encrypt(unseal(payload.pop("secret_key_sealed")))
    return payload


def _domain_path(domain: Domain) -> None:
    """A path is derived from the parent here, never copied: a child made in one region
    while its parent was renamed in another must name the parent's new name everywhere."""
    if domain.parent_id is not None:
        parent_path = Domain.objects.values_list("path", flat=True).get(pk=domain.parent_id)
        domain.path = f"{parent_path}{PATH_SEPARATOR}{domain.name}"


def _domain_subtree_paths(domain: Domain) -> None:
    """After a domain's path changed here, its descendants' paths follow (derived data:
    every region derives the same, so nothing is recorded). Each domain is visited once: a
    cycle in what arrived (a domain its own ancestor) cannot keep this going."""
    level = [(domain.pk, domain.path)]
    seen = {domain.pk}
    while level:
        below = []
        for parent_id, parent_path in level:
            for child_id, name, path in Domain.objects.filter(parent_id=parent_id).values_list(
                "pk", "name", "path"
            ):
                if child_id in seen:
                    continue
                seen.add(child_id)
                wanted = f"{parent_path}{PATH_SEPARATOR}{name}"
                if path != wanted:
                    Domain.objects.filter(pk=child_id).update(path=wanted)
                below.append((child_id, wanted))
        level = below


#: deeper than any real tree: an ancestor walk that goes on longer has met a loop
_MAX_DEPTH = 1000


def _domain_refuse(object_id: str, payload: dict[str, Any]) -> tuple[str, str] | None:
    """Refuse a domain that would break the one tree every region keeps: ROOT with a
    parent, another domain without one, a domain its own parent or its own ancestor.

    Only a faulty or hostile peer sends one (the services never make it); taken in, it
    would make paths grow on every apply and subtree checks disagree between regions.
    """
    parent = payload.get("parent_id")
    name = payload.get("name") or object_id
    if str(object_id) == str(ROOT_DOMAIN_ID):
        if parent is None:
            return None
        return OverrideKind.INVALID, "A change gave the ROOT domain a parent; ROOT has none."
    if parent is None:
        return OverrideKind.INVALID, f"Domain {name} came without a parent; only ROOT has none."
    ancestor, seen = str(parent), set()
    while ancestor is not None and len(seen) < _MAX_DEPTH:
        if ancestor == str(object_id):
            return (
                OverrideKind.INVALID,
                f"Domain {name} would be its own ancestor (parent {parent}): refused.",
            )
        if ancestor in seen:
            return None  # a loop already here, above this domain: not this change's doing
        seen.add(ancestor)
        above = Domain.objects.filter(pk=ancestor).values_list("parent_id", flat=True).first()
        ancestor = None if above is None else str(above)
    return None


# Parents before children: the order in which a snapshot lists and applies them.
register(
    ReplicatedModel(
        Domain,
        unique=UniqueName(scope=("parent_id",), field="name"),
        derive=_domain_path,
        after_apply=_domain_subtree_paths,
        refuse=_domain_refuse,
    )
)
register(ReplicatedModel(Account, unique=UniqueName(scope=("domain_id",), field="name")))
register(
    ReplicatedModel(
        User,
        exclude=frozenset({"created", "updated", "last_login"}),
        unique=UniqueName(field="username"),
    )
)
register(ReplicatedModel(Project, unique=UniqueName(scope=("domain_id",), field="name")))
register(ReplicatedModel(ProjectMembership, unique=UniqueName(scope=("project_id", "account_id"))))
register(ReplicatedModel(ApiKey, outgoing=_seal_secret, incoming=_unseal_secret))
