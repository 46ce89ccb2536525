"""CloudStack's error codes, and how the portal's exceptions map onto them.

The HTTP status of an error answer equals its `errorcode`; `cserrorcode` is the code
CloudStack gives the Java exception behind the error (CSExceptionErrorCode), 9999 when the
error was raised by the API layer itself.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError

from portal.cloudstack.registry import Command
from portal.validation import NON_FIELD

# ApiErrorCode
UNAUTHORIZED = 401
METHOD_NOT_ALLOWED = 405
API_LIMIT_EXCEEDED = 429  # CloudStack's ApiErrorCode.API_LIMIT_EXCEED
PARAM_ERROR = 431
UNSUPPORTED_ACTION_ERROR = 432
INTERNAL_ERROR = 530
ACCOUNT_ERROR = 531
RESOURCE_IN_USE_ERROR = 536

# CSExceptionErrorCode
CS_RUNTIME = 4250
CS_AUTHENTICATION = 4290
CS_INVALID_PARAMETER = 4350
CS_PERMISSION_DENIED = 4365
CS_RESOURCE_IN_USE = 4375
CS_UNAVAILABLE_COMMAND = 4555
CS_SERVER_API = 9999

CREDENTIALS_TEXT = "unable to verify user credentials and/or request signature"


class ApiError(Exception):
    """An error answer: HTTP status and errorcode CODE, cserrorcode CS_CODE, text TEXT."""

    def __init__(
        self,
        code: int,
        text: str,
        cs_code: int = CS_SERVER_API,
        *,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(text)
        self.code = code
        self.text = text
        self.cs_code = cs_code
        self.headers = headers or {}

    def payload(self) -> dict[str, Any]:
        return {
            "uuidList": [],
            "errorcode": self.code,
            "cserrorcode": self.cs_code,
            "errortext": self.text,
        }


def unauthorized() -> ApiError:
    """One answer for every authentication failure, so it leaks nothing (as CloudStack)."""
    return ApiError(UNAUTHORIZED, CREDENTIALS_TEXT)


def missing_parameter(command: str, name: str) -> ApiError:
    return ApiError(
        PARAM_ERROR,
        f"Unable to execute API command {command.lower()} due to missing parameter {name}",
    )


def invalid_value(command: str, name: str, value: Any) -> ApiError:
    """CloudStack's answer for a malformed value or an id that names nothing visible."""
    return ApiError(
        PARAM_ERROR,
        f"Unable to execute API command {command.lower()} due to invalid value. Invalid "
        f"parameter {name} value={value} due to incorrect long value format, or entity does "
        "not exist or due to incorrect parameter annotation for the field in api cmd class.",
    )


def too_long(name: str, length: int) -> ApiError:
    """CloudStack's answer for a string parameter longer than its declared length."""
    return ApiError(
        PARAM_ERROR,
        f"Value greater than max allowed length {length} for param: {name}",
        CS_INVALID_PARAMETER,
    )


def invalid_parameter(name: str, message: str) -> ApiError:
    return ApiError(PARAM_ERROR, f"{name}: {message}", CS_INVALID_PARAMETER)


def from_exception(error: Exception, *, command: Command | None = None) -> ApiError:
    """The ApiError for an exception a handler or service raised.

    A service's field names become COMMAND's parameter names, so a ValidationError on
    `first_name` is reported on `firstname`.
    """
    if isinstance(error, ApiError):
        return error
    if isinstance(error, ValidationError):
        return _from_validation(error, command)
    if isinstance(error, PermissionDenied):
        return ApiError(ACCOUNT_ERROR, str(error) or "Permission denied.", CS_PERMISSION_DENIED)
    if isinstance(error, ObjectDoesNotExist):
        return ApiError(PARAM_ERROR, "The object no longer exists.", CS_INVALID_PARAMETER)
    return ApiError(INTERNAL_ERROR, "Internal error executing command.", CS_RUNTIME)


def _from_validation(error: ValidationError, command: Command | None) -> ApiError:
    parts, codes, waits = [], set(), [1]
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            name = command.parameter_for(field) if command else field
            for item in errors:
                codes.add(item.code)
                waits.append((item.params or {}).get("retry_after", 1))
                for message in item.messages:
                    parts.append(message if field == NON_FIELD else f"{name}: {message}")
    else:
        for item in error.error_list:
            codes.add(item.code)
            waits.append((item.params or {}).get("retry_after", 1))
            parts.extend(item.messages)
    text = " ".join(parts) or "Invalid parameter."
    if "throttled" in codes:  # a password check the sign-in throttle refused
        return ApiError(
            API_LIMIT_EXCEEDED,
            text,
            CS_AUTHENTICATION,
            headers={"Retry-After": str(max(waits))},
        )
    if "in_use" in codes:
        return ApiError(RESOURCE_IN_USE_ERROR, text, CS_RESOURCE_IN_USE)
    return ApiError(PARAM_ERROR, text, CS_INVALID_PARAMETER)
