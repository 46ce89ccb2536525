"""A user's remembered region and last global sign-out replicate like the user itself."""

from identity.sso.models import GlobalSignOut, RegionChoice
from regions.federation.replication.registry import ReplicatedModel, register

register(ReplicatedModel(RegionChoice))
register(ReplicatedModel(GlobalSignOut))
