"""Housekeeping of this region's OpenID Connect provider."""

from __future__ import annotations

from allauth.idp.oidc.models import Token
from celery import shared_task


@shared_task
def sso_tokens_purge() -> int:
    """Expired authorization codes and tokens are of no use; they would only pile up."""
    return Token.objects.expired().delete()[0]
