"""The region registry replicates too: every region keeps the list of all regions."""

from regions.models import Region
from regions.replication.registry import ReplicatedModel, register

register(
    ReplicatedModel(
        Region,
        key="uuid",
        exclude=frozenset({"created", "updated", "is_local"}),
    )
)
