"""The shared base of every REST endpoint: reads through selectors, writes through services.

Permissions are not decided here: selectors scope what an actor sees (404 otherwise) and
services refuse what an actor may not do (403), both through identity.permissions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
from rest_framework import viewsets


class ServiceModelViewSet(viewsets.ModelViewSet):
    model: type[Model]
    selector: Callable[..., QuerySet]
    create_service: Callable[..., Model]
    update_service: Callable[..., Model]
    delete_service: Callable[..., None]
    #: the keyword a service takes the instance by (zone=..., user=...)
    instance_kwarg: str

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no actor
            return self.model.objects.none()
        return type(self).selector(actor=self.request.user)

    def create_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return data

    def update_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return data

    def reread(self, instance: Model) -> Model:
        """INSTANCE as the selector gives it (annotations included), so the answer to a
        write has the same shape as a read."""
        return self.get_queryset().filter(pk=instance.pk).first() or instance

    def perform_create(self, serializer) -> None:
        serializer.instance = self.reread(
            type(self).create_service(
                **self.create_kwargs(dict(serializer.validated_data)), by=self.request.user
            )
        )

    def perform_update(self, serializer) -> None:
        serializer.instance = self.reread(
            type(self).update_service(
                **{self.instance_kwarg: serializer.instance},
                **self.update_kwargs(dict(serializer.validated_data)),
                by=self.request.user,
            )
        )

    def perform_destroy(self, instance: Model) -> None:
        type(self).delete_service(**{self.instance_kwarg: instance}, by=self.request.user)
