"""The peer API (/api/peer/): what regions of one cloud call on each other.

Every endpoint but join is signed with the federation secret (regions.federation.peer.signing); join
is authorised by a one-time join token instead, since the joiner has no secret yet.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from portal.api.errors import validation_error_to_api
from regions import tasks
from regions.federation.peer import signing
from regions.federation.replication import delivery, feed, join, region_ids, wakeups
from regions.federation.replication import stream as feed_stream
from regions.models import Region


def signed(view: Callable[..., JsonResponse]) -> Callable[..., JsonResponse]:
    """Refuse anything not signed by a region of this cloud; pass the sender's id on."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        try:
            sender = signing.verify(
                method=request.method,
                path=request.get_full_path(),
                headers=request.headers,
                body=request.body,
            )
        except signing.PeerAuthError as error:
            return JsonResponse({"detail": f"Peer authentication failed: {error}."}, status=403)
        local = Region.objects.filter(is_local=True).first()
        if local is None or sender == local.pk:
            return JsonResponse({"detail": "Not a peer of this region."}, status=403)
        if not delivery.replication_enabled():
            return JsonResponse({"detail": "Replication is turned off in this region."}, status=503)
        return view(request, *args, sender=sender, local=local, **kwargs)

    return csrf_exempt(wrapper)


@require_POST
@signed
def poke(request: HttpRequest, *, sender: int, local: Region) -> JsonResponse:
    if wakeups.wake(f"{wakeups.PULL} {sender}"):
        pass  # this region's replicator pulls at once (from every peer, for a newcomer)
    elif Region.objects.filter(pk=sender, is_local=False).exists():
        delivery.peer_links()
        tasks.enqueue(tasks.peer_pull, sender)
    else:
        tasks.enqueue(tasks.replication_sweep)  # a newcomer: learn of it from the others first
    return JsonResponse({"accepted": True}, status=202)


@require_GET
@signed
def changes(request: HttpRequest, *, sender: int, local: Region) -> JsonResponse:
    try:
        after = max(0, int(request.GET.get("after", "0")))
        limit = int(request.GET.get("limit", str(feed.FEED_LIMIT)))
    except ValueError:
        return JsonResponse({"detail": "after and limit must be whole numbers."}, status=400)
    delivery.record_peer_read(region_id=sender, after=after)
    page, _, _ = feed.feed_page_json(origin=local.pk, after=after, limit=limit)
    return HttpResponse(page, content_type="application/json")


@require_GET
@signed
def stream(request: HttpRequest, *, sender: int, local: Region) -> HttpResponse:
    """Our feed from ?after=N as it commits, one JSON line per page (replication/stream.py)."""
    try:
        after = max(0, int(request.GET.get("after", "0")))
    except ValueError:
        return JsonResponse({"detail": "after must be a whole number."}, status=400)
    if not request.META.get("wsgi.multithread", False):
        # A stream holds its worker for a minute: only where workers have threads.
        return JsonResponse(
            {"detail": "This region's web server has no threads to stream on; pull instead."},
            status=409,
        )
    try:
        lines = feed_stream.Held(feed_stream.serve(sender=sender, origin=local.pk, after=after))
    except feed_stream.Busy as busy:
        return JsonResponse({"detail": f"Busy: {busy}; pull instead."}, status=503)
    delivery.record_peer_read(region_id=sender, after=after)
    response = StreamingHttpResponse(lines, content_type="application/x-ndjson")
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"  # a buffering reverse proxy would hold lines back
    return response


@require_POST
@signed
def ack(request: HttpRequest, *, sender: int, local: Region) -> JsonResponse:
    """A streaming peer applied our feed up to {"seq": N} (health bookkeeping only)."""
    try:
        data = json.loads(request.body or b"{}")
        seq = data["seq"] if isinstance(data, dict) else None
        if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
            raise ValueError
    except (ValueError, KeyError):
        return JsonResponse({"detail": 'Send {"seq": a whole number >= 0}.'}, status=400)
    seq = min(seq, delivery.local_head())  # never more than we have
    delivery.record_peer_read(region_id=sender, after=seq)
    return JsonResponse({"acked": seq})


@require_GET
@signed
def snapshot(request: HttpRequest, *, sender: int, local: Region) -> JsonResponse:
    return JsonResponse(feed.snapshot_build(local=local))


def _region_id_request(request: HttpRequest, sender: int) -> tuple[int, uuid.UUID]:
    """The id and joining region's UUID of a reserve or release call; ValueError if malformed."""
    data = json.loads(request.body or b"{}")
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    region_id = data.get("id")
    if isinstance(region_id, bool) or not isinstance(region_id, int):
        raise ValueError("id is not a whole number")
    if data.get("acceptor", sender) != sender:
        raise ValueError("acceptor is not the sender")
    return region_id, uuid.UUID(str(data.get("uuid", "")))


@require_POST
@signed
def region_id_reserve(request: HttpRequest, *, sender: int, local: Region) -> JsonResponse:
    """Another region accepts a join: promise it the id, or refuse (409) if it is held here."""
    try:
        region_id, region_uuid = _region_id_request(request, sender)
    except ValueError as error:
        return JsonResponse({"detail": f"Send {{id, uuid, acceptor}}: {error}."}, status=400)
    try:
        region_ids.region_id_reserve(region_id=region_id, region_uuid=region_uuid, acceptor=sender)
    except region_ids.RegionIdTaken as taken:
        return JsonResponse(
            {
                "detail": taken.detail,
                "reason": taken.reason,
                "highest": region_ids.region_id_highest(),
            },
            status=409,
        )
    return JsonResponse({"reserved": region_id, "uuid": str(region_uuid), "by": local.pk})


@require_POST
@signed
def region_id_release(request: HttpRequest, *, sender: int, local: Region) -> JsonResponse:
    """The join that reserved the id failed: forget that UUID's reservation (idempotent)."""
    try:
        region_id, region_uuid = _region_id_request(request, sender)
    except ValueError as error:
        return JsonResponse({"detail": f"Send {{id, uuid, acceptor}}: {error}."}, status=400)
    released = region_ids.region_id_release(region_id=region_id, region_uuid=region_uuid)
    return JsonResponse({"released": released})


@csrf_exempt
@require_POST
def join_request(request: HttpRequest) -> JsonResponse:
    """A new region presents a join token; it gets a region id, the secret and a snapshot."""
    try:
        data = json.loads(request.body or b"{}")
        if not isinstance(data, dict):
            raise ValueError
    except ValueError:
        return JsonResponse({"detail": "Send a JSON object."}, status=400)
    try:
        result = join.join_accept(
            token=str(data.get("token", "")),
            name=str(data.get("name", "")),
            endpoint=str(data.get("endpoint", "")),
            description=str(data.get("description", "")),
        )
    except ValidationError as error:
        return JsonResponse(validation_error_to_api(error).detail, status=400, safe=False)
    return JsonResponse(result)
