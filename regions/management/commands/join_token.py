"""Make a one-time join token (printed once) for a new region to join through this one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.validation import describe_error
from regions.federation.replication.join import join_token_create


class Command(BaseCommand):
    help = "Print a new one-time join token, valid for --minutes (default 60)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--minutes", type=int, default=60)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["minutes"] < 1:
            raise CommandError("--minutes must be at least 1.")
        try:
            _, token = join_token_create(by=None, ttl=timedelta(minutes=options["minutes"]))
        except ValidationError as error:
            raise CommandError(describe_error(error)) from error
        self.stdout.write(token)
