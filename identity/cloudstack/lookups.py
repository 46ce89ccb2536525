"""How identity's commands find the rows they act on: what the caller may see, with what
the answers show prefetched."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from identity.models import Account, ApiKey, Domain, Project, User
from identity.selectors import (
    accounts_visible_to,
    domains_visible_to,
    projects_visible_to,
    users_visible_to,
)
from portal.cloudstack.calls import Call
from portal.cloudstack.scope import account_by_name

KEYS = Prefetch("api_keys", queryset=ApiKey.objects.only("user_id", "api_key"))


def users_of(call: Call) -> QuerySet[User]:
    return users_visible_to(actor=call.actor).prefetch_related(KEYS)


ACCOUNT_USERS = Prefetch(
    "users", User.objects.select_related("account__domain").prefetch_related(KEYS)
)


def accounts_of(call: Call) -> QuerySet[Account]:
    return accounts_visible_to(actor=call.actor).prefetch_related(ACCOUNT_USERS)


def with_has_child(domains: QuerySet[Domain]) -> QuerySet[Domain]:
    """DOMAINS with `has_child`, which their answers show (`haschild`)."""
    return domains.annotate(has_child=Exists(Domain.objects.filter(parent=OuterRef("pk"))))


def domains_of(call: Call) -> QuerySet[Domain]:
    return with_has_child(domains_visible_to(actor=call.actor))


def projects_of(call: Call) -> QuerySet[Project]:
    return projects_visible_to(actor=call.actor)


def account_of(call: Call) -> Account:
    """The account a command acts on: by `id`, or by `account` and `domainid`."""
    if call.has("id"):
        return call.find(accounts_of(call))
    if call.has("account"):
        return account_by_name(call, required=True)
    raise call.missing("id")
