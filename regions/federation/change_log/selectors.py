"""Reads of the change log: this region's rows, and the cloud's, merged from every region.

Each region keeps only the writes made there (portal.audit), so the cloud-wide list asks
each peer for its rows (`/api/peer/change-log/`, signed) in parallel and merges them, newest
first. A region that does not answer in time is named on the page, never waited for: one
region down leaves the list of the others working.

Pages are cut by a cursor (time, region, id) rather than by an offset, so a row written
while someone pages, here or in another region, neither repeats nor hides a row.
"""

from __future__ import annotations

import datetime
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils.text import capfirst

from portal.declarations import Declaration, Scope, declaration, declarations
from portal.models import ObjectChange
from portal.validation import CONTROL
from regions.federation.peer import signing
from regions.federation.peer.client import PeerError, peer_call, peer_url
from regions.models import Region

PAGE_SIZE = 50
#: how long the list waits for a peer (connect, read), in seconds
PEER_TIMEOUT = (2.0, 5.0)

Cursor = tuple[datetime.datetime, int, uuid.UUID]


@dataclass(frozen=True)
class ChangeFilters:
    #: a username (any case) or a user id
    user: str = ""
    #: a model's label (identity.User)
    model: str = ""
    object_id: str = ""
    action: str = ""
    since: datetime.datetime | None = None
    until: datetime.datetime | None = None
    #: one region's rows only
    region: int | None = None

    def params(self) -> dict[str, str]:
        """As the peer endpoint takes them (the region is chosen before asking)."""
        values = {
            "user": self.user,
            "model": self.model,
            "object_id": self.object_id,
            "action": self.action,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
        }
        return {key: value for key, value in values.items() if value}


def logged_models() -> list[tuple[str, str]]:
    """(label, name) of every model whose writes are logged, for the type filter."""
    return sorted(
        (found.label, capfirst(str(found.model._meta.verbose_name)))
        for found in declarations()
        if found.logs_changes
    )


def local_changes(
    filters: ChangeFilters, *, region_id: int, before: Cursor | None = None
) -> QuerySet[ObjectChange]:
    """This region's rows (it is REGION_ID) that FILTERS let through, newest first."""
    rows = ObjectChange.objects.all()
    texts = (filters.user, filters.model, filters.object_id)
    if any(CONTROL.search(text) for text in texts):
        return rows.none()  # names nothing (and PostgreSQL takes no NUL in a query)
    if filters.user:
        try:
            rows = rows.filter(actor_id=uuid.UUID(filters.user))
        except ValueError:
            rows = rows.filter(actor_name__iexact=filters.user)
    if filters.model:
        rows = rows.filter(model=filters.model)
    if filters.object_id:
        rows = rows.filter(object_id=filters.object_id)
    if filters.action:
        rows = rows.filter(action=filters.action)
    if filters.since:
        rows = rows.filter(time__gte=filters.since)
    if filters.until:
        rows = rows.filter(time__lt=filters.until)
    if before is not None:
        rows = rows.filter(_older(before, region_id))
    return rows.order_by("-time", "-id")


def _older(cursor: Cursor, region_id: int) -> Q:
    """Rows of region REGION_ID after CURSOR in (time, region, id) descending order."""
    time, region, row_id = cursor
    if region_id < region:
        return Q(time__lte=time)
    if region_id > region:
        return Q(time__lt=time)
    return Q(time__lt=time) | Q(time=time, id__lt=row_id)


def change_to_json(row: ObjectChange, region_id: int) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "region": region_id,
        "time": row.time.isoformat(),
        "action": row.action,
        "model": row.model,
        "object_id": row.object_id,
        "object_repr": row.object_repr,
        "actor_id": str(row.actor_id) if row.actor_id else None,
        "actor_name": row.actor_name,
        "actor_region": row.actor_region,
        "request_id": row.request_id,
        "data": row.data,
    }


def local_page(
    filters: ChangeFilters, *, region_id: int, before: Cursor | None, limit: int
) -> dict[str, Any]:
    """At most LIMIT of this region's rows after BEFORE, as JSON, and whether more follow."""
    rows = list(local_changes(filters, region_id=region_id, before=before)[: limit + 1])
    return {
        "changes": [change_to_json(row, region_id) for row in rows[:limit]],
        "more": len(rows) > limit,
    }


