"""Reads of the identity hierarchy, always scoped to what the actor may see."""

from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any

from django.db.models import Count, Model, Q, QuerySet

from identity.crypto import secret_decrypt
from identity.filtersets import (
    AccountFilterSet,
    DomainFilterSet,
    ProjectFilterSet,
    UserFilterSet,
)
from identity.models import PATH_SEPARATOR, Account, ApiKey, Domain, Project, User
from identity.permissions import visible
from portal.filtering import filtered_selector
from portal.models import ObjectChange


@cache
def timezone_names() -> tuple[str, ...]:
    """The IANA time zones a user may have, sorted (read once per process: the database is
    a directory tree)."""
    return tuple(sorted(zoneinfo.available_timezones()))


@cache
def _timezone_set() -> frozenset[str]:
    return frozenset(timezone_names())


def timezone_exists(name: str) -> bool:
    """Whether NAME is one of timezone_names() (an import checks thousands)."""
    return name in _timezone_set()


def _scoped(actor: Any, queryset: QuerySet) -> QuerySet:
    condition = visible(actor, queryset.model)
    if condition is None:
        return queryset.none()
    return queryset.filter(condition)


def domains_visible_to(*, actor: Any) -> QuerySet[Domain]:
    return _scoped(actor, Domain.objects.select_related("parent"))


def accounts_visible_to(*, actor: Any) -> QuerySet[Account]:
    return _scoped(actor, Account.objects.select_related("domain"))


def users_visible_to(*, actor: Any) -> QuerySet[User]:
    return _scoped(actor, User.objects.select_related("account", "account__domain"))


def projects_visible_to(*, actor: Any) -> QuerySet[Project]:
    scoped = _scoped(actor, Project.objects.select_related("domain", "owner"))
    return Project.objects.filter(pk__in=scoped.values("pk")).select_related("domain", "owner")


# Lists: what ACTOR may see, narrowed by FILTERS (a FilterSet's names) and SEARCH; the REST
# lists, the list pages and the CloudStack list commands read through these.


domains_filtered = filtered_selector(domains_visible_to, DomainFilterSet)
accounts_filtered = filtered_selector(accounts_visible_to, AccountFilterSet)
users_filtered = filtered_selector(users_visible_to, UserFilterSet)
projects_filtered = filtered_selector(projects_visible_to, ProjectFilterSet)


def domain_subtree(*, domain: Domain) -> QuerySet[Domain]:
    """DOMAIN and every domain below it."""
    return Domain.objects.filter(path=domain.path) | Domain.objects.filter(
        path__startswith=domain.path + PATH_SEPARATOR
    )


def root_domain() -> Domain:
    return Domain.objects.get(parent__isnull=True)


def identity_counts(*, actor: Any) -> dict[str, int]:
    """How many domains, accounts, users and projects ACTOR can see."""
    return {
        "domains": domains_visible_to(actor=actor).count(),
        "accounts": accounts_visible_to(actor=actor).count(),
        "users": users_visible_to(actor=actor).count(),
        "projects": projects_visible_to(actor=actor).count(),
    }


def project_members(*, project: Project) -> QuerySet:
    return project.memberships.select_related("account", "account__domain")


def accounts_removable_from(*, project: Project, actor: Any) -> QuerySet[Account]:
    """Accounts ACTOR may name to leave PROJECT: those it sees, and the project's members
    (listed to everyone who sees the project, so naming them leaks nothing)."""
    visible_pks = accounts_visible_to(actor=actor).values("pk")
    return Account.objects.filter(
        Q(pk__in=visible_pks) | Q(pk__in=project.memberships.values("account"))
    ).select_related("domain")


def domain_contents(*, domain: Domain) -> dict[str, int]:
    return Domain.objects.filter(pk=domain.pk).aggregate(
        subdomains=Count("children", distinct=True),
        accounts=Count("accounts", distinct=True),
        projects=Count("projects", distinct=True),
    )


def get_visible(model: type[Model], *, actor: Any, pk: Any) -> Model:
    """One row of MODEL by primary key if ACTOR may see it, else DoesNotExist."""
    readers = {
        Domain: domains_visible_to,
        Account: accounts_visible_to,
        User: users_visible_to,
        Project: projects_visible_to,
    }
    return readers[model](actor=actor).get(pk=pk)


def user_api_key(*, user: User) -> ApiKey | None:
    """USER's current key pair (CloudStack gives a user one), or None."""
    return user.api_keys.first()


def api_key_lookup(*, api_key: str) -> ApiKey | None:
    """The key pair behind a request's apiKey, with its user, account and domain, or None.

    Not scoped to an actor: this is how a signed request finds out who its actor is.
    """
    return (
        ApiKey.objects.select_related("user", "user__account", "user__account__domain")
        .filter(api_key=api_key)
        .first()
    )


def api_key_secret(*, api_key: str) -> str | None:
    """The decrypted secret key of API_KEY, or None when there is no such key.

    For replication: each region encrypts at rest under its own key, so a pair travels as
    plaintext inside the signed peer channel and is encrypted again where it lands.
    """
    record = ApiKey.objects.filter(api_key=api_key).only("secret_key_encrypted").first()
    return None if record is None else secret_decrypt(record.secret_key_encrypted)


def events_visible_to(*, actor: Any) -> QuerySet[ObjectChange]:
    """The change log as CloudStack's listEvents shows it: a root admin every row, a domain
    admin the changes made by users of their domain subtree, a user their account's."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    if user is None:
        return ObjectChange.objects.none()
    if user.is_root_admin:
        return ObjectChange.objects.all()
    if user.is_domain_admin:
        return ObjectChange.objects.filter(
            actor_domain_id__in=domain_subtree(domain=user.account.domain).values("pk")
        )
    return ObjectChange.objects.filter(actor_account_id=user.account_id)
