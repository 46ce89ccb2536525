"""manage.py deploy_datacenter FILE.json: zones, pods, clusters, hosts, primary storage, IP
and VLAN ranges from one description, as CloudStack's Marvin deploys a datacenter
(zones/services/datacenter.py). Idempotent; a bad entry is named by its path and nothing of
the file is written."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zones.services.datacenter import DeployError, datacenter_deploy


class Command(BaseCommand):
    help = (
        "Deploy the zones, pods, clusters, hosts, primary storage and IP and VLAN ranges a "
        "JSON file describes (Marvin's shape; see zones/services/datacenter.py). What exists "
        "is kept; a bad entry is refused with its path, and then nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The datacenter's description (JSON); - for stdin.")

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["file"]
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text()
        except OSError as error:
            raise CommandError(f"{name}: {error.strerror}") from error
        try:
            description = json.loads(text)
        except json.JSONDecodeError as error:
            raise CommandError(f"{name}: not JSON: {error}") from error
        try:
            report = datacenter_deploy(description=description, by=None)
        except DeployError as error:
            raise CommandError(f"{name}: {error}") from error
        made = ", ".join(f"{n} {kind}" for kind, n in report["made"].items()) or "nothing"
        kept = ", ".join(f"{n} {kind}" for kind, n in report["kept"].items()) or "nothing"
        self.stdout.write(self.style.SUCCESS(f"Made {made}; already there: {kept}."))
