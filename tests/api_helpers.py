"""REST test clients per role, built on DRF's APIClient with a real session login."""

from __future__ import annotations

from rest_framework.test import APIClient


def api_client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    return client
