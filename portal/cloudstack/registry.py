"""The command registry: each app's cloudstack.py declares its commands with `@command`.

A declaration carries what CloudStack's @APICommand and @Parameter annotations carry: the
name, the parameters with their types, which account types may call it, whether it runs
as an async job, and the fields of its response (listApis reports all of it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import autodiscover_modules

# Account types (CloudStack's codes), and CloudStack's role type names for them.
USER, ROOT_ADMIN, DOMAIN_ADMIN = 0, 1, 2
ROLE_TYPES = {ROOT_ADMIN: "Admin", DOMAIN_ADMIN: "DomainAdmin", USER: "User"}
EVERYONE = frozenset({ROOT_ADMIN, DOMAIN_ADMIN, USER})
ADMINS = frozenset({ROOT_ADMIN, DOMAIN_ADMIN})
ROOT_ONLY = frozenset({ROOT_ADMIN})

PARAM_TYPES = ("string", "uuid", "integer", "long", "boolean", "list", "date")
#: the longest value a string parameter takes unless declared otherwise (CloudStack's
#: @Parameter length)
DEFAULT_LENGTH = 255


@dataclass(frozen=True)
class Param:
    name: str
    type: str = "string"
    required: bool = False
    description: str = ""
    #: the longest value, in characters, of a string parameter
    length: int = DEFAULT_LENGTH
    #: the service keyword (and the field of its ValidationErrors) this parameter fills,
    #: when it is not the parameter's own name: Param("guestcidraddress", field="guest_cidr")
    field: str | None = None

    @property
    def service_field(self) -> str:
        """The service keyword this parameter fills: `field`, else the parameter's name."""
        return self.field or self.name

    def __post_init__(self) -> None:
        if self.type not in PARAM_TYPES:
            raise ValueError(f"unknown parameter type {self.type!r}")
        if self.name != self.name.lower():
            raise ValueError(f"parameter names are lowercase: {self.name!r}")


LIST_PARAMS = (
    Param("keyword", description="List by keyword."),
    Param("page", "integer", description="The page to list, from 1."),
    Param("pagesize", "integer", description="Items per page; -1 for all of them."),
)


@dataclass(frozen=True)
class Command:
    name: str
    handler: Callable[..., Any]
    description: str
    params: tuple[Param, ...]
    roles: frozenset[int]
    is_async: bool = False
    #: the key of the items of a list command's answer ("zone"); None for other commands
    list_key: str | None = None
    #: the fields of the answer's object, for listApis
    response: tuple[str, ...] = ()
    #: an async command's work, run by the job runner as RUN(actor, **the job's params); the
    #: handler is its synchronous prepare step (lookups and permissions answer at once)
    run: Callable[..., dict[str, Any]] | None = None

    @property
    def response_name(self) -> str:
        return f"{self.name.lower()}response"

    @property
    def is_list(self) -> bool:
        return self.list_key is not None

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def allows(self, account_type: int) -> bool:
        return account_type in self.roles

    def parameter_for(self, service_field: str) -> str:
        """The parameter that fills SERVICE_FIELD, so a service's ValidationError on
        `first_name` is reported on `firstname`; SERVICE_FIELD itself if none declares it."""
        return next(
            (p.name for p in self.params if p.service_field == service_field), service_field
        )


_commands: dict[str, Command] = {}
_discovered = False
_lock = threading.Lock()


def command(
    name: str,
    *,
    description: str,
    params: Iterable[Param] = (),
    roles: frozenset[int] = EVERYONE,
    is_async: bool = False,
    list_key: str | None = None,
    response: Iterable[str] = (),
    run: Callable[..., dict[str, Any]] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated function as the handler of command NAME; an async command
    names its work as RUN (see portal/cloudstack/jobs.py)."""
    if is_async != (run is not None):
        raise ValueError(f"{name}: an async command, and only one, names its run step")

    def register(handler: Callable[..., Any]) -> Callable[..., Any]:
        all_params = tuple(params) + (LIST_PARAMS if list_key else ())
        filled = [p.service_field for p in all_params]
        if len(set(filled)) != len(filled):
            raise ValueError(f"{name}: two parameters fill the same service field")
        _commands[name] = Command(
            name=name,
            handler=handler,
            description=description,
            params=all_params,
            roles=roles,
            is_async=is_async,
            list_key=list_key,
            response=tuple(response),
            run=run,
        )
        return handler

    return register


def _discover() -> None:
    """Import every app's cloudstack module once, the way the admin site finds admin.py."""
    global _discovered
    if _discovered:
        return
    with _lock:
        if not _discovered:
            autodiscover_modules("cloudstack")  # the portal's listApis: PortalConfig.ready
            _discovered = True


def command_get(name: str) -> Command | None:
    _discover()
    return _commands.get(name)


def commands_all() -> list[Command]:
    _discover()
    return sorted(_commands.values(), key=lambda c: c.name)


def response_name(name: str | None) -> str:
    """The envelope key of command NAME's answers; CloudStack's for unknown commands."""
    if name in ("login", "logout"):
        return f"{name}response"
    known = command_get(name) if name else None
    return known.response_name if known else "errorresponse"