def recent_local_changes(*, region_id: int, limit: int = 10) -> list[dict[str, Any]]:
    """This region's newest changes (the dashboard's card): no peer is asked."""
    return local_page(ChangeFilters(), region_id=region_id, before=None, limit=limit)["changes"]


@dataclass
class CloudPage:
    changes: list[dict[str, Any]]
    #: the cursor of the next page, or None at the end
    next: str | None
    #: regions that did not answer: their rows are missing from this page
    unreachable: list[Region] = field(default_factory=list)


def cursor_text(row: dict[str, Any]) -> str:
    return f"{row['time']}|{row['region']}|{row['id']}"


def cursor_parse(text: str) -> Cursor | None:
    """The cursor TEXT names; None for anything else (the first page)."""
    try:
        time, region, row_id = text.split("|")
        moment = datetime.datetime.fromisoformat(time)
        if moment.tzinfo is None:
            return None
        return moment, int(region), uuid.UUID(row_id)
    except ValueError:
        return None


def cloud_changes(
    filters: ChangeFilters, *, before: Cursor | None = None, limit: int = PAGE_SIZE
) -> CloudPage:
    """The changes of every region (or of FILTERS.region) after BEFORE, newest first.

    Rows of a model that lives in one region only (a zone) are asked of this region alone.
    """
    local = Region.objects.get(is_local=True)
    regions = [local]
    if not _local_only(filters.model):
        regions += list(Region.objects.filter(is_local=False).order_by("pk"))
    if filters.region is not None:
        regions = [r for r in regions if r.pk == filters.region]
    peers = [r for r in regions if not r.is_local]
    pages: list[dict[str, Any]] = []
    unreachable: list[Region] = []
    if local in regions:
        pages.append(local_page(filters, region_id=local.pk, before=before, limit=limit))
    if peers:
        # The threads touch no database: what they need is read here first.
        try:
            secret = signing.federation_secret()
        except signing.PeerAuthError:
            secret = ""  # no federation yet: no peer would take a request
        with ThreadPoolExecutor(max_workers=min(8, len(peers))) as pool:
            answers = list(
                pool.map(lambda r: _peer_page(r, local.pk, secret, filters, before, limit), peers)
            )
        for region, answer in zip(peers, answers, strict=True):
            if answer is None:
                unreachable.append(region)
            else:
                pages.append(answer)
    merged = sorted(
        (row for page in pages for row in page["changes"]),
        key=lambda row: (row["time"], row["region"], uuid.UUID(row["id"])),
        reverse=True,
    )
    shown = merged[:limit]
    more = len(merged) > limit or any(page["more"] for page in pages)
    return CloudPage(
        changes=shown,
        next=cursor_text(shown[-1]) if more and shown else None,
        unreachable=unreachable,
    )


def _local_only(label: str) -> bool:
    """Whether LABEL names a logged model whose rows live in one region only."""
    found = logged_model(label) if label else None
    return found is not None and found.scope != Scope.CLOUD


def _peer_page(
    region: Region,
    local_id: int,
    secret: str,
    filters: ChangeFilters,
    before: Cursor | None,
    limit: int,
) -> dict[str, Any] | None:
    params = {**filters.params(), "limit": str(limit)}
    if before is not None:
        params["before"] = f"{before[0].isoformat()}|{before[1]}|{before[2]}"
    try:
        answer = peer_call(
            endpoint=peer_url(region),
            method="GET",
            path="/api/peer/change-log/",
            local_region_id=local_id,
            secret=secret,
            params=params,
            timeout=PEER_TIMEOUT,
        )
        return _checked(answer, region)
    except (PeerError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _checked(answer: Any, region: Region) -> dict[str, Any]:
    """A peer's page, with each row's region set to the region asked (never trusted)."""
    rows = answer["changes"]
    for row in rows:
        datetime.datetime.fromisoformat(row["time"])
        uuid.UUID(row["id"])
        row["region"] = region.pk
    return {"changes": rows, "more": bool(answer["more"])}


def object_history(model: str, object_id: str) -> CloudPage:
    """Every change of one object, newest first: from every region for a cloud-wide model."""
    return cloud_changes(ChangeFilters(model=model, object_id=object_id), limit=500)


def logged_model(label: str) -> Declaration | None:
    """The declaration of the logged model LABEL names, or None."""
    try:
        found = declaration(apps.get_model(label))
    except (LookupError, ValueError):
        return None
    return found if found.logs_changes else None
