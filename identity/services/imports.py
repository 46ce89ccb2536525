"""Bulk import of users (moving an existing cloud in): one transaction, all or nothing."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib.auth.hashers import identify_hasher, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower

from identity.models import Account, User
from identity.permissions import Action, require
from identity.services.users import _check_password, _check_profile, _username_validator
from portal import audit
from portal.bulk_insert import bulk_insert
from portal.validation import check_length, invalid
from regions.federation.replication.recorder import record_created


def _row_error(index: int, error: ValidationError) -> ValidationError:
    messages = error.message_dict if hasattr(error, "error_dict") else {"row": error.messages}
    return ValidationError(
        {"rows": [f"row {index + 1}: {field}: {' '.join(m)}" for field, m in messages.items()]}
    )


@transaction.atomic
def users_import(*, account: Account, rows: list[dict[str, Any]], by: User | None) -> list[User]:
    """Create every user in ROWS in ACCOUNT, or none.

    A row has username and either password (checked by the password rules, then hashed) or
    password_hash (a hash this portal understands, as exported from another system), plus
    optional email, first_name, last_name, timezone.
    """
    require(by, Action.ADD, User, within=account)
    if not rows:
        raise invalid("rows", "Nothing to import.", "required")
    # A CSV row shorter than its header gives None for the missing cells: not given.
    wanted = [str(row.get("username") or "").strip() for row in rows]
    lowered = [name.lower() for name in wanted]
    duplicates = sorted(name for name, count in Counter(lowered).items() if count > 1)
    if duplicates:
        raise invalid(
            "rows", f"Usernames repeat in the import: {', '.join(duplicates[:10])}.", "unique"
        )
    taken = set(
        User.objects.annotate(lower=Lower("username"))
        .filter(lower__in=lowered)
        .values_list("username", flat=True)
    )
    if taken:
        raise invalid(
            "rows", f"Usernames already taken: {', '.join(sorted(taken)[:10])}.", "unique"
        )
    users = []
    for index, row in enumerate(rows):
        try:
            username = check_length("username", wanted[index], max_length=150)
            try:
                _username_validator(username)
            except ValidationError as error:
                raise invalid("username", error.messages[0]) from error
            user = User(
                account=account,
                username=username,
                **_check_profile(
                    email=row.get("email") or "",
                    first_name=row.get("first_name") or "",
                    last_name=row.get("last_name") or "",
                    timezone=row.get("timezone") or "UTC",  # an empty cell: the default
                ),
            )
            if row.get("password_hash"):
                try:
                    identify_hasher(row["password_hash"])
                except ValueError as error:
                    raise invalid(
                        "password_hash", "Not a password hash this portal knows."
                    ) from error
                user.password = row["password_hash"]
            else:
                _check_password(row.get("password", ""), user)
                user.password = make_password(row["password"])
        except ValidationError as error:
            raise _row_error(index, error) from error
        users.append(user)
    bulk_insert(User, users)
    record_created(users)
    audit.record_created(users)
    return users
