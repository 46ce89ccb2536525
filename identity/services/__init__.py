"""Every write to the identity hierarchy; each function is one transaction.

Functions are named <entity>_<action> and take keyword-only arguments; `by` is the acting
user (checked in identity.permissions) or None for the system itself.
"""

from identity.services.accounts import (
    account_create,
    account_delete,
    account_delete_check,
    account_disable,
    account_enable,
    account_lock,
    account_state_check,
    account_update,
)
from identity.services.domains import domain_create, domain_delete, domain_update
from identity.services.keys import user_keys_register, user_keys_reveal, user_keys_revoke
from identity.services.projects import (
    project_activate,
    project_create,
    project_delete,
    project_member_add,
    project_member_remove,
    project_suspend,
    project_update,
)
from identity.services.users import (
    user_create,
    user_delete,
    user_delete_check,
    user_disable,
    user_enable,
    user_lock,
    user_password_change,
    user_set_password,
    user_state_check,
    user_update,
)

__all__ = [
    "account_create",
    "account_delete",
    "account_delete_check",
    "account_disable",
    "account_enable",
    "account_lock",
    "account_state_check",
    "account_update",
    "domain_create",
    "domain_delete",
    "domain_update",
    "project_activate",
    "project_create",
    "project_delete",
    "project_member_add",
    "project_member_remove",
    "project_suspend",
    "project_update",
    "user_create",
    "user_delete",
    "user_delete_check",
    "user_disable",
    "user_enable",
    "user_keys_register",
    "user_keys_reveal",
    "user_keys_revoke",
    "user_lock",
    "user_password_change",
    "user_set_password",
    "user_state_check",
    "user_update",
]
