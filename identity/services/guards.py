"""Rules that protect the cloud from locking its operators out."""

from __future__ import annotations

from django.db.models import Q

from identity.models import Account, AccountState, AccountType, User, UserState
from portal.validation import invalid


def active_root_admins() -> Q:
    return Q(
        state=UserState.ENABLED,
        account__type=AccountType.ROOT_ADMIN,
        account__state=AccountState.ENABLED,
    )


def keep_a_root_admin(
    *,
    losing_users: list[User] | None = None,
    losing_account: Account | None = None,
    field: str = "state",
) -> None:
    """Refuse a change after which no enabled root admin user would be left."""
    remaining = User.objects.filter(active_root_admins())
    if losing_users:
        remaining = remaining.exclude(pk__in=[u.pk for u in losing_users])
    if losing_account is not None:
        remaining = remaining.exclude(account=losing_account)
    if not remaining.exists():
        raise invalid(
            field,
            "This would leave the cloud without an enabled root admin. "
            "Create or enable another root admin first.",
            "last_root_admin",
        )
