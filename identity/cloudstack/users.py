"""CloudStack commands for users and their API keys."""

from __future__ import annotations

from typing import Any

from identity import services
from identity.cloudstack.lookups import KEYS, users_of
from identity.cloudstack.params import PROFILE, STATE, account_type_param, profile_params
from identity.cloudstack.responses import KEY_FIELDS, USER_FIELDS, keys_response, user_response
from identity.models import User
from identity.selectors import users_filtered
from portal.cloudstack.calls import SUCCESS_FIELDS, Call, JobStarted, ListResult, success
from portal.cloudstack.jobs import object_job_start
from portal.cloudstack.params import id_param, list_id_param
from portal.cloudstack.registry import ADMINS, Param, command
from portal.cloudstack.scope import LIST_SCOPE, account_by_name, scoped


@command(
    "listUsers",
    description="Lists users.",
    params=[
        list_id_param("user"),
        Param("username", description="List users by username."),
        Param(
            "account",
            description="List the users of this account (with domainid).",
            field="account_name",
        ),
        account_type_param("account_type"),
        STATE,
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
        *profile_params(),
    ],
    roles=ADMINS,
    response=USER_FIELDS,
)
def create_user(call: Call) -> dict[str, Any]:
    user = services.user_create(
        account=account_by_name(call, required=True),
        username=call.get("username"),
        password=call.get("password"),
        **call.fields(*PROFILE),
        by=call.actor,
    )
    return {"user": user_response(user)}


@command(
    "updateUser",
    description="Updates a user's profile or password.",
    params=[
        id_param("user"),
        Param("username", description="New username."),
        Param("password", description="New password."),
        Param(
            "currentpassword",
            description="Your current password, to change your own.",
            field="current_password",
        ),
        *profile_params(),
    ],
    response=USER_FIELDS,
)
def update_user(call: Call) -> dict[str, Any]:
    user = call.find(users_of(call))
    profile = call.fields("username", *PROFILE)
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
    params=[id_param("user")],
    roles=ADMINS,
    response=SUCCESS_FIELDS,
)
def delete_user(call: Call) -> dict[str, Any]:
    services.user_delete(user=call.find(users_of(call)), by=call.actor)
    return success()


@command(
    "enableUser",
    description="Enables a disabled or locked user.",
    params=[id_param("user")],
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
    params=[id_param("user")],
    roles=ADMINS,
    is_async=True,
    run=_run_disable_user,
    response=USER_FIELDS,
)
def disable_user(call: Call) -> JobStarted:
    return object_job_start(call, call.find(users_of(call)))


@command(
    "registerUserKeys",
    description="Makes a new API key pair for a user, replacing the old one.",
    params=[id_param("user")],
    response=KEY_FIELDS,
)
def register_user_keys(call: Call) -> dict[str, Any]:
    pair = services.user_keys_register(user=call.find(users_of(call)), by=call.actor)
    return keys_response(pair.api_key, pair.secret_key)


@command(
    "getUserKeys",
    description="Returns a user's API key and secret key (to the user and their admins).",
    params=[id_param("user")],
    response=KEY_FIELDS,
)
def get_user_keys(call: Call) -> dict[str, Any]:
    pair = services.user_keys_reveal(user=call.find(users_of(call)), by=call.actor)
    return keys_response(*(pair or (None, None)))
