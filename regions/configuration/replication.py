"""Global settings opt into replication; region- and zone-scoped ones stay in their region.

A setting row is keyed by its UUID primary key, which is uuid5 of the setting's name, so
every region made the same row on migrate and a change finds it everywhere. Only the
operator's value crosses (with the name, for a region that has not upgraded to a new
setting yet): the definition fields come from each region's own code, so a peer on older
code never rewrites a description, type or limit here.
"""

from regions.configuration.services import DEFINITION_FIELDS
from regions.models.configuration import Setting, SettingScope
from regions.replication.registry import ReplicatedModel, register

register(
    ReplicatedModel(
        Setting,
        exclude=frozenset({"created", "updated", *DEFINITION_FIELDS}),
        applies_to=lambda setting: setting.scope == SettingScope.GLOBAL,
    )
)
