"""One command invocation: its caller, its typed parameters, and the helpers handlers share
(finding an object by id, paging a list, starting an async job).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet

from portal.cloudstack import errors
from portal.cloudstack.registry import Command, Param
from portal.filtering import keyword_q

MAX_PAGE_SIZE = 500  # CloudStack's default.page.size
UNLIMITED = -1
_TRUE = "true"


@dataclass(frozen=True)
class ListResult:
    """A list command's answer: COUNT matches in all, ITEMS on this page, under KEY."""

    key: str
    items: list[dict[str, Any]]
    count: int

    def payload(self) -> dict[str, Any]:
        # CloudStack writes no count when nothing matched, and no key for an empty page.
        body: dict[str, Any] = {}
        if self.count:
            body["count"] = self.count
        if self.items:
            body[self.key] = self.items
        return body


@dataclass(frozen=True)
class JobStarted:
    """An async command's immediate answer: the job to poll."""

    job_id: uuid.UUID
    object_id: str | None = None

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"jobid": str(self.job_id)}
        if self.object_id:
            body["id"] = self.object_id
        return body


#: the response fields of a command that answers only that it succeeded (a delete)
SUCCESS_FIELDS = ("success",)


def success() -> dict[str, Any]:
    """The answer of a command that has nothing to show but that it succeeded."""
    return {"success": True}


def _parse(command: Command, param: Param, raw: str) -> Any:
    name, kind = param.name, param.type
    if kind == "string":
        # As CloudStack does; it also keeps huge values from every query (SQLite cannot
        # even match a LIKE pattern of 50,000 bytes).
        if len(raw) > param.length:
            raise errors.too_long(name, param.length)
        return raw
    if kind == "boolean":
        return raw.strip().lower() == _TRUE  # Java's Boolean.valueOf: anything else is false
    if kind == "list":
        return [item.strip() for item in raw.split(",") if item.strip()]
    if kind == "date":
        return _date(command, name, raw)
    try:
        if kind == "uuid":
            return uuid.UUID(raw.strip())
        if "_" in raw:  # Python's int() reads 1_000; Java's Long.parseLong does not
            raise ValueError(raw)
        number = int(raw.strip())
    except ValueError as error:
        raise errors.invalid_value(command.name, name, raw) from error
    low, high = _INT_RANGES[kind]
    if not low <= number <= high:  # Java's Integer and Long, as CloudStack parses them
        raise errors.invalid_value(command.name, name, raw)
    return number


#: CloudStack's date parameters: "yyyy-MM-dd" or "yyyy-MM-dd HH:mm:ss" (UTC)
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d")


def _date(command: Command, name: str, raw: str) -> datetime.datetime:
    for form in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(raw.strip(), form).replace(tzinfo=datetime.UTC)
        except ValueError:
            continue
    raise errors.invalid_value(command.name, name, raw)


