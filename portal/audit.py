"""The change log: every write to a logged model, with who made it and in which request.

What is acting is kept in a context variable, set where work enters the portal:
`RequestIdMiddleware` for every request (the signed-in user, read only when a write is
logged, so DRF's token and session users count too), the CloudStack dispatcher (the caller
its signature names), the async job runner (the job's user and the job's id), and the
replication engine, which keeps applied changes out of this region's log (the region that
made them logged them) but logs what it decides itself with the peer region as actor.
Nothing set means the system (a management command, a periodic task).

Receivers of post_save and post_delete write one `ObjectChange` per write in the writer's
transaction, so the log and the data commit or roll back together. Which models, which
fields are never shown and which saves are no change come from each model's declaration.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Model, signals
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from portal.bulk_insert import bulk_insert
from portal.declarations import Declaration, Undeclared, declaration
from portal.models import ChangeAction, ObjectChange

#: how a secret field's value stands in the log
HIDDEN = "(hidden)"
#: fields every model has that say nothing about the change itself
_STAMPS = frozenset({"created", "updated"})


@dataclass(frozen=True)
class Acting:
    request: HttpRequest | None = None
    user: Any = None
    region: int | None = None
    request_id: str = ""
    quiet: bool = False


_acting: ContextVar[Acting] = ContextVar("portal_acting", default=Acting())  # noqa: B039


@contextlib.contextmanager
def acting(**changes: Any) -> Iterator[Acting]:
    """Within the block, writes are logged with CHANGES (user, region, request_id ...)."""
    token = _acting.set(replace(_acting.get(), **changes))
    try:
        yield _acting.get()
    finally:
        _acting.reset(token)


def quiet(on: bool = True) -> contextlib.AbstractContextManager[Acting]:
    """Within the block, writes are (with ON false: are again) left out of the log."""
    return acting(quiet=on)


def current() -> Acting:
    return _acting.get()


class RequestIdMiddleware:
    """Gives every request an id (answered as X-Request-ID) and makes it and the request's
    user what acts for the writes it makes. The id is always ours: a client's header could
    name another request's id and blur the log."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = uuid.uuid4().hex
        with acting(request=request, user=None, region=None, request_id=request.request_id):
            response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


def _logged(model: type[Model]) -> Declaration | None:
    try:
        found = declaration(model)
    except Undeclared:
        return None  # Django's and the libraries' own models
    if found.model is not model or not found.logs_changes:
        return None
    return found


def _user(context: Acting) -> Any:
    user = context.user
    if user is None and context.request is not None:
        user = getattr(context.request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user


def _data(instance: Model, found: Declaration) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in _STAMPS or field.primary_key:
            continue
        if field.name in found.secret_fields:
            data[field.name] = HIDDEN
        else:
            value = getattr(instance, field.attname)
            data[field.name] = None if value is None else field.value_to_string(instance)
    return data


def _actor(context: Acting) -> dict[str, Any]:
    """Who acts, as the change log's fields say it."""
    user = _user(context)
    if user is None:
        return {"actor_region": context.region, "request_id": context.request_id}
    about = declaration(user)
    account, domain = about.account_of(user), about.domain_of(user)
    return {
        "actor_id": user.pk,
        "actor_name": user.get_username(),
        "actor_account_id": getattr(account, "pk", None),
        "actor_domain_id": getattr(domain, "pk", None),
        "request_id": context.request_id,
    }


def _entry(instance: Model, action: str, found: Declaration, actor: dict[str, Any]) -> ObjectChange:
    return ObjectChange(
        time=timezone.now(),
        action=action,
        model=found.label,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        data={} if action == ChangeAction.DELETE else _data(instance, found),
        **actor,
    )


def record(instance: Model, action: str) -> ObjectChange | None:
    """Log ACTION on INSTANCE (in the caller's transaction); None when it is not logged."""
    found = _logged(type(instance))
    context = _acting.get()
    if found is None or context.quiet:
        return None
    entry = _entry(instance, action, found, _actor(context))
    entry.save(force_insert=True)
    return entry


def record_created(instances: Iterable[Model]) -> int:
    """Log rows made in bulk (no signals fire for those) in one insert (COPY on PostgreSQL)."""
    context = _acting.get()
    if context.quiet:
        return 0
    actor = _actor(context)
    entries = []
    for instance in instances:
        found = _logged(type(instance))
        if found is not None:
            entries.append(_entry(instance, ChangeAction.CREATE, found, actor))
    bulk_insert(ObjectChange, entries)
    return len(entries)


def _on_save(
    sender: type[Model],
    instance: Model,
    created: bool = False,
    raw: bool = False,
    update_fields: frozenset[str] | None = None,
    **kwargs: Any,
) -> None:
    if raw:
        return  # loaddata
    found = _logged(sender)
    if found is None:
        return
    if update_fields is not None and set(update_fields) <= {*found.quiet_fields, *_STAMPS}:
        return
    record(instance, ChangeAction.CREATE if created else ChangeAction.UPDATE)


def _on_delete(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    record(instance, ChangeAction.DELETE)  # it logs only what the declarations say


def connect() -> None:
    """Log writes of every logged model (called from PortalConfig.ready)."""
    signals.post_save.connect(_on_save, dispatch_uid="audit-save", weak=False)
    signals.post_delete.connect(_on_delete, dispatch_uid="audit-delete", weak=False)
