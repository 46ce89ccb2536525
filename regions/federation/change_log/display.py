"""The change log's rows as the pages show them: time, region and type names, who acted."""

from __future__ import annotations

import datetime
from typing import Any

from portal.models import ChangeAction
from regions.federation.change_log.selectors import logged_models
from regions.models import Region


def rows_shown(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """ROWS with what the pages show: time, region and type names, who acted."""
    regions = dict(Region.objects.values_list("pk", "name"))
    types = dict(logged_models())
    actions = dict(ChangeAction.choices)
    for row in rows:
        row["when"] = datetime.datetime.fromisoformat(row["time"])
        row["region_name"] = regions.get(row["region"], f"region {row['region']}")
        row["type_name"] = types.get(row["model"], row["model"])
        row["action_name"] = actions.get(row["action"], row["action"])
        if row["actor_name"]:
            row["actor"] = row["actor_name"]
        elif row["actor_region"]:
            name = regions.get(row["actor_region"], row["actor_region"])
            row["actor"] = f"region {name} (while applying its change)"
        else:
            row["actor"] = "system"
    return rows
