"""Non-interactive join: this fresh portal becomes a new region of an existing cloud."""

from __future__ import annotations

import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.validation import describe_error
from regions.federation.replication.join import region_join


class Command(BaseCommand):
    help = (
        "Join the cloud of an existing region with a one-time join token made there. The "
        "token is read from the environment variable named by --token-env."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--peer", required=True, help="Endpoint of any region of the cloud.")
        parser.add_argument("--token-env", required=True, metavar="VAR")
        parser.add_argument("--name", required=True, help="Name of this new region.")
        parser.add_argument("--endpoint", required=True, help="Public URL of this portal.")
        parser.add_argument("--description", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        token = os.environ.get(options["token_env"])
        if not token:
            raise CommandError(f"Environment variable {options['token_env']} is not set or empty.")
        try:
            result = region_join(
                peer=options["peer"],
                token=token,
                name=options["name"],
                endpoint=options["endpoint"],
                description=options["description"],
            )
        except ValidationError as error:
            raise CommandError(describe_error(error)) from error
        for step in result.steps:
            self.stdout.write(f"- {step}")
        self.stdout.write(
            self.style.SUCCESS(
                f"This portal now serves region {result.region.pk} ({result.region.name})."
            )
        )
