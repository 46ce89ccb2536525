"""GET /api/changes/: the cloud-wide change log for root admins, as the Changes page lists it."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.models import ChangeAction, ObjectChange
from portal.permissions import Action, require
from regions.federation.change_log.forms import ChangeFilterForm
from regions.federation.change_log.selectors import cloud_changes, cursor_parse

#: a text filter: sent, it is not empty
TEXT = {"type": "string", "minLength": 1}


class ChangeSerializer(serializers.Serializer):
    """One row of the change log (schema only: rows are sent as the peers' JSON)."""

    id = serializers.UUIDField()
    region = serializers.IntegerField(help_text="Where the change was made.")
    time = serializers.DateTimeField()
    action = serializers.ChoiceField(choices=ChangeAction.choices)
    model = serializers.CharField(help_text="The model's label, such as identity.User.")
    object_id = serializers.CharField()
    object_repr = serializers.CharField()
    actor_id = serializers.UUIDField(allow_null=True, help_text="The user who acted.")
    actor_name = serializers.CharField(help_text="Their username; empty for the system.")
    actor_region = serializers.IntegerField(
        allow_null=True,
        help_text="Set when this region decided it while applying that region's change.",
    )
    request_id = serializers.CharField(help_text="The request's or async job's id.")
    data = serializers.DictField(help_text="The object's fields after the change.")


class ChangeListView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("user", TEXT, description="A username or a user id."),
            OpenApiParameter("model", TEXT, description="A model's label (identity.User)."),
            OpenApiParameter("object_id", TEXT, description="One object's changes."),
            OpenApiParameter("action", str, enum=ChangeAction.values),
            OpenApiParameter("region", int, description="One region's changes."),
            OpenApiParameter("since", OpenApiTypes.DATETIME, description="From this time on."),
            OpenApiParameter("until", OpenApiTypes.DATETIME, description="Before this time."),
            OpenApiParameter(
                "before", TEXT, description="The `next` of a page (404 for anything else)."
            ),
        ],
        responses={
            200: inline_serializer(
                "ObjectChangePage",
                {
                    "results": ChangeSerializer(many=True),
                    "next": serializers.CharField(allow_null=True),
                    "unreachable": serializers.ListField(
                        child=serializers.IntegerField(),
                        help_text="Regions that did not answer: their changes are missing.",
                    ),
                },
            ),
            400: OpenApiResponse(description="A filter that cannot be read, named."),
            404: OpenApiResponse(description="`before` is no page of this list."),
        },
    )
    def get(self, request: Request) -> Response:
        """Every region's changes, newest first, 50 a page (follow `next` as `before`)."""
        require(request.user, Action.VIEW, ObjectChange)
        form = ChangeFilterForm(request.query_params)
        empty = {
            name: [f"Send a value, or leave {name} out."]
            for name, value in request.query_params.items()
            if (name in form.fields or name == "before") and not value.strip()
        }
        if empty or not form.is_valid():
            errors = {name: list(messages) for name, messages in form.errors.items()}
            return Response({**errors, **empty}, 400)
        before = request.query_params.get("before", "")
        cursor = cursor_parse(before) if before else None
        if before and cursor is None:  # a page that is not there, as an unknown id is
            return Response({"before": ["No page of this list starts there."]}, 404)
        page = cloud_changes(form.filters(), before=cursor)
        return Response(
            {
                "results": page.changes,
                "next": page.next,
                "unreachable": [region.pk for region in page.unreachable],
            }
        )
