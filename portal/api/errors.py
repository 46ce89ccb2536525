"""JSON errors that name the field, whatever layer raised them."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from portal.validation import NON_FIELD


def validation_error_to_api(error: ValidationError) -> exceptions.ValidationError:
    """Turn a service's Django ValidationError into DRF's, field names kept."""
    if hasattr(error, "error_dict"):
        detail = {
            ("non_field_errors" if field == NON_FIELD else field): messages
            for field, messages in error.message_dict.items()
        }
    else:
        detail = {"non_field_errors": error.messages}
    return exceptions.ValidationError(detail)


#: a service error with only these codes lost a race to a concurrent write: 409 Conflict
CONFLICT_CODES = {"gone", "conflict"}


def portal_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ValidationError):
        codes = {e.code for errors in _errors(exc) for e in errors}
        exc_api = validation_error_to_api(exc)
        if "throttled" in codes:  # a password check the sign-in throttle refused
            waits = [
                (e.params or {}).get("retry_after", 60) for errors in _errors(exc) for e in errors
            ]
            response = exception_handler(exc_api, context)
            if response is not None:
                response.status_code = 429
                response["Retry-After"] = str(max(waits))
            return response
        if codes and codes <= CONFLICT_CODES:
            response = exception_handler(exc_api, context)
            if response is not None:
                response.status_code = 409
            return response
        exc = exc_api
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return exception_handler(exc, context)


def _errors(error: ValidationError) -> list[list[ValidationError]]:
    if hasattr(error, "error_dict"):
        return list(error.error_dict.values())
    return [error.error_list]
