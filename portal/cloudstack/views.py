"""/client/api: CloudStack's single endpoint, GET or POST, one command per request."""

from __future__ import annotations

import logging

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from portal.cloudstack import auth, errors
from portal.cloudstack.calls import Call, JobStarted, ListResult
from portal.cloudstack.registry import command_get, response_name
from portal.cloudstack.render import render, wants_json
from portal.validation import CONTROL

log = logging.getLogger(__name__)

# CloudStack refuses values with ASCII control characters (checkCharacterInkParams).


def request_params(request: HttpRequest) -> dict[str, str]:
    """Every parameter of the query string and a form body; the first value of a name wins,
    as in CloudStack (which signs and reads the first)."""
    params: dict[str, str] = {}
    for source in (request.GET, request.POST):
        for name in source:
            params.setdefault(name, source.getlist(name)[0])
    return params


# Safe without a CSRF token: signed requests carry their own proof, and session requests
# must repeat the session key as a parameter, which another site cannot read.
@csrf_exempt
def client_api(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    params = request_params(request)
    as_json = wants_json(params)
    name = next((v for k, v in params.items() if k.lower() == "command"), None)
    try:
        return _dispatch(request, params, name, as_json=as_json)
    except errors.ApiError as error:
        return render(response_name(name), error.payload(), as_json=as_json, status=error.code)


def _dispatch(
    request: HttpRequest, params: dict[str, str], name: str | None, *, as_json: bool
) -> HttpResponse:
    if name == "login":
        return auth.login(request, params, as_json=as_json)
    if name == "logout":
        return auth.logout(request, as_json=as_json)
    actor = auth.authenticate(request, params)
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
    for key, value in params.items():
        if CONTROL.search(value):
            raise errors.ApiError(
                errors.PARAM_ERROR,
                "Received value containing illegal ASCII non-printable characters for "
                f"parameter {key}",
            )
    call = Call.build(command, actor=actor, raw=params, region=getattr(request, "region", None))
    try:
        if command.is_list:
            result = command.handler(call)
        else:
            # All or nothing: a command that calls two services (createAccount) never
            # leaves half its work behind, and bad input changes nothing.
            with transaction.atomic():
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
