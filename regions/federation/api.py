"""REST endpoints of the federation: health, retry, replication switch, join tokens, events."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.viewsets import BodyMustParse
from portal.permissions import Action, require
from regions.federation.replication.feed import FEED_LIMIT, feed_read
from regions.federation.replication.health import federation_health
from regions.federation.replication.join import join_token_create
from regions.federation.selectors import overrides_filtered
from regions.federation.services import peer_retry, replication_set
from regions.models import Federation, OverrideKind, PeerLink


class PeerHealthSerializer(serializers.Serializer):
    region_id = serializers.IntegerField(source="region.id")
    name = serializers.CharField(source="region.name")
    endpoint = serializers.CharField(source="region.endpoint")
    reachable = serializers.BooleanField()
    last_contact = serializers.DateTimeField(allow_null=True)
    last_error = serializers.CharField()
    pending = serializers.IntegerField(help_text="Our changes the peer has not pulled yet.")
    oldest_pending_seconds = serializers.FloatField(allow_null=True, help_text="Lag in seconds.")
    pulled_seq = serializers.IntegerField()
    acked_seq = serializers.IntegerField()
    parked = serializers.IntegerField()
    dead_letters = serializers.IntegerField()


class FederationHealthSerializer(serializers.Serializer):
    region_id = serializers.IntegerField(source="local.id", allow_null=True)
    replication_enabled = serializers.BooleanField()
    head_seq = serializers.IntegerField()
    peers = PeerHealthSerializer(many=True)


OVERRIDE_LIMIT = 500


class OverrideSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=OverrideKind.choices)
    model = serializers.CharField(help_text="The replicated model, e.g. identity.user.")
    object_id = serializers.CharField()
    overridden_origin = serializers.IntegerField(
        help_text="Region whose acknowledged write was overridden (0: unknown)."
    )
    winner_origin = serializers.IntegerField(help_text="Region whose write won (0: a rule).")
    detail = serializers.CharField()


class OverrideQuerySerializer(serializers.Serializer):
    """The query of GET /api/federation/overrides/: filters, all optional."""

    kind = serializers.ChoiceField(choices=OverrideKind.choices, required=False)
    model = serializers.CharField(
        required=False, trim_whitespace=False, help_text="The replicated model, e.g. identity.user."
    )
    object_id = serializers.CharField(required=False, trim_whitespace=False)
    limit = serializers.IntegerField(
        min_value=1, max_value=OVERRIDE_LIMIT, default=OVERRIDE_LIMIT, help_text="Newest first."
    )

    def validate(self, attrs: dict) -> dict:
        # DRF skips a blank query value as a form's empty input; here only leaving a
        # parameter out means "no filter" (or the default), as on every list.
        blank = [name for name in self.fields if self.initial_data.get(name) == ""]
        if blank:
            raise serializers.ValidationError(
                {name: [f"Send a value, or leave {name} out."] for name in blank}
            )
        return attrs


class OverrideListView(APIView):
    @extend_schema(parameters=[OverrideQuerySerializer], responses=OverrideSerializer(many=True))
    def get(self, request: Request) -> Response:
        """Acknowledged writes that replication had to override here, and why (newest first)."""
        require(request.user, Action.VIEW, Federation)
        query = OverrideQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = overrides_filtered(
            kind=query.validated_data.get("kind"),
            model=query.validated_data.get("model"),
            object_id=query.validated_data.get("object_id"),
        )[: query.validated_data["limit"]]
        return Response(OverrideSerializer(rows, many=True).data)


class FederationView(APIView):
    @extend_schema(responses=FederationHealthSerializer)
    def get(self, request: Request) -> Response:
        """Per peer: reachable, last contact, pending changes, lag in seconds, dead letters."""
        require(request.user, Action.VIEW, Federation)
        return Response(FederationHealthSerializer(federation_health()).data)


class PeerRetryView(BodyMustParse, APIView):
    @extend_schema(request=None, responses={202: None})
    def post(self, request: Request, pk: int) -> Response:
        """Pull from the peer now, poke it, and retry its parked changes."""
        require(request.user, Action.CHANGE, PeerLink)
        # By the region's id, whose lookup knows an id too large for any row (as pk=, through
        # the one-to-one key, does not: SQLite raised OverflowError on /peers/2**80/retry/).
        link = get_object_or_404(PeerLink, region__id=pk)
        peer_retry(link=link, by=request.user)
        return Response(status=status.HTTP_202_ACCEPTED)


class ReplicationView(APIView):
    @extend_schema(
        request=inline_serializer("ReplicationSwitch", {"enabled": serializers.BooleanField()}),
        responses=inline_serializer("ReplicationState", {"enabled": serializers.BooleanField()}),
    )
    def put(self, request: Request) -> Response:
        """Turn replication off (events are still published) or back on."""
        require(request.user, Action.CHANGE, Federation)
        enabled = request.data.get("enabled") if isinstance(request.data, dict) else None
        if not isinstance(enabled, bool):
            return Response({"enabled": ["Send true or false."]}, status=400)
        federation = replication_set(enabled=enabled, by=request.user)
        return Response({"enabled": federation.replication_enabled})


class JoinTokenView(BodyMustParse, APIView):
    @extend_schema(
        request=None,
        responses={
            201: inline_serializer(
                "JoinToken",
                {"token": serializers.CharField(), "expires_at": serializers.DateTimeField()},
            )
        },
    )
    def post(self, request: Request) -> Response:
        """A one-time join token, returned this once (stored hashed)."""
        row, token = join_token_create(by=request.user)
        response = Response({"token": token, "expires_at": row.expires_at}, status=201)
        response["Cache-Control"] = "no-store"
        return response


class EventFeedView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("after", int, description="Cursor: the last seq you have."),
            OpenApiParameter("limit", int, description=f"At most {FEED_LIMIT}."),
        ],
        responses=inline_serializer(
            "EventPage",
            {
                "events": serializers.ListField(child=serializers.DictField()),
                "last_seq": serializers.IntegerField(),
                "more": serializers.BooleanField(),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        """Every identity, registry and global-setting change made in this region, in order.

        For operators who sync with their own tools (with or without replication on). Each
        event carries the full record state, its version and origin region.
        """
        require(request.user, Action.VIEW, Federation)
        try:
            after = max(0, int(request.query_params.get("after", 0)))
            limit = max(1, min(int(request.query_params.get("limit", 100)), FEED_LIMIT))
        except ValueError:
            return Response({"after": ["Send whole numbers for after and limit."]}, status=400)
        page = feed_read(origin=request.region.pk, after=after, limit=limit)
        return Response(
            {"events": page["changes"], "last_seq": page["last_seq"], "more": page["more"]}
        )
