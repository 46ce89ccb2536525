"""Import users from a CSV file into one account, all or nothing."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from identity.models import Account
from identity.services.imports import users_import
from portal.validation import describe_error


class Command(BaseCommand):
    # A data command: the system checks (URLs, templates, every app) run with the web server
    # and `manage.py check`; here they would only add a fifth of a second to every import.
    requires_system_checks: list[str] = []
    help = (
        "Import users from CSV (columns: username, email, first_name, last_name, timezone, and "
        "password_hash or password) into the account given by its UUID."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--account", required=True, help="UUID of the account.")
        parser.add_argument("csv_file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            account = Account.objects.filter(pk=options["account"]).first()
        except ValidationError:  # not a UUID at all
            account = None
        if account is None:
            raise CommandError(f"No account with id {options['account']}.")
        try:
            with options["csv_file"].open(newline="") as handle:
                rows = list(csv.DictReader(handle))
        except OSError as error:
            raise CommandError(f"Cannot read {options['csv_file']}: {error}") from error
        try:
            users = users_import(account=account, rows=rows, by=None)
        except ValidationError as error:
            raise CommandError(describe_error(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Imported {len(users)} users into {account.name}."))
