"""What every tenant-facing list and command needs from CloudStack's ownership model: the
domain a `domainid` names, the account `account` (with `domainid`) names, and a list's
scope (`domainid` with `isrecursive`, `listall`, else the caller's own domain).

Generic over the models' declarations (portal/declarations.py): the domain model is the one
declared as its own domain (`domain=""`), the account model the one declared as its own
owner (`account=""`), and any model with a domain path can be scoped. What is visible is the
permission policy's answer, and a domain's subtree is too (`portal.permissions.subtree`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet

from portal.cloudstack import errors
from portal.cloudstack.calls import Call
from portal.cloudstack.registry import Param
from portal.declarations import declaration, declarations
from portal.permissions import subtree, visible

LIST_SCOPE = (
    Param("domainid", "uuid", description="List only the objects of this domain."),
    Param("isrecursive", "boolean", description="With domainid: its subdomains too."),
    Param("listall", "boolean", description="Everything the caller may see."),
)


def domain_model() -> type[Model]:
    """The model of domains: the one declared with itself as its domain."""
    return next(found.model for found in declarations() if found.domain == "")


def account_model() -> type[Model]:
    """The model of accounts: the one declared as its own owner."""
    return next(found.model for found in declarations() if found.account == "")


def visible_rows(actor: Any, model: type[Model]) -> QuerySet:
    condition = visible(actor, model)
    rows = model._default_manager.all()
    return rows.none() if condition is None else rows.filter(condition)


def domain_param(call: Call, name: str = "domainid") -> Any:
    """The domain parameter NAME names (None when not sent; an invisible one is unknown)."""
    return call.find(visible_rows(call.actor, domain_model()), name, required=False)


def account_by_name(call: Call, *, required: bool) -> Any:
    """The account named by `account` in `domainid` (default: the caller's domain)."""
    if not call.has("account"):
        if required:
            raise call.missing("account")
        return None
    model = account_model()
    domain = domain_param(call) or call.actor.account.domain
    found = visible_rows(call.actor, model).filter(
        **{declaration(model).domain_lookup("pk"): domain.pk, "name__iexact": call.get("account")}
    )
    account = found.first()
    if account is None:
        raise errors.invalid_value(call.command.name, "account", call.raw.get("account"))
    return account


def scoped(call: Call, queryset: QuerySet) -> QuerySet:
    """QUERYSET in CloudStack's list scope: `domainid` (with `isrecursive` or `listall`, its
    subtree), else with `listall` or `isrecursive` everything, else the caller's domain."""
    lookup = declaration(queryset.model).domain_lookup("pk")
    recursive = call.listall() or bool(call.get("isrecursive"))
    domain = domain_param(call)
    if domain is not None:
        if recursive:
            return queryset.filter(subtree(domain, queryset.model))
        return queryset.filter(**{lookup: domain.pk})
    if recursive:
        return queryset
    return queryset.filter(**{lookup: call.actor.account.domain_id})
