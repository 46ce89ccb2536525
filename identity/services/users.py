"""User writes; passwords always pass Django's validators and are stored hashed."""

from __future__ import annotations

from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from identity import sign_in_limits
from identity.models import Account, User, UserState
from identity.permissions import Action, require
from identity.selectors import timezone_exists
from identity.services.guards import keep_a_root_admin
from portal.concurrency import atomic_write
from portal.validation import check_length, invalid
from portal.writes import require_unique, save_changed

_username_validator = UnicodeUsernameValidator()


def _check_username(username: str, *, exclude: User | None = None) -> str:
    username = check_length("username", username, max_length=150)
    try:
        _username_validator(username)
    except ValidationError as error:
        raise invalid("username", error.messages[0]) from error
    return require_unique(
        User.objects.all(),
        field="username",
        value=username,
        message=f"The username {username} is taken.",
        exclude=exclude,
    )


def _check_profile(*, email: str, first_name: str, last_name: str, timezone: str) -> dict[str, str]:
    email = check_length("email", email, max_length=254, required=False)
    if email:
        try:
            validate_email(email)
        except ValidationError as error:
            raise invalid("email", "Enter a valid email address.") from error
    if not timezone_exists(timezone):
        raise invalid(
            "timezone", f"Unknown time zone {timezone!r}: give an IANA name such as Europe/Paris."
        )
    return {
        "email": email,
        "first_name": check_length("first_name", first_name, max_length=150, required=False),
        "last_name": check_length("last_name", last_name, max_length=150, required=False),
        "timezone": timezone,
    }


def _check_password(password: str, user: User) -> None:
    if not password:
        raise invalid("password", "This field is required.", "required")
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.error_list}) from error


def password_check(password: str, *, username: str = "", email: str = "") -> None:
    """The password rules a new user's password must pass, for forms that ask early."""
    _check_password(password, User(username=username, email=email))


@atomic_write
def user_create(
    *,
    account: Account,
    username: str,
    password: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    timezone: str = "UTC",
    by: User | None,
) -> User:
    require(by, Action.ADD, User, within=account)
    user = User(
        account=account,
        username=_check_username(username),
        **_check_profile(
            email=email, first_name=first_name, last_name=last_name, timezone=timezone
        ),
    )
    _check_password(password, user)
    user.set_password(password)
    user.save()
    return user


@atomic_write
def user_update(
    *,
    user: User,
    by: User | None,
    username: str | None = None,
    email: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    timezone: str | None = None,
) -> User:
    require(by, Action.CHANGE, user)
    values = {}
    if username is not None:
        values["username"] = _check_username(username, exclude=user)
    profile = _check_profile(
        email=user.email if email is None else email,
        first_name=user.first_name if first_name is None else first_name,
        last_name=user.last_name if last_name is None else last_name,
        timezone=user.timezone if timezone is None else timezone,
    )
    save_changed(user, **values, **profile)
    return user


@atomic_write
def user_set_password(*, user: User, password: str, by: User | None) -> User:
    require(by, Action.CHANGE, user)
    _check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password", "updated"])
    return user


def user_password_change(
    *, user: User, password: str, current_password: str | None, by: User | None
) -> User:
    """Set USER's password; people changing their own must give the current one, so an
    open session or a leaked API key alone cannot take the account over. The check runs
    before the write's transaction: a refused guess is recorded, not rolled back."""
    if by is not None and by.pk == user.pk:
        if not current_password:
            raise invalid(
                "current_password", "To set a new password, give your current password.", "required"
            )
        if not current_password_matches(user, current_password):
            refused = sign_in_limits.refusal()
            if refused is not None:
                raise ValidationError(
                    {
                        "current_password": ValidationError(
                            sign_in_limits.message(refused),
                            code="throttled",
                            params={"retry_after": refused.retry_after},
                        )
                    }
                )
            raise invalid(
                "current_password",
                "To set a new password, give your current password; that is not it.",
                "invalid",
            )
    return user_set_password(user=user, password=password, by=by)


def current_password_matches(user: User, password: str) -> bool:
    """Whether PASSWORD is USER's, checked as a sign-in is: throttled and counted."""
    sign_in_limits.forget_refusal()
    checked = authenticate(None, username=user.username, password=password)
    return checked is not None and checked.pk == user.pk


def user_state_check(*, user: User, state: str, by: User | None) -> None:
    """Refuse a state change that would shut BY out, or leave no root admin; user pages ask
    it too, to offer only the buttons that will work."""
    if state == UserState.ENABLED:
        return
    if by is not None and by.pk == user.pk:
        raise invalid("state", "You cannot disable or lock yourself.", "self")
    if user.is_root_admin:
        keep_a_root_admin(losing_users=[user])


def _set_state(*, user: User, state: str, by: User | None) -> User:
    require(by, Action.CHANGE, user)
    user_state_check(user=user, state=state, by=by)
    save_changed(user, state=state)
    return user


@atomic_write
def user_enable(*, user: User, by: User | None) -> User:
    return _set_state(user=user, state=UserState.ENABLED, by=by)


@atomic_write
def user_disable(*, user: User, by: User | None) -> User:
    return _set_state(user=user, state=UserState.DISABLED, by=by)


@atomic_write
def user_lock(*, user: User, by: User | None) -> User:
    return _set_state(user=user, state=UserState.LOCKED, by=by)


def user_delete_check(*, user: User, by: User | None) -> None:
    """Refuse deleting oneself or the last root admin (asked by user pages too)."""
    if by is not None and by.pk == user.pk:
        raise invalid("user", "You cannot delete yourself.", "self")
    if user.is_root_admin:
        keep_a_root_admin(losing_users=[user], field="user")


@atomic_write
def user_delete(*, user: User, by: User | None) -> None:
    require(by, Action.DELETE, user)
    user_delete_check(user=user, by=by)
    user.delete()
