"""Reads of the identity hierarchy, always scoped to what the actor may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Model, QuerySet

from identity.models import PATH_SEPARATOR, Account, Domain, Project, User
from identity.permissions import visible


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
