"""Global settings opt into replication; region- and zone-scoped ones stay in their region.

A setting row is keyed by its UUID primary key, which is uuid5 of the setting's name, so
every region made the same row on migrate and a change finds it everywhere. Only the
operator's value crosses (with the name, for a region that has not upgraded to a new
setting yet): the definition fields come from each region's own code, so a peer on older
code never rewrites a description, type or limit here.
"""

from typing import Any

from regions.configuration.services import DEFINITION_FIELDS
from regions.models.configuration import Setting, SettingScope
from regions.models.replication import OverrideKind
from regions.replication.registry import ReplicatedModel, register


def _not_global_here(object_id: str, payload: dict[str, Any]) -> tuple[str, str] | None:
    """A peer's value for a setting this region's code scopes to the region or its zones
    (another version of the portal, or a forged change) is ignored: it is ours to set."""
    scope = Setting.objects.filter(pk=object_id).values_list("scope", flat=True).first()
    if scope is None or scope == SettingScope.GLOBAL:
        return None
    name = payload.get("name") or object_id
    return (
        OverrideKind.SCOPE,
        f"A peer's value for setting {name} was ignored: it is {scope}-scoped in this region.",
    )


register(
    ReplicatedModel(
        Setting,
        exclude=frozenset({"created", "updated", *DEFINITION_FIELDS}),
        applies_to=lambda setting: setting.scope == SettingScope.GLOBAL,
        refuse=_not_global_here,
    )
)
