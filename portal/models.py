"""Shared model bases."""

import uuid

from django.db import models


class UUIDModel(models.Model):
    """A row whose identity is a UUID made once, where it was created, valid cloud-wide."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
