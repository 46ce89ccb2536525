"""Field-named validation errors raised by services and shown by every entry point."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError

NON_FIELD = "__all__"


def invalid(field: str, message: str, code: str = "invalid") -> ValidationError:
    """A ValidationError that names FIELD, so forms and the API can point at it."""
    return ValidationError({field: [ValidationError(message, code=code)]})


def passes(check: Callable[..., Any], /, **kwargs: Any) -> bool:
    """Whether CHECK(**KWARGS), a rule a service refuses a write by, lets it through: pages
    ask the service's own rule, so they offer only what will be done."""
    try:
        check(**kwargs)
    except ValidationError:
        return False
    return True


#: ASCII control characters, as CloudStack refuses them in every parameter (line breaks
#: excepted): one rule for every text field, whichever entry point it comes through
CONTROL = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]")


def check_length(field: str, value: str, *, max_length: int, required: bool = True) -> str:
    """VALUE stripped, required unless told, at most MAX_LENGTH long, and free of control
    characters (they break XML answers and terminals, and are never meant)."""
    value = (value or "").strip()
    if CONTROL.search(value):
        raise invalid(field, "Control characters are not allowed here.")
    if required and not value:
        raise invalid(field, "This field is required.", code="required")
    if len(value) > max_length:
        raise invalid(field, f"Ensure this value has at most {max_length} characters.")
    return value


_DNS_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


def check_dns_name(field: str, value: str, *, required: bool = False) -> str:
    """A DNS domain name (`cloud.example`): dot-separated labels of letters, digits and
    hyphens, each 1-63 long and not starting or ending with a hyphen, 253 at most in all."""
    value = check_length(field, value, max_length=253, required=required)
    if value and not all(_DNS_LABEL.match(label) for label in value.split(".")):
        raise invalid(
            field,
            "Enter a domain name: labels of letters, digits and hyphens separated by dots "
            "(e.g. cloud.example).",
        )
    return value


def check_ip(
    field: str, value: Any, *, required: bool = True, version: int | None = None
) -> str | None:
    """VALUE as an IP address in its canonical form (IPv4 only with VERSION 4), or None when
    it is empty and not REQUIRED; anything else is a 400 on FIELD."""
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if not text:
        if required:
            raise invalid(field, "This field is required.", "required")
        return None
    kind = "IPv4" if version == 4 else "IPv4 or IPv6"
    try:
        address = ipaddress.ip_address(text)
        if version is not None and address.version != version:
            raise ValueError(text)
    except ValueError as error:
        raise invalid(field, f"{text!r} is not a valid {kind} address.") from error
    return str(address)


def check_choice(field: str, value: Any, choices: Any) -> Any:
    """VALUE if it is one of CHOICES' values (a Django choices class), else a 400 on FIELD."""
    if value not in choices.values:
        raise invalid(field, f"Choose one of {', '.join(map(str, choices.values))}.")
    return value


def describe_error(error: ValidationError) -> str:
    """A ValidationError in one line, each field named (management commands print it)."""
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
        )
    return " ".join(error.messages)
