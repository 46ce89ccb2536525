"""REST endpoints of the identity hierarchy: thin over identity.selectors and services."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from identity import selectors, services
from identity.api.serializers import (
    AccountSerializer,
    AccountUpdateSerializer,
    DomainDeleteSerializer,
    DomainSerializer,
    DomainUpdateSerializer,
    MemberRemoveSerializer,
    MembershipSerializer,
    PasswordSerializer,
    ProjectSerializer,
    ProjectUpdateSerializer,
    UserSerializer,
    UserUpdateSerializer,
)
from identity.filtersets import (
    AccountFilterSet,
    DomainFilterSet,
    ProjectFilterSet,
    UserFilterSet,
)
from identity.models import Account, Domain, Project, User
from portal.api.schema import error_answer
from portal.api.viewsets import ServiceModelViewSet, state_action


class DomainViewSet(ServiceModelViewSet):
    """Domains: a tree under ROOT. DELETE takes ?cleanup=true to delete everything inside."""

    model = Domain

    serializer_class = DomainSerializer
    update_serializer_class = DomainUpdateSerializer
    filterset_class = DomainFilterSet
    ordering_fields = ["path", "name"]
    selector = selectors.domains_visible_to
    create_service = services.domain_create
    update_service = services.domain_update
    delete_service = services.domain_delete
    delete_query_serializer = DomainDeleteSerializer


class AccountViewSet(ServiceModelViewSet):
    """Accounts; type is CloudStack's code: 0 user, 1 root admin, 2 domain admin."""

    model = Account

    serializer_class = AccountSerializer
    update_serializer_class = AccountUpdateSerializer
    filterset_class = AccountFilterSet
    ordering_fields = ["name", "created"]
    selector = selectors.accounts_visible_to
    create_service = services.account_create
    update_service = services.account_update
    delete_service = services.account_delete
    enable = state_action(services.account_enable, "enable")
    disable = state_action(services.account_disable, "disable")
    lock = state_action(services.account_lock, "lock")


class UserViewSet(ServiceModelViewSet):
    """Users; passwords are write-only and never returned, hashed or not."""

    model = User

    serializer_class = UserSerializer
    update_serializer_class = UserUpdateSerializer
    filterset_class = UserFilterSet
    ordering_fields = ["username", "created"]
    selector = selectors.users_visible_to
    create_service = services.user_create
    update_service = services.user_update
    delete_service = services.user_delete
    enable = state_action(services.user_enable, "enable")
    disable = state_action(services.user_disable, "disable")
    lock = state_action(services.user_lock, "lock")

    @extend_schema(request=PasswordSerializer, responses={204: None, 429: error_answer(429)})
    @action(
        detail=True, methods=["post"], url_path="set_password", serializer_class=PasswordSerializer
    )
    def set_password(self, request: Request, pk: Any = None) -> Response:
        """Set a new password (checked by the password rules); your own needs the current one,
        so a token or session alone cannot take the account over."""
        user = self.get_object()  # an unknown user is a 404 whatever the body says
        serializer = PasswordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.user_password_change(
            user=user,
            password=serializer.validated_data["password"],
            current_password=serializer.validated_data.get("current_password"),
            by=request.user,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProjectViewSet(ServiceModelViewSet):
    """Projects: owned by an account of their domain, which is always an admin member."""

    model = Project

    serializer_class = ProjectSerializer
    update_serializer_class = ProjectUpdateSerializer
    filterset_class = ProjectFilterSet
    ordering_fields = ["name", "created"]
    selector = selectors.projects_visible_to
    create_service = services.project_create
    update_service = services.project_update
    delete_service = services.project_delete
    suspend = state_action(services.project_suspend, "suspend")
    activate = state_action(services.project_activate, "activate")

    @extend_schema(methods=["GET"], responses=MembershipSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=MembershipSerializer, responses={201: MembershipSerializer}
    )
    @extend_schema(
        methods=["DELETE"],
        parameters=[OpenApiParameter("account", OpenApiTypes.UUID, required=True)],
        responses={204: None},
    )
    @action(
        detail=True,
        methods=["get", "post", "delete"],
        serializer_class=MembershipSerializer,
        pagination_class=None,  # the answer is the whole list, as the schema says
    )
    def members(self, request: Request, pk: Any = None) -> Response:
        """List members; POST {account, role} adds one; DELETE ?account=<uuid> removes one."""
        project = self.get_object()
        if request.method == "GET":
            memberships = selectors.project_members(project=project)
            return Response(MembershipSerializer(memberships, many=True).data)
        if request.method == "POST":
            serializer = MembershipSerializer(
                data=request.data, context=self.get_serializer_context()
            )
            serializer.is_valid(raise_exception=True)
            membership = services.project_member_add(
                project=project, **serializer.validated_data, by=request.user
            )
            return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)
        query = MemberRemoveSerializer(
            data=request.query_params, project=project, actor=request.user
        )
        query.is_valid(raise_exception=True)
        services.project_member_remove(
            project=project, account=query.validated_data["account"], by=request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
