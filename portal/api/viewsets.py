"""The shared bases of every REST endpoint: reads through selectors, writes through services
(ServiceModelViewSet; a model with fewer writes takes ServiceReadViewSet and the mixins of
the writes it has).

Permissions are not decided here: selectors scope what an actor sees (404 otherwise) and
services refuse what an actor may not do (403), both through identity.permissions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import decorators, mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from portal.declarations import Audience, declaration
from portal.filtering import ListFilterSet
from portal.permissions import Action, require


class BodyMustParse:
    """A view mixin: a write's body is parsed before the view runs, so one that cannot be
    read is a 400 even where the view needs none (POST .../disable/ with broken JSON is
    refused, not carried out as if the client had sent nothing)."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            request.data  # noqa: B018  (parsing raises ParseError, answered as a 400)


_WRITES = {
    "POST": Action.ADD,
    "PUT": Action.CHANGE,
    "PATCH": Action.CHANGE,
    "DELETE": Action.DELETE,
}
_NOT_OWNED = {Audience.EVERYONE, Audience.ADMINS, Audience.ROOT}


class ServiceReadViewSet(BodyMustParse, viewsets.ReadOnlyModelViewSet):
    """Reads through the model's selector and its list's FilterSet; the writes a model has
    are added by the mixins below (ServiceModelViewSet has them all; alerts have reads and
    ServiceDestroyMixin)."""

    model: type[Model]
    selector: Callable[..., QuerySet]
    #: the list's filters, the same FilterSet its page and CloudStack command use
    filterset_class: type[ListFilterSet]
    #: the query a DELETE reads, its values handed to delete_service (?cleanup=true)
    delete_query_serializer: type[serializers.Serializer] | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        query = cls.__dict__.get("delete_query_serializer")
        if query is not None:  # the schema documents the DELETE's query
            extend_schema_view(destroy=extend_schema(parameters=[query]))(cls)

    @property
    def instance_kwarg(self) -> str:
        """The keyword the model's services take the instance by (zone=..., user=...)."""
        return self.model._meta.model_name

    @property
    def search_fields(self) -> tuple[str, ...]:
        """?search= looks where the list page's search does (the FilterSet's fields)."""
        return self.filterset_class.search_fields

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """A write to rows only admins write (the model's audience is not by ownership) is
        refused before its body is read: a 403, not a 400 about a body nobody may send. So is
        a read of rows only admins or root admins see (a restricted audience), by anyone else:
        a 403, not an empty list or a 404."""
        super().initial(request, *args, **kwargs)
        found = declaration(self.model)
        action = _WRITES.get(request.method or "")
        if action is None and found.restricted:
            action = Action.VIEW
        if action is not None and found.audience in _NOT_OWNED:
            require(request.user, action, self.model)

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no actor
            return self.model.objects.none()
        return type(self).selector(actor=self.request.user)

    def reread(self, instance: Model) -> Model:
        """INSTANCE as the selector gives it (annotations included), so the answer to a
        write has the same shape as a read."""
        return self.get_queryset().filter(pk=instance.pk).first() or instance


class ServiceCreateMixin(mixins.CreateModelMixin):
    """POST: `create_service(**the body's values, by=...)`."""

    create_service: Callable[..., Model]

    def create_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return data

    def perform_create(self, serializer) -> None:
        serializer.instance = self.reread(
            type(self).create_service(
                **self.create_kwargs(dict(serializer.validated_data)), by=self.request.user
            )
        )


class ServiceUpdateMixin(mixins.UpdateModelMixin):
    """PUT and PATCH: `update_service(<instance_kwarg>=the row, **the body's values, by=...)`."""

    update_service: Callable[..., Model]
    #: PUT and PATCH, where what is fixed at creation (a parent, an id) is read-only, so
    #: the schema of a change offers only what can change
    update_serializer_class: type[serializers.Serializer] | None = None

    def get_serializer_class(self) -> type[serializers.Serializer]:
        if self.action in ("update", "partial_update") and self.update_serializer_class:
            return self.update_serializer_class
        return super().get_serializer_class()

    def update_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return data

    def perform_update(self, serializer) -> None:
        serializer.instance = self.reread(
            type(self).update_service(
                **{self.instance_kwarg: serializer.instance},
                **self.update_kwargs(dict(serializer.validated_data)),
                by=self.request.user,
            )
        )


class ServiceDestroyMixin(mixins.DestroyModelMixin):
    """DELETE: `delete_service(<instance_kwarg>=the row, by=...)`."""

    delete_service: Callable[..., None]

    def perform_destroy(self, instance: Model) -> None:
        options: dict[str, Any] = {}
        if self.delete_query_serializer is not None:
            query = self.delete_query_serializer(data=self.request.query_params)
            query.is_valid(raise_exception=True)
            options = dict(query.validated_data)
        type(self).delete_service(
            **{self.instance_kwarg: instance}, **options, by=self.request.user
        )


class ServiceModelViewSet(
    ServiceCreateMixin, ServiceUpdateMixin, ServiceDestroyMixin, ServiceReadViewSet
):
    """Every read and write of a model: reads through its selector, writes through its
    services."""


def state_action(service: Callable[..., Model], name: str) -> Callable[..., Response]:
    """A POST action /<pk>/<name>/ of a ServiceModelViewSet that calls SERVICE on the object
    (enable, lock, suspend ...) and answers the object."""

    def view(self, request: Request, pk: Any = None) -> Response:
        obj = service(**{self.instance_kwarg: self.get_object()}, by=request.user)
        return Response(self.get_serializer(obj).data)

    view.__name__ = name
    view.__doc__ = f"{name.capitalize()} this object."
    # The schema annotation goes on last: @action replaces what it finds on the function.
    route = decorators.action(detail=True, methods=["post"], url_path=name)
    return extend_schema(request=None)(route(view))
