"""The password policy of the cloud, read from the global settings on every check.

One Django password validator (in AUTH_PASSWORD_VALIDATORS), so every path that sets a
password (the services, allauth's forms) applies the same rules, and an operator's change
to password.policy.* takes effect at once, in every region.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

from regions.configuration.selectors import setting_value


def _plural(count: int, singular: str, plural: str) -> str:
    return ngettext(singular, plural, count) % {"count": count}


class PasswordPolicyValidator:
    """CloudStack's password.policy.* settings: length, character classes, username."""

    RULES = (
        (
            "password.policy.minimum.uppercase.letters",
            str.isupper,
            "password_no_upper",
            ("at least %(count)d upper-case letter", "at least %(count)d upper-case letters"),
        ),
        (
            "password.policy.minimum.lowercase.letters",
            str.islower,
            "password_no_lower",
            ("at least %(count)d lower-case letter", "at least %(count)d lower-case letters"),
        ),
        (
            "password.policy.minimum.digits",
            str.isdigit,
            "password_no_digit",
            ("at least %(count)d digit", "at least %(count)d digits"),
        ),
        (
            "password.policy.minimum.special.characters",
            lambda c: not c.isalnum(),
            "password_no_special",
            (
                "at least %(count)d character that is not a letter or digit",
                "at least %(count)d characters that are not letters or digits",
            ),
        ),
    )

    def validate(self, password: str, user: Any = None) -> None:
        errors = []
        length = setting_value("password.policy.minimum.length")
        if len(password) < length:
            errors.append(
                ValidationError(
                    _plural(
                        length,
                        "This password is too short. It must contain at least %(count)d character.",
                        "This password is too short. It must contain at least %(count)d "
                        "characters.",
                    ),
                    code="password_too_short",
                )
            )
        for name, test, code, (singular, plural) in self.RULES:
            needed = setting_value(name)
            if needed and sum(1 for c in password if test(c)) < needed:
                errors.append(
                    ValidationError(
                        "This password must contain " + _plural(needed, singular, plural) + ".",
                        code=code,
                    )
                )
        username = getattr(user, "username", "") or ""
        if (
            username
            and not setting_value("password.policy.allowPasswordToContainUsername")
            and username.lower() in password.lower()
        ):
            errors.append(
                ValidationError(
                    "This password must not contain the username.", code="password_has_username"
                )
            )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        rules = [
            _plural(
                setting_value("password.policy.minimum.length"),
                "at least %(count)d character",
                "at least %(count)d characters",
            )
        ]
        for name, _test, _code, (singular, plural) in self.RULES:
            needed = setting_value(name)
            if needed:
                rules.append(_plural(needed, singular, plural))
        return "Your password must contain " + ", ".join(rules) + "."
