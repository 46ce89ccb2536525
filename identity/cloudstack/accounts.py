"""CloudStack commands for accounts: list, create, update, delete, enable, disable."""

from __future__ import annotations

from typing import Any

from identity import services
from identity.cloudstack.lookups import ACCOUNT_USERS, account_of, accounts_of
from identity.cloudstack.params import (
    PROFILE,
    STATE,
    account_type_param,
    network_domain_param,
    profile_params,
)
from identity.cloudstack.responses import ACCOUNT_FIELDS, ROLE_IDS, account_response
from identity.models import Account, User
from identity.selectors import accounts_filtered
from portal.cloudstack import errors
from portal.cloudstack.calls import SUCCESS_FIELDS, Call, JobStarted, ListResult
from portal.cloudstack.jobs import delete_run, object_job_start
from portal.cloudstack.params import id_param, list_id_param, list_name_param
from portal.cloudstack.registry import ADMINS, Param, command
from portal.cloudstack.scope import LIST_SCOPE, domain_param, scoped


@command(
    "listAccounts",
    description="Lists accounts and their users.",
    params=[
        list_id_param("account"),
        list_name_param("accounts"),
        account_type_param("type"),
        STATE,
        *LIST_SCOPE,
    ],
    list_key="account",
    response=ACCOUNT_FIELDS,
)
def list_accounts(call: Call) -> ListResult:
    filters = call.fields("name", "accounttype", "state")
    accounts = accounts_filtered(actor=call.actor, filters=filters, lenient=True)
    accounts = accounts.prefetch_related(ACCOUNT_USERS)
    accounts = accounts.filter(pk=call.get("id")) if call.has("id") else scoped(call, accounts)
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


_FIRST_USER = profile_params(of="the first user")
#: an account named by `id`, or by `account` in `domainid`
_ACCOUNT_BY = [
    id_param("account", required=False),
    Param("account", description="The name of the account (with domainid), instead of id."),
    Param("domainid", "uuid", description="The domain of the account named by account."),
]


@command(
    "createAccount",
    description="Creates an account and its first user.",
    params=[
        Param("username", required=True, description="Username of the account's first user."),
        Param("password", required=True, description="Password of the first user."),
        *_FIRST_USER[:3],  # email, first and last name (the time zone comes last)
        account_type_param("type"),
        Param("roleid", "uuid", description="The role of the account, instead of accounttype."),
        Param(
            "account", description="Name of the account; the username if not given.", field="name"
        ),
        Param("domainid", "uuid", description="Domain of the account; the caller's if not given."),
        network_domain_param("account"),
        _FIRST_USER[3],
    ],
    roles=ADMINS,
    response=ACCOUNT_FIELDS,
)
def create_account(call: Call) -> dict[str, Any]:
    domain = domain_param(call) or call.actor.account.domain
    account = services.account_create(
        domain=domain,
        name=call.get("account") or call.get("username"),
        type=_account_type(call),
        network_domain=call.get("networkdomain", ""),
        by=call.actor,
    )
    services.user_create(
        account=account,
        **call.fields("username", "password", *PROFILE),
        by=call.actor,
    )
    return {"account": account_response(accounts_of(call).get(pk=account.pk))}


@command(
    "updateAccount",
    description="Renames an account or changes its network domain.",
    params=[
        *_ACCOUNT_BY,
        Param("newname", description="The new name of the account.", field="name"),
        network_domain_param("account"),
    ],
    roles=ADMINS,
    response=ACCOUNT_FIELDS,
)
def update_account(call: Call) -> dict[str, Any]:
    account = services.account_update(
        account=account_of(call),
        **call.fields("newname", "networkdomain"),
        by=call.actor,
    )
    return {"account": account_response(account)}


@command(
    "deleteAccount",
    description="Deletes an account and its users.",
    params=[id_param("account")],
    roles=ADMINS,
    is_async=True,
    run=delete_run(Account, services.account_delete),
    response=SUCCESS_FIELDS,
)
def delete_account(call: Call) -> JobStarted:
    return object_job_start(call, call.find(accounts_of(call)))


@command(
    "enableAccount",
    description="Enables a disabled or locked account.",
    params=_ACCOUNT_BY,
    roles=ADMINS,
    response=ACCOUNT_FIELDS,
)
def enable_account(call: Call) -> dict[str, Any]:
    account = services.account_enable(account=account_of(call), by=call.actor)
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
    return object_job_start(call, account_of(call), lock=bool(call.get("lock")))
