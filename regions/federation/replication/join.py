"""Joining a cloud: one-time tokens, the accepting side, and the joining side."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import requests
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from portal.permissions import Action, require
from portal.validation import invalid
from regions import tasks
from regions.federation.replication.apply import parked_retry
from regions.federation.replication.delivery import apply_lock
from regions.federation.replication.feed import snapshot_build
from regions.federation.replication.page_apply import page_apply
from regions.federation.replication.region_ids import (
    region_id_claim,
    region_id_release,
    region_id_release_everywhere,
)
from regions.federation.services import federation_ensure
from regions.models import Federation, JoinToken, PeerLink, Region
from regions.services import endpoint_normalize, region_create, region_new_check

if TYPE_CHECKING:
    from identity.models import User  # annotations only: identity is a layer above

TOKEN_TTL = timedelta(hours=1)
SNAPSHOT_PAGE = 1000
JOIN_TIMEOUT = (3.05, 120)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def join_token_create(*, by: User | None, ttl: timedelta = TOKEN_TTL) -> tuple[JoinToken, str]:
    """A new one-time token; the plain token is returned once and stored only as a hash."""
    require(by, Action.ADD, JoinToken)
    if not Region.objects.filter(is_local=True).exists():
        raise invalid("region", "Set up this region before inviting others.", "no_region")
    federation_ensure()
    token = secrets.token_urlsafe(32)
    row = JoinToken.objects.create(
        token_hash=_hash(token), created_by=by, expires_at=timezone.now() + ttl
    )
    return row, token


def join_accept(*, token: str, name: str, endpoint: str, description: str = "") -> dict[str, Any]:
    """Register a joining region (cloud-wide unique id) and hand it the secret and a snapshot.

    Three steps, not one transaction: the token is claimed and the input checked here; the
    id is agreed with every other region (region_ids.region_id_claim), which must not run
    while this region holds locks their calls back here would need; then the region row is
    made. A bad, used or expired token, a duplicate name or endpoint, or a region that
    cannot confirm the id changes nothing (the claim and every reservation are undone).
    """
    local, claimed = _token_claim(
        token=token, name=name, endpoint=endpoint, description=description
    )
    joiner = uuid.uuid4()
    try:
        region_id, peers = region_id_claim(region_uuid=joiner, acceptor=local)
    except BaseException:
        _token_unclaim(claimed)
        raise
    try:
        return _join_register(
            local=local,
            claimed=claimed,
            region_id=region_id,
            joiner=joiner,
            name=name,
            endpoint=endpoint,
            description=description,
        )
    except BaseException:
        region_id_release_everywhere(region_id=region_id, region_uuid=joiner, peers=peers)
        _token_unclaim(claimed)
        raise


@transaction.atomic
def _token_claim(
    *, token: str, name: str, endpoint: str, description: str
) -> tuple[Region, JoinToken]:
    """Check the token and the new region's fields, and mark the token used so that a
    second join with it waits for none of the peer calls of this one."""
    local = Region.objects.filter(is_local=True).first()
    if local is None:
        raise invalid("peer", "The region you asked is not set up itself.")
    row = JoinToken.objects.select_for_update().filter(token_hash=_hash(token or "")).first()
    if row is None or row.used_at is not None or row.expires_at <= timezone.now():
        raise invalid("token", "This join token is unknown, used or expired.", "bad_token")
    region_new_check(name=name, endpoint=endpoint, description=description)
    federation_ensure()
    row.used_at = timezone.now()
    row.save(update_fields=["used_at"])
    return local, row


def _token_unclaim(row: JoinToken) -> None:
    """The join failed after the claim: the token works again."""
    JoinToken.objects.filter(pk=row.pk, used_by_region__isnull=True).update(used_at=None)


@transaction.atomic
def _join_register(
    *,
    local: Region,
    claimed: JoinToken,
    region_id: int,
    joiner: uuid.UUID,
    name: str,
    endpoint: str,
    description: str,
) -> dict[str, Any]:
    """Every region confirmed REGION_ID: make the row (a replicated change) and answer."""
    row = JoinToken.objects.select_for_update().get(pk=claimed.pk)
    region = region_create(
        id=region_id,
        uuid=joiner,
        name=name,
        endpoint=endpoint,
        description=description,
        by=None,
    )
    row.used_by_region = region.pk
    row.save(update_fields=["used_by_region"])
    region_id_release(region_id=region_id, region_uuid=joiner)  # the row holds the id now
    PeerLink.objects.get_or_create(region=region)
    return {
        "region": {"id": region.pk, "uuid": str(region.uuid), "name": region.name},
        "acceptor": local.pk,
        "secret": federation_ensure().secret,
        "snapshot": snapshot_build(local=local),
    }


@dataclass
class JoinResult:
    region: Region
    steps: list[str] = field(default_factory=list)
    loaded: dict[str, int] = field(default_factory=dict)


def region_join(
    *, peer: str, token: str, name: str, endpoint: str, description: str = ""
) -> JoinResult:
    """Join the cloud that PEER belongs to: this fresh portal becomes a new region of it."""
    if Region.objects.filter(is_local=True).exists():
        raise invalid("peer", "This portal already serves a region.", "already_setup")
    peer = endpoint_normalize(peer, field="peer")
    endpoint = endpoint_normalize(endpoint)
    if not token:
        raise invalid(
            "token", "Enter the join token an admin of the existing region made.", "required"
        )
    steps = [f"Contacted {peer}"]
    try:
        response = requests.post(
            f"{peer}/api/peer/join/",
            json={"token": token, "name": name, "endpoint": endpoint, "description": description},
            timeout=JOIN_TIMEOUT,
        )
    except requests.RequestException as error:
        raise invalid(
            "peer", f"Cannot reach {peer} ({error.__class__.__name__}).", "unreachable"
        ) from error
    if response.status_code == 400:
        raise _remote_errors(response)
    if response.status_code != 200:
        raise invalid(
            "peer", f"{peer} answered HTTP {response.status_code}; is it a Region Portal?"
        )
    data = response.json()
    steps.append(
        f"Token accepted: this portal is region {data['region']['id']} ({data['region']['name']})"
    )
    with transaction.atomic():
        apply_lock()
        Federation.objects.update_or_create(pk=1, defaults={"secret": data["secret"]})
        loaded = snapshot_apply(data["snapshot"])
        local = Region.objects.get(uuid=data["region"]["uuid"])
        Region.objects.filter(pk=local.pk).update(is_local=True)
        for region_id, seq in data["snapshot"]["cursors"].items():
            if int(region_id) != local.pk and Region.objects.filter(pk=int(region_id)).exists():
                PeerLink.objects.update_or_create(
                    region_id=int(region_id), defaults={"pulled_seq": seq}
                )
    steps.append(
        "Loaded the registry and identity: "
        + ", ".join(f"{n} {model.split('.')[-1]}" for model, n in sorted(loaded.items()))
    )
    local.refresh_from_db()
    transaction.on_commit(_catch_up)
    return JoinResult(region=local, steps=steps, loaded=loaded)


def _catch_up() -> None:
    tasks.enqueue(tasks.replication_sweep)


def _remote_errors(response: requests.Response) -> ValidationError:
    try:
        errors = response.json()
    except ValueError:
        return invalid("peer", "The peer refused the join.")
    fields = {
        "token": "token",
        "name": "name",
        "endpoint": "endpoint",
        "id": "peer",
        "peer": "peer",
    }
    mapped: dict[str, list[str]] = {}
    for key, messages in errors.items() if isinstance(errors, dict) else []:
        target = fields.get(key, "peer")
        mapped.setdefault(target, []).extend(
            messages if isinstance(messages, list) else [str(messages)]
        )
    return ValidationError(mapped or {"peer": ["The peer refused the join."]})


def snapshot_apply(snapshot: dict[str, Any]) -> dict[str, int]:
    """Load a snapshot through the normal apply path; returns rows loaded per model."""
    objects = snapshot.get("objects", [])
    for start in range(0, len(objects), SNAPSHOT_PAGE):
        page_apply(objects[start : start + SNAPSHOT_PAGE])
    page_apply(snapshot.get("tombstones", []))
    parked = snapshot.get("parked", [])
    for start in range(0, len(parked), SNAPSHOT_PAGE):
        page_apply(parked[start : start + SNAPSHOT_PAGE])
    parked_retry()
    loaded: dict[str, int] = {}
    for data in objects:
        loaded[data["model"]] = loaded.get(data["model"], 0) + 1
    return loaded
