"""/client/api: CloudStack's single endpoint, GET or POST, one command per request."""

from __future__ import annotations

import codecs
import logging
from functools import cache
from importlib import import_module
from types import ModuleType

from django.conf import settings
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt

from portal import audit
from portal.cloudstack import errors
from portal.cloudstack.calls import Call, JobStarted, ListResult
from portal.cloudstack.registry import command_get, response_name
from portal.cloudstack.render import render, wants_json
from portal.validation import CONTROL

log = logging.getLogger(__name__)

#: the parameters a request authenticates with
_CREDENTIALS = frozenset({"apikey", "signature", "signatureversion", "expires", "sessionkey"})


@cache
def auth() -> ModuleType:
    """The module that knows callers (settings.CLOUDSTACK_AUTH): its authenticate(request,
    params) returns the user or raises an ApiError; login and logout answer those commands."""
    return import_module(settings.CLOUDSTACK_AUTH)


def _refuse_control_characters(params: dict[str, str]) -> None:
    """CloudStack refuses values with ASCII control characters (checkCharacterInkParams)."""
    for key, value in params.items():
        if CONTROL.search(value):
            raise errors.ApiError(
                errors.PARAM_ERROR,
                "Received value containing illegal ASCII non-printable characters for "
                f"parameter {key}",
            )


#: what Django raises for a request it cannot read: too many fields or too large a body,
#: a malformed multipart body
_UNREADABLE = (BadRequest, SuspiciousOperation, MultiPartParserError)


def request_params(request: HttpRequest) -> dict[str, str]:
    """Every parameter of the query string and a form body; the first value of a name wins,
    as in CloudStack (which signs and reads the first)."""
    params: dict[str, str] = {}
    for source in (request.GET, _form(request)):
        for name in source:
            params.setdefault(name, source.getlist(name)[0])
    return params


def _form(request: HttpRequest) -> QueryDict:
    """The body's parameters. A form body in a declared charset other than UTF-8 (Java's
    HttpClient declares ISO-8859-1) is read in that charset, where Django refuses it."""
    declared = request.encoding  # set only when the charset is one Python knows
    if (
        request.content_type == "application/x-www-form-urlencoded"
        and declared
        and codecs.lookup(declared).name != "utf-8"
    ):
        return QueryDict(request.body, encoding=declared)
    return request.POST


def _unreadable(request: HttpRequest, error: Exception) -> HttpResponse:
    """A CloudStack error for a request whose parameters cannot be read at all; in the
    format its query string asks for, when that much can be read."""
    try:
        params = {name: request.GET.get(name, "") for name in request.GET}
    except _UNREADABLE:
        params = {}
    name = next((v for k, v in params.items() if k.lower() == "command"), None)
    failure = errors.ApiError(
        errors.PARAM_ERROR, f"Unable to read the request's parameters: {error}"
    )
    return render(
        response_name(name), failure.payload(), as_json=wants_json(params), status=failure.code
    )


# Safe without a CSRF token: signed requests carry their own proof, and session requests
# must repeat the session key as a parameter, which another site cannot read.
@csrf_exempt
def client_api(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    try:
        params = request_params(request)
    except _UNREADABLE as error:
        return _unreadable(request, error)
    as_json = wants_json(params)
    name = next((v for k, v in params.items() if k.lower() == "command"), None)
    try:
        return _dispatch(request, params, name, as_json=as_json)
    except errors.ApiError as error:
        response = render(response_name(name), error.payload(), as_json=as_json, status=error.code)
        for header, value in error.headers.items():
            response[header] = value
        return response


def _dispatch(
    request: HttpRequest, params: dict[str, str], name: str | None, *, as_json: bool
) -> HttpResponse:
    if name == "login":
        # Before the user is looked up: PostgreSQL cannot even compare a text with a NUL.
        _refuse_control_characters(params)
        return auth().login(request, params, as_json=as_json)
    if name == "logout":
        return auth().logout(request, as_json=as_json)
    if any(CONTROL.search(v) for k, v in params.items() if k.lower() in _CREDENTIALS):
        raise errors.unauthorized()  # no key has one, and a NUL cannot be looked up
    actor = auth().authenticate(request, params)
    if not name:
        raise errors.ApiError(errors.UNSUPPORTED_ACTION_ERROR, "Invalid request, no command sent")
    command = command_get(name)
    if command is None or not command.allows(actor.account.type):
        raise errors.ApiError(
            errors.UNSUPPORTED_ACTION_ERROR,
            f"The API [{name}] does not exist or is not available for the account "
            f"{actor.account.name}.",
            errors.CS_UNAVAILABLE_COMMAND,
        )
    _refuse_control_characters(params)
    call = Call.build(command, actor=actor, raw=params, region=getattr(request, "region", None))
    try:
        if command.is_list:
            result = command.handler(call)
        else:
            # All or nothing: a command that calls two services (createAccount) never
            # leaves half its work behind, and bad input changes nothing.
            with transaction.atomic(), audit.acting(user=actor):
                result = command.handler(call)
    except errors.ApiError:
        raise
    except Exception as error:
        failure = errors.from_exception(error, command=command)
        if failure.code == errors.INTERNAL_ERROR:
            log.exception("CloudStack command %s failed", name)
        raise failure from error
    body = result.payload() if isinstance(result, ListResult | JobStarted) else result
    return render(command.response_name, body, as_json=as_json)
