"""Housekeeping of the provider: expired codes and tokens go, live ones stay."""

from __future__ import annotations

from datetime import timedelta

from allauth.idp.oidc.models import Token
from django.conf import settings
from django.utils import timezone

from identity.sso.tasks import sso_tokens_purge


def test_expired_tokens_are_purged_and_live_ones_kept(region, alice):
    now = timezone.now()
    expired = Token.objects.create(
        type=Token.Type.AUTHORIZATION_CODE, hash="a" * 64, user=alice, expires_at=now - timedelta(1)
    )
    live = Token.objects.create(
        type=Token.Type.ACCESS_TOKEN, hash="b" * 64, user=alice, expires_at=now + timedelta(1)
    )
    assert sso_tokens_purge() == 1
    assert not Token.objects.filter(pk=expired.pk).exists()
    assert Token.objects.filter(pk=live.pk).exists()


def test_the_purge_runs_from_beat_every_hour():
    entry = settings.CELERY_BEAT_SCHEDULE["sso-tokens-purge"]
    assert entry == {"task": "identity.sso.tasks.sso_tokens_purge", "schedule": 3600.0}