#: the values an "integer" (Java int) and a "long" (Java long) parameter can hold
_INT_RANGES = {"integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}


@dataclass
class Call:
    command: Command
    actor: Any
    params: dict[str, Any]
    #: every parameter of the request, names lowercased, values as sent
    raw: dict[str, str] = field(default_factory=dict)
    region: Any = None
    session_key: str | None = None

    @classmethod
    def build(
        cls, command: Command, *, actor: Any, raw: Mapping[str, str], region: Any = None
    ) -> Call:
        """Type the declared parameters of RAW (names are case-insensitive)."""
        lowered = {}
        for name, value in raw.items():
            lowered.setdefault(name.lower(), value)
        params: dict[str, Any] = {}
        for param in command.params:
            value = lowered.get(param.name)
            if value is None or (value == "" and param.type != "string"):
                if param.required:
                    raise errors.missing_parameter(command.name, param.name)
                continue
            params[param.name] = _parse(command, param, value)
            if param.required and param.type == "string" and not value.strip():
                raise errors.missing_parameter(command.name, param.name)
        return cls(command=command, actor=actor, params=params, raw=lowered, region=region)

    # --- parameters ------------------------------------------------------------------------

    def get(self, name: str, default: Any = None) -> Any:
        return self.params.get(name, default)

    def has(self, name: str) -> bool:
        return name in self.params

    def fields(self, *names: str) -> dict[str, Any]:
        """Service keyword arguments for those of parameters NAMES that were sent, each under
        the service field its declaration names (`guestcidraddress` -> `guest_cidr`)."""
        kwargs = {}
        for name in names:
            param = self.command.param(name)
            if param is None:
                raise ValueError(f"{self.command.name} declares no parameter {name!r}")
            if name in self.params:
                kwargs[param.service_field] = self.params[name]
        return kwargs

    def choice(self, name: str, choices: Any) -> Any:
        """Parameter NAME matched case-insensitively to one of CHOICES' values (a Django
        choices class: advanced -> Advanced); as sent when it names none (the service says
        so), None when not sent."""
        value = self.params.get(name)
        if value is None:
            return None
        wanted = str(value).strip().lower()
        return next((c for c in choices.values if str(c).lower() == wanted), value)

    def __contains__(self, name: str) -> bool:
        return name in self.params

    def missing(self, name: str) -> errors.ApiError:
        return errors.missing_parameter(self.command.name, name)

    def invalid(self, name: str, message: str) -> errors.ApiError:
        return errors.invalid_parameter(name, message)

    # --- lookups ---------------------------------------------------------------------------

    def find(self, queryset: QuerySet, name: str = "id", *, required: bool = True) -> Any:
        """The object of QUERYSET whose key is parameter NAME; an invisible one is unknown."""
        if name not in self.params:
            if required:
                raise self.missing(name)
            return None
        value = self.params[name]
        try:
            return queryset.get(pk=value)
        except (queryset.model.DoesNotExist, ValueError, ValidationError) as error:
            raise errors.invalid_value(self.command.name, name, self.raw.get(name)) from error

    # --- lists -----------------------------------------------------------------------------

    def listall(self) -> bool:
        return bool(self.params.get("listall"))

    def page(
        self,
        queryset: QuerySet,
        render: Callable[[Model], dict[str, Any]],
        *,
        keyword: Iterable[str] = ("name",),
    ) -> ListResult:
        """Apply `keyword`, `page` and `pagesize` as CloudStack does, and render the page."""
        text = self.params.get("keyword")
        if text:
            queryset = queryset.filter(keyword_q(keyword, text))
        start, size = self._window()
        count = queryset.count()
        rows = queryset if size == UNLIMITED else queryset[start : start + size]
        return ListResult(self.command.list_key or "", [render(row) for row in rows], count)

    def page_items(self, items: list[dict[str, Any]]) -> ListResult:
        """Page a list that is already rendered (commands not backed by a queryset)."""
        start, size = self._window()
        window = items if size == UNLIMITED else items[start : start + size]
        return ListResult(self.command.list_key or "", window, len(items))

    def _window(self) -> tuple[int, int]:
        page, size = self.params.get("page"), self.params.get("pagesize")
        if size is not None and page is None and size != UNLIMITED:
            raise errors.ApiError(
                errors.PARAM_ERROR, '"page" parameter is required when "pagesize" is specified'
            )
        if size is None:
            size = MAX_PAGE_SIZE
        if size == UNLIMITED:
            if page is not None:
                raise errors.invalid_parameter(
                    "page", "Can't specify page parameter when pagesize is -1 (Unlimited)"
                )
            return 0, UNLIMITED
        if size < 1 or size > MAX_PAGE_SIZE:
            raise errors.invalid_parameter(
                "pagesize", f"Page size must be between 1 and {MAX_PAGE_SIZE}, or -1 for all."
            )
        if page is not None and page < 1:
            raise errors.invalid_parameter("page", "Pages are numbered from 1.")
        # An int page times the largest page size still fits the database's bigint OFFSET.
        return ((page or 1) - 1) * size, size
