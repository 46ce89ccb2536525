"""identity's answers in CloudStack's shape, and the response fields listApis reports
(domains, accounts, users, projects, key pairs), for identity's commands and other apps'."""

from __future__ import annotations

import uuid
from typing import Any

from identity.models import Account, AccountType, Domain, Project, User
from portal.cloudstack.registry import ROLE_TYPES
from portal.cloudstack.render import timestamp

# CloudStack's default roles, one per account type; stable ids so clients can pass roleid.
_ROLE_NAMESPACE = uuid.UUID("6a0c1f5e-2b7d-5f3a-8e41-9d2c7b6a5e10")
ROLE_NAMES = {
    AccountType.ROOT_ADMIN: "Root Admin",
    AccountType.DOMAIN_ADMIN: "Domain Admin",
    AccountType.USER: "User",
}
ROLE_IDS = {t: str(uuid.uuid5(_ROLE_NAMESPACE, ROLE_TYPES[t])) for t in ROLE_NAMES}

#: what _role and _in_domain fill
_ROLE_FIELDS = ("roleid", "roletype", "rolename")
_IN_DOMAIN_FIELDS = ("domainid", "domain", "domainpath")
DOMAIN_FIELDS = (
    "id",
    "name",
    "level",
    "parentdomainid",
    "parentdomainname",
    "haschild",
    "path",
    "networkdomain",
    "state",
    "created",
)
USER_FIELDS = (
    "id",
    "username",
    "firstname",
    "lastname",
    "email",
    "timezone",
    "state",
    "account",
    "accountid",
    "accounttype",
    *_ROLE_FIELDS,
    "domainid",
    "domain",
    "apikey",
    "created",
    "isdefault",
    "usersource",
)
ACCOUNT_FIELDS = (
    "id",
    "name",
    "accounttype",
    *_ROLE_FIELDS,
    *_IN_DOMAIN_FIELDS,
    "networkdomain",
    "state",
    "user",
    "created",
    "isdefault",
)
PROJECT_FIELDS = (
    "id",
    "name",
    "displaytext",
    *_IN_DOMAIN_FIELDS,
    "account",
    "owner",
    "state",
    "created",
    "tags",
)
KEY_FIELDS = ("userkeys",)


def _role(account_type: int) -> dict[str, Any]:
    return {
        "roleid": ROLE_IDS[account_type],
        "roletype": ROLE_TYPES[account_type],
        "rolename": ROLE_NAMES[account_type],
    }


def _in_domain(domain: Domain) -> dict[str, Any]:
    """Where an account or a project is: its domain's id, name and path."""
    return {"domainid": str(domain.pk), "domain": domain.name, "domainpath": domain.path}


def domain_response(domain: Domain) -> dict[str, Any]:
    has_child = getattr(domain, "has_child", None)
    if has_child is None:
        has_child = domain.children.exists()
    parent = domain.parent
    return {
        "id": str(domain.pk),
        "name": domain.name,
        "level": domain.level,
        "parentdomainid": str(parent.pk) if parent else None,
        "parentdomainname": parent.name if parent else None,
        "haschild": has_child,
        "path": domain.path,
        "networkdomain": domain.network_domain or None,
        "state": "Active",
        "created": timestamp(domain.created),
    }


def user_response(user: User) -> dict[str, Any]:
    account = user.account
    key = next(iter(user.api_keys.all()), None)  # prefetched by the lists
    return {
        "id": str(user.pk),
        "username": user.username,
        "firstname": user.first_name,
        "lastname": user.last_name,
        "email": user.email or None,
        "timezone": user.timezone,
        "state": user.state,
        "account": account.name,
        "accountid": str(account.pk),
        "accounttype": account.type,
        **_role(account.type),
        "domainid": str(account.domain_id),
        "domain": account.domain.name,
        "apikey": key.api_key if key else None,
        "created": timestamp(user.created),
        "isdefault": False,
        "usersource": "native",
    }


def account_response(account: Account) -> dict[str, Any]:
    return {
        "id": str(account.pk),
        "name": account.name,
        "accounttype": account.type,
        **_role(account.type),
        **_in_domain(account.domain),
        "networkdomain": account.network_domain or None,
        "state": account.state,
        "user": [user_response(u) for u in account.users.all()],
        "created": timestamp(account.created),
        "isdefault": False,
    }


def project_response(project: Project) -> dict[str, Any]:
    return {
        "id": str(project.pk),
        "name": project.name,
        "displaytext": project.display_text,
        **_in_domain(project.domain),
        "account": project.owner.name,
        "owner": [{"account": project.owner.name, "accountid": str(project.owner_id)}],
        "state": project.get_state_display(),
        "created": timestamp(project.created),
        "tags": [],
    }


def keys_response(api_key: str | None, secret_key: str | None) -> dict[str, Any]:
    return {"userkeys": {"apikey": api_key, "secretkey": secret_key}}
