"""Field-named validation errors raised by services and shown by every entry point."""

from __future__ import annotations

from django.core.exceptions import ValidationError

NON_FIELD = "__all__"


def invalid(field: str, message: str, code: str = "invalid") -> ValidationError:
    """A ValidationError that names FIELD, so forms and the API can point at it."""
    return ValidationError({field: [ValidationError(message, code=code)]})


def check_length(field: str, value: str, *, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise invalid(field, "This field is required.", code="required")
    if len(value) > max_length:
        raise invalid(field, f"Ensure this value has at most {max_length} characters.")
    return value
