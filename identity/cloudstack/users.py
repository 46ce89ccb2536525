"""CloudStack commands for users and their API keys."""

from __future__ import annotations

from typing import Any

from identity import services
from identity.cloudstack.lookups import (
    KEYS,
    users_of,
)
from identity.cloudstack.responses import (
    KEY_FIELDS,
    USER_FIELDS,
    keys_response,
    user_response,
)
from identity.models import User
from identity.selectors import (
    users_filtered,
)
from portal.cloudstack.calls import Call, JobStarted, ListResult
from portal.cloudstack.jobs import job_start
from portal.cloudstack.registry import ADMINS, Param, command
from portal.cloudstack.scope import LIST_SCOPE, account_by_name, scoped


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
        *LIST_SCOPE,
    ],
    list_key="user",
    response=USER_FIELDS,
)
def list_users(call: Call) -> ListResult:
    filters = call.fields("username", "account", "accounttype", "state")
    users = users_filtered(actor=call.actor, filters=filters, lenient=True)
    users = users.prefetch_related(KEYS)
    users = users.filter(pk=call.get("id")) if call.has("id") else scoped(call, users)
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
        account=account_by_name(call, required=True),
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
    user = call.find(users_of(call))
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
    services.user_delete(user=call.find(users_of(call)), by=call.actor)
    return {"success": True}


@command(
    "enableUser",
    description="Enables a disabled or locked user.",
    params=[Param("id", "uuid", required=True, description="The ID of the user.")],
    roles=ADMINS,
    response=USER_FIELDS,
)
def enable_user(call: Call) -> dict[str, Any]:
    user = services.user_enable(user=call.find(users_of(call)), by=call.actor)
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
    user = call.find(users_of(call))
    return job_start(call, instance=user, instance_type="User", user_id=user.pk)


@command(
    "registerUserKeys",
    description="Makes a new API key pair for a user, replacing the old one.",
    params=[Param("id", "uuid", required=True, description="The ID of the user.")],
    response=KEY_FIELDS,
)
def register_user_keys(call: Call) -> dict[str, Any]:
    pair = services.user_keys_register(user=call.find(users_of(call)), by=call.actor)
    return keys_response(pair.api_key, pair.secret_key)


@command(
    "getUserKeys",
    description="Returns a user's API key and secret key (to the user and their admins).",
    params=[Param("id", "uuid", required=True, description="The ID of the user.")],
    response=KEY_FIELDS,
)
def get_user_keys(call: Call) -> dict[str, Any]:
    pair = services.user_keys_reveal(user=call.find(users_of(call)), by=call.actor)
    return keys_response(*(pair or (None, None)))
