"""The identity hierarchy opts into replication: same rows, same UUIDs, in every region."""

from identity.models import Account, Domain, Project, ProjectMembership, User
from regions.replication.registry import ReplicatedModel, register

# Parents before children: the order in which a snapshot lists and applies them.
register(ReplicatedModel(Domain))
register(ReplicatedModel(Account))
register(ReplicatedModel(User, exclude=frozenset({"created", "updated", "last_login"})))
register(ReplicatedModel(Project))
register(ReplicatedModel(ProjectMembership))
