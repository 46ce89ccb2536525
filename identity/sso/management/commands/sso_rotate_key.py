"""Rotate this region's single sign-on signing key."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand

from identity.sso.services import RETIRED_KEY_PUBLISHED, signing_key_rotate


class Command(BaseCommand):
    help = (
        "Make a new RSA key that signs this region's ID tokens from now on. The previous "
        "keys stay published (JWKS) for --keep-hours, so tokens they signed still verify."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--keep-hours",
            type=float,
            default=RETIRED_KEY_PUBLISHED.total_seconds() / 3600,
            help="How long retired keys stay published (default: %(default)s).",
        )

    def handle(self, *args, keep_hours: float, **options) -> None:
        key = signing_key_rotate(retire_after=timedelta(hours=keep_hours))
        self.stdout.write(f"New signing key {key.kid}; older keys retire in {keep_hours:g} h.")
