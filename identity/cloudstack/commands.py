"""CloudStack API commands for domains, accounts, users, projects and API keys.

Thin handlers: parameters in, one of identity.services or identity.selectors, CloudStack's
answer out. Lists follow CloudStack's scoping: without `listall` (or `isrecursive`) an
admin lists the objects of their own domain, a user their own; `listall=true` lists all
that the caller may see.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from identity import services
from identity.models import (
    Account,
    AccountType,
    ApiKey,
    Domain,
    Project,
    User,
)
from identity.selectors import (
    accounts_filtered,
    accounts_visible_to,
    domain_subtree,
    domains_filtered,
    domains_visible_to,
    projects_filtered,
    projects_visible_to,
    users_filtered,
    users_visible_to,
)
from portal.cloudstack import errors
from portal.cloudstack.calls import Call, JobStarted, ListResult
from portal.cloudstack.jobs import job_start
from portal.cloudstack.registry import ADMINS, ROLE_TYPES, Param, command
from portal.cloudstack.render import timestamp

# CloudStack's default roles, one per account type; stable ids so clients can pass roleid.
_ROLE_NAMESPACE = uuid.UUID("6a0c1f5e-2b7d-5f3a-8e41-9d2c7b6a5e10")
ROLE_NAMES = {
    AccountType.ROOT_ADMIN: "Root Admin",
    AccountType.DOMAIN_ADMIN: "Domain Admin",
    AccountType.USER: "User",
}
ROLE_IDS = {t: str(uuid.uuid5(_ROLE_NAMESPACE, ROLE_TYPES[t])) for t in ROLE_NAMES}

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
    "roleid",
    "roletype",
    "rolename",
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
    "roleid",
    "roletype",
    "rolename",
    "domainid",
    "domain",
    "domainpath",
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
    "domainid",
    "domain",
    "domainpath",
    "account",
    "owner",
    "state",
    "created",
    "tags",
)
KEY_FIELDS = ("userkeys",)

# --- answers -------------------------------------------------------------------------------


def _role(account_type: int) -> dict[str, Any]:
    return {
        "roleid": ROLE_IDS[account_type],
        "roletype": ROLE_TYPES[account_type],
        "rolename": ROLE_NAMES[account_type],
    }


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
        "domainid": str(account.domain_id),
        "domain": account.domain.name,
        "domainpath": account.domain.path,
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
        "domainid": str(project.domain_id),
        "domain": project.domain.name,
        "domainpath": project.domain.path,
        "account": project.owner.name,
        "owner": [{"account": project.owner.name, "accountid": str(project.owner_id)}],
        "state": project.get_state_display(),
        "created": timestamp(project.created),
        "tags": [],
    }


def _keys_response(api_key: str | None, secret_key: str | None) -> dict[str, Any]:
    return {"userkeys": {"apikey": api_key, "secretkey": secret_key}}


# --- lookups -------------------------------------------------------------------------------

_KEYS = Prefetch("api_keys", queryset=ApiKey.objects.only("user_id", "api_key"))


def _users(call: Call) -> QuerySet[User]:
    return users_visible_to(actor=call.actor).prefetch_related(_KEYS)


_ACCOUNT_USERS = Prefetch(
    "users", User.objects.select_related("account__domain").prefetch_related(_KEYS)
)


def _accounts(call: Call) -> QuerySet[Account]:
    return accounts_visible_to(actor=call.actor).prefetch_related(_ACCOUNT_USERS)


def _domains(call: Call) -> QuerySet[Domain]:
    return domains_visible_to(actor=call.actor).annotate(
        has_child=Exists(Domain.objects.filter(parent=OuterRef("pk")))
    )


def _projects(call: Call) -> QuerySet[Project]:
    return projects_visible_to(actor=call.actor)


def _domain_param(call: Call, name: str = "domainid") -> Domain | None:
    return call.find(domains_visible_to(actor=call.actor), name, required=False)


def _account_by_name(call: Call, *, required: bool) -> Account | None:
    """The account named by `account` in `domainid` (default: the caller's domain)."""
    if not call.has("account"):
        if required:
            raise call.missing("account")
        return None
    domain = _domain_param(call) or call.actor.account.domain
    found = accounts_visible_to(actor=call.actor).filter(
        domain=domain, name__iexact=call.get("account")
    )
    account = found.first()
    if account is None:
        raise errors.invalid_value(call.command.name, "account", call.raw.get("account"))
    return account


def _account(call: Call) -> Account:
    """The account a command acts on: by `id`, or by `account` and `domainid`."""
    if call.has("id"):
        return call.find(_accounts(call))
    if call.has("account"):
        return _account_by_name(call, required=True)
    raise call.missing("id")


def _scoped(call: Call, queryset: QuerySet, domain_field: str) -> QuerySet:
    """CloudStack's list scope: `domainid` (with `isrecursive`), else `listall`, else the
    caller's own domain."""
    recursive = call.listall() or bool(call.get("isrecursive"))
    domain = _domain_param(call)
    if domain is not None:
        if recursive:
            return queryset.filter(**{f"{domain_field}__in": domain_subtree(domain=domain)})
        return queryset.filter(**{domain_field: domain})
    if recursive:
        return queryset
    return queryset.filter(**{domain_field: call.actor.account.domain_id})


_LIST_SCOPE = [
    Param("domainid", "uuid", description="List only the objects of this domain."),
    Param("isrecursive", "boolean", description="With domainid: its subdomains too."),
    Param("listall", "boolean", description="Everything the caller may see."),
]

# --- domains -------------------------------------------------------------------------------


@command(
    "listDomains",
    description="Lists domains: the caller's own, or with listall=true every one it may see.",
    params=[
        Param("id", "uuid", description="List the domain with this ID."),
        Param("name", description="List domains by name."),
        Param("level", "integer", description="List domains by level (ROOT is 0)."),
        Param("listall", "boolean", description="Every domain the caller may see."),
    ],
    list_key="domain",
    response=DOMAIN_FIELDS,
)
def list_domains(call: Call) -> ListResult:
    domains = domains_filtered(actor=call.actor, filters=call.fields("name"), lenient=True)
    domains = domains.annotate(has_child=Exists(Domain.objects.filter(parent=OuterRef("pk"))))
    if call.has("id"):
        domains = domains.filter(pk=call.get("id"))
    elif not call.listall() and not call.has("name") and not call.has("level"):
        domains = domains.filter(pk=call.actor.account.domain_id)
    if call.has("level"):
        level = call.get("level")
        domains = [d for d in domains if d.level == level]
        return call.page_items([domain_response(d) for d in domains])
    return call.page(domains, domain_response)


@command(
    "createDomain",
    description="Creates a domain.",
    params=[
        Param("name", required=True, description="The name of the domain."),
        Param(
            "parentdomainid",
            "uuid",
            description="The parent domain; ROOT if not given.",
            field="parent",
        ),
        Param(
            "networkdomain",
            description="Network domain for the domain's networks.",
            field="network_domain",
        ),
    ],
    roles=ADMINS,
    response=DOMAIN_FIELDS,
)
def create_domain(call: Call) -> dict[str, Any]:
    parent = call.find(domains_visible_to(actor=call.actor), "parentdomainid", required=False)
    if parent is None:
        parent = Domain.objects.get(parent__isnull=True)
    domain = services.domain_create(
        parent=parent,
        name=call.get("name"),
        network_domain=call.get("networkdomain", ""),
        by=call.actor,
    )
    return {"domain": domain_response(domain)}


@command(
    "updateDomain",
    description="Renames a domain or changes its network domain.",
    params=[
        Param("id", "uuid", required=True, description="The ID of the domain."),
        Param("name", description="The new name of the domain."),
        Param(
            "networkdomain",
            description="Network domain for the domain's networks.",
            field="network_domain",
        ),
    ],
    roles=ADMINS,
    response=DOMAIN_FIELDS,
)
def update_domain(call: Call) -> dict[str, Any]:
    domain = services.domain_update(
        domain=call.find(_domains(call)),
        **call.fields("name", "networkdomain"),
        by=call.actor,
    )
    return {"domain": domain_response(domain)}


def _run_delete_domain(actor: User, *, domain_id: str, cleanup: bool) -> dict[str, Any]:
    services.domain_delete(domain=Domain.objects.get(pk=domain_id), cleanup=cleanup, by=actor)
    return {"success": True}


@command(
    "deleteDomain",
    description="Deletes a domain; with cleanup=true everything in it as well.",
    params=[
        Param("id", "uuid", required=True, description="The ID of the domain."),
        Param("cleanup", "boolean", description="Delete the domain's contents too."),
    ],
    roles=ADMINS,
    is_async=True,
    run=_run_delete_domain,
    response=("success",),
)
def delete_domain(call: Call) -> JobStarted:
    domain = call.find(_domains(call))
    return job_start(
        call,
        instance=domain,
        instance_type="Domain",
        domain_id=domain.pk,
        cleanup=bool(call.get("cleanup")),
    )


# --- accounts ------------------------------------------------------------------------------


@command(
    "listAccounts",
    description="Lists accounts and their users.",
    params=[
        Param("id", "uuid", description="List the account with this ID."),
        Param("name", description="List accounts by name."),
        Param(
            "accounttype",
            "integer",
            description="0 user, 1 root admin, 2 domain admin.",
            field="type",
        ),
        Param("state", description="enabled, disabled or locked."),
        *_LIST_SCOPE,
    ],
    list_key="account",
    response=ACCOUNT_FIELDS,
)
def list_accounts(call: Call) -> ListResult:
    filters = call.fields("name", "accounttype", "state")
    accounts = accounts_filtered(actor=call.actor, filters=filters, lenient=True)
    accounts = accounts.prefetch_related(_ACCOUNT_USERS)
    if call.has("id"):
        accounts = accounts.filter(pk=call.get("id"))
    else:
        accounts = _scoped(call, accounts, "domain")
    return call.page(accounts, account_response)


def _account_type(call: Call) -> int:
    if call.has("accounttype"):
        return call.get("accounttype")
    if call.has("roleid"):
        by_id = {role_id: t for t, role_id in ROLE_IDS.items()}
        role = by_id.get(str(call.get("roleid")))
        if role is None:
            raise errors.invalid_value(call.command.name, "roleid", call.raw.get("roleid"))
        return role
    raise errors.invalid_parameter("accounttype", "Either accounttype or roleid must be passed.")


@command(
    "createAccount",
    description="Creates an account and its first user.",
    params=[
        Param("username", required=True, description="Username of the account's first user."),
        Param("password", required=True, description="Password of the first user."),
        Param("email", description="Email of the first user."),
        Param("firstname", description="First name of the first user.", field="first_name"),
        Param("lastname", description="Last name of the first user.", field="last_name"),
        Param(
            "accounttype",
            "integer",
            description="0 user, 1 root admin, 2 domain admin.",
            field="type",
        ),
        Param("roleid", "uuid", description="The role of the account, instead of accounttype."),
        Param(
            "account", description="Name of the account; the username if not given.", field="name"
        ),
        Param("domainid", "uuid", description="Domain of the account; the caller's if not given."),
        Param(
            "networkdomain",
            description="Network domain for the account's networks.",
            field="network_domain",
        ),
        Param("timezone", description="Time zone of the first user, such as Europe/Paris."),
    ],
    roles=ADMINS,
    response=ACCOUNT_FIELDS,
)
def create_account(call: Call) -> dict[str, Any]:
    domain = _domain_param(call) or call.actor.account.domain
    account = services.account_create(
        domain=domain,
        name=call.get("account") or call.get("username"),
        type=_account_type(call),
        network_domain=call.get("networkdomain", ""),
        by=call.actor,
    )
    services.user_create(
        account=account,
        **call.fields("username", "password", "email", "firstname", "lastname", "timezone"),
        by=call.actor,
    )
    return {"account": account_response(_accounts(call).get(pk=account.pk))}


@command(
    "updateAccount",
    description="Renames an account or changes its network domain.",
    params=[
        Param("id", "uuid", description="The ID of the account."),
        Param("account", description="The name of the account (with domainid), instead of id."),
        Param("domainid", "uuid", description="The domain of the account named by account."),
        Param("newname", description="The new name of the account.", field="name"),
        Param(
            "networkdomain",
            description="Network domain for the account's networks.",
            field="network_domain",
        ),
    ],
    roles=ADMINS,
    response=ACCOUNT_FIELDS,
)
def update_account(call: Call) -> dict[str, Any]:
    account = services.account_update(
        account=_account(call),
        **call.fields("newname", "networkdomain"),
        by=call.actor,
    )
    return {"account": account_response(account)}


def _run_delete_account(actor: User, *, account_id: str) -> dict[str, Any]:
    services.account_delete(account=Account.objects.get(pk=account_id), by=actor)
    return {"success": True}


@command(
    "deleteAccount",
    description="Deletes an account and its users.",
    params=[Param("id", "uuid", required=True, description="The ID of the account.")],
    roles=ADMINS,
    is_async=True,
    run=_run_delete_account,
    response=("success",),
)
def delete_account(call: Call) -> JobStarted:
    account = call.find(_accounts(call))
    return job_start(call, instance=account, instance_type="Account", account_id=account.pk)


_ACCOUNT_BY = [
    Param("id", "uuid", description="The ID of the account."),
    Param("account", description="The name of the account (with domainid), instead of id."),
    Param("domainid", "uuid", description="The domain of the account named by account."),
]


@command(
    "enableAccount",
    description="Enables a disabled or locked account.",
    params=_ACCOUNT_BY,
    roles=ADMINS,
    response=ACCOUNT_FIELDS,
)
def enable_account(call: Call) -> dict[str, Any]:
    account = services.account_enable(account=_account(call), by=call.actor)
    return {"account": account_response(account)}


def _run_disable_account(actor: User, *, account_id: str, lock: bool) -> dict[str, Any]:
    service = services.account_lock if lock else services.account_disable
    account = service(account=Account.objects.get(pk=account_id), by=actor)
    return {"account": account_response(account)}


@command(
    "disableAccount",
    description="Disables an account (lock=false) or locks it (lock=true).",
    params=[
        *_ACCOUNT_BY,
        Param("lock", "boolean", required=True, description="Lock instead of disable."),
    ],
    roles=ADMINS,
    is_async=True,
    run=_run_disable_account,
    response=ACCOUNT_FIELDS,
)
def disable_account(call: Call) -> JobStarted:
    account = _account(call)
    return job_start(
        call,
        instance=account,
        instance_type="Account",
        account_id=account.pk,
        lock=bool(call.get("lock")),
    )


# --- users ---------------------------------------------------------------------------------


@command(
    "listUsers",
    description="Lists users.",
    params=[
        Param("id", "uuid", description="List the user with this ID."),
        Param("username", description="List users by username."),
        Param(
            "account",
            description="List the users of this account (with domainid).",
            field="account_name",
        ),
        Param(
            "accounttype",
            "integer",
            description="0 user, 1 root admin, 2 domain admin.",
            field="account_type",
        ),
        Param("state", description="enabled, disabled or locked."),
        *_LIST_SCOPE,
    ],
    list_key="user",
    response=USER_FIELDS,
)
def list_users(call: Call) -> ListResult:
    filters = call.fields("username", "account", "accounttype", "state")
    users = users_filtered(actor=call.actor, filters=filters, lenient=True)
    users = users.prefetch_related(_KEYS)
    if call.has("id"):
        users = users.filter(pk=call.get("id"))
    else:
        users = _scoped(call, users, "account__domain")
    return call.page(users, user_response, keyword=("username", "first_name", "last_name", "email"))


@command(
    "createUser",
    description="Creates a user in an existing account.",
    params=[
        Param("username", required=True, description="Unique username."),
        Param("password", required=True, description="Password."),
        Param("account", required=True, description="The account the user belongs to."),
        Param("domainid", "uuid", description="The account's domain; the caller's if not given."),
        Param("email", description="Email."),
        Param("firstname", description="First name.", field="first_name"),
        Param("lastname", description="Last name.", field="last_name"),
        Param("timezone", description="Time zone, such as Europe/Paris."),
    ],
    roles=ADMINS,
    response=USER_FIELDS,
)
def create_user(call: Call) -> dict[str, Any]:
    user = services.user_create(
        account=_account_by_name(call, required=True),
        username=call.get("username"),
        password=call.get("password"),
        **call.fields("email", "firstname", "lastname", "timezone"),
        by=call.actor,
    )
    return {"user": user_response(user)}


@command(
    "updateUser",
    description="Updates a user's profile or password.",
    params=[
        Param("id", "uuid", required=True, description="The ID of the user."),
        Param("username", description="New username."),
        Param("password", description="New password."),
        Param(
            "currentpassword",
            description="Your current password, to change your own.",
            field="current_password",
        ),
        Param("email", description="Email."),
        Param("firstname", description="First name.", field="first_name"),
        Param("lastname", description="Last name.", field="last_name"),
        Param("timezone", description="Time zone, such as Europe/Paris."),
    ],
    response=USER_FIELDS,
)
def update_user(call: Call) -> dict[str, Any]:
    user = call.find(_users(call))
    profile = call.fields("username", "email", "firstname", "lastname", "timezone")
    if profile:
        user = services.user_update(user=user, **profile, by=call.actor)
    if call.has("password"):
        user = services.user_password_change(
            user=user,
            password=call.get("password"),
            current_password=call.get("currentpassword"),
            by=call.actor,
        )
    return {"user": user_response(user)}


@command(
    "deleteUser",
    description="Deletes a user.",
    params=[Param("id", "uuid", required=True, description="The ID of the user.")],
    roles=ADMINS,
    response=("success",),
)
def delete_user(call: Call) -> dict[str, Any]:
    services.user_delete(user=call.find(_users(call)), by=call.actor)
    return {"success": True}


@command(
    "enableUser",
    description="Enables a disabled or locked user.",
    params=[Param("id", "uuid", required=True, description="The ID of the user.")],
    roles=ADMINS,
    response=USER_FIELDS,
)
def enable_user(call: Call) -> dict[str, Any]:
    user = services.user_enable(user=call.find(_users(call)), by=call.actor)
    return {"user": user_response(user)}


def _run_disable_user(actor: User, *, user_id: str) -> dict[str, Any]:
    return {
        "user": user_response(services.user_disable(user=User.objects.get(pk=user_id), by=actor))
    }


@command(
    "disableUser",
    description="Disables a user; they can no longer sign in or call the API.",
    params=[Param("id", "uuid", required=True, description="The ID of the user.")],
    roles=ADMINS,
    is_async=True,
    run=_run_disable_user,
    response=USER_FIELDS,
)
def disable_user(call: Call) -> JobStarted:
    user = call.find(_users(call))
    return job_start(call, instance=user, instance_type="User", user_id=user.pk)


@command(
    "registerUserKeys",
    description="Makes a new API key pair for a user, replacing the old one.",
    params=[Param("id", "uuid", required=True, description="The ID of the user.")],
    response=KEY_FIELDS,
)
def register_user_keys(call: Call) -> dict[str, Any]:
    pair = services.user_keys_register(user=call.find(_users(call)), by=call.actor)
    return _keys_response(pair.api_key, pair.secret_key)


@command(
    "getUserKeys",
    description="Returns a user's API key and secret key (to the user and their admins).",
    params=[Param("id", "uuid", required=True, description="The ID of the user.")],
    response=KEY_FIELDS,
)
def get_user_keys(call: Call) -> dict[str, Any]:
    pair = services.user_keys_reveal(user=call.find(_users(call)), by=call.actor)
    return _keys_response(*(pair or (None, None)))


# --- projects ------------------------------------------------------------------------------


@command(
    "listProjects",
    description="Lists projects: the caller's, or with listall=true every one it may see.",
    params=[
        Param("id", "uuid", description="List the project with this ID."),
        Param("name", description="List projects by name."),
        Param("displaytext", description="List projects by display text.", field="display_text"),
        Param(
            "account", description="List the projects owned by this account.", field="owner_name"
        ),
        Param("state", description="Active or Suspended."),
        *_LIST_SCOPE,
    ],
    list_key="project",
    response=PROJECT_FIELDS,
)
def list_projects(call: Call) -> ListResult:
    filters = call.fields("name", "displaytext", "account", "state")
    projects = projects_filtered(actor=call.actor, filters=filters, lenient=True)
    if call.has("id"):
        projects = projects.filter(pk=call.get("id"))
    elif call.has("domainid") or call.listall() or call.get("isrecursive"):
        projects = _scoped(call, projects, "domain")
    else:
        mine = call.actor.account_id
        projects = projects.filter(Q(owner_id=mine) | Q(memberships__account_id=mine)).distinct()
    return call.page(projects, project_response, keyword=("name", "display_text"))


def _run_create_project(actor: User, *, project_id: str) -> dict[str, Any]:
    """CloudStack's create commands make the object at once (so bad input is refused in the
    answer) and report it through the job."""
    return {"project": project_response(Project.objects.get(pk=project_id))}


@command(
    "createProject",
    description="Creates a project owned by an account (the caller's if not given).",
    params=[
        Param("name", required=True, description="The name of the project."),
        Param("displaytext", description="The display text of the project.", field="display_text"),
        Param("account", description="The owner account (with domainid).", field="owner"),
        Param("domainid", "uuid", description="The domain of the project."),
    ],
    is_async=True,
    run=_run_create_project,
    response=PROJECT_FIELDS,
)
def create_project(call: Call) -> JobStarted:
    owner = _account_by_name(call, required=False) or call.actor.account
    domain = _domain_param(call) or owner.domain
    project = services.project_create(
        domain=domain,
        name=call.get("name"),
        owner=owner,
        display_text=call.get("displaytext", ""),
        by=call.actor,
    )
    started = job_start(call, instance=project, instance_type="Project", project_id=project.pk)
    return JobStarted(started.job_id, object_id=str(project.pk))


def _run_delete_project(actor: User, *, project_id: str) -> dict[str, Any]:
    services.project_delete(project=Project.objects.get(pk=project_id), by=actor)
    return {"success": True}


@command(
    "deleteProject",
    description="Deletes a project.",
    params=[
        Param("id", "uuid", required=True, description="The ID of the project."),
        Param("cleanup", "boolean", description="Accepted for compatibility."),
    ],
    is_async=True,
    run=_run_delete_project,
    response=("success",),
)
def delete_project(call: Call) -> JobStarted:
    project = call.find(_projects(call))
    return job_start(call, instance=project, instance_type="Project", project_id=project.pk)
