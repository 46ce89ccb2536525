"""Non-interactive first run, for automation: the same as the wizard at /setup/."""

from __future__ import annotations

import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from console.services import region_setup
from portal.validation import describe_error


class Command(BaseCommand):
    help = (
        "Define the region this portal serves and its first root admin. The password is read "
        "from the environment variable named by --admin-password-env, never from the command line."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--id", type=int, required=True, help="Cloud-wide region id.")
        parser.add_argument("--name", required=True)
        parser.add_argument("--endpoint", required=True, help="Public URL of this portal.")
        parser.add_argument("--description", default="")
        parser.add_argument("--admin-username", required=True)
        parser.add_argument("--admin-password-env", required=True, metavar="VAR")
        parser.add_argument("--admin-email", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        variable = options["admin_password_env"]
        password = os.environ.get(variable)
        if not password:
            raise CommandError(f"Environment variable {variable} is not set or empty.")
        try:
            result = region_setup(
                region={
                    "id": options["id"],
                    "name": options["name"],
                    "endpoint": options["endpoint"],
                    "description": options["description"],
                },
                admin={
                    "username": options["admin_username"],
                    "password": password,
                    "email": options["admin_email"],
                },
            )
        except ValidationError as error:
            raise CommandError(describe_error(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"This portal now serves region {result.region.id} ({result.region.name}) at "
                f"{result.region.endpoint}; root admin: {result.admin.username}."
            )
        )
