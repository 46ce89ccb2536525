"""The permission interface every app asks: `may`, `require`, `visible` and the actions.

What the roles allow is a policy, and the policy is identity's (roles belong to its users):
settings.PORTAL_PERMISSIONS names the module that answers `may(actor, action, target, *,
within)` and `visible(actor, model)` (identity/permissions.py). Apps below identity ask here,
so no app imports one above it to check a permission.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from importlib import import_module
from types import ModuleType
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q


class Action(StrEnum):
    VIEW = "view"
    ADD = "add"
    CHANGE = "change"
    DELETE = "delete"


@cache
def policy() -> ModuleType:
    return import_module(settings.PORTAL_PERMISSIONS)


def may(
    actor: Any, action: Action | str, target: Model | type[Model], *, within: Any = None
) -> bool:
    """Whether ACTOR may do ACTION on TARGET (an instance, or a model class for ADD; WITHIN
    is then where the new object goes)."""
    return policy().may(actor, action, target, within=within)


def require(
    actor: Any, action: Action | str, target: Model | type[Model], *, within: Any = None
) -> None:
    """Raise PermissionDenied unless `may`; ACTOR None means the system itself."""
    if actor is None:
        return
    if not may(actor, action, target, within=within):
        raise PermissionDenied(f"You may not {Action(action)} this {_noun(target)}.")


def _noun(target: Model | type[Model]) -> str:
    model = target if isinstance(target, type) else type(target)
    return str(model._meta.verbose_name)


def visible(actor: Any, model: type[Model]) -> Q | None:
    """A filter for the rows of MODEL that ACTOR may view; None means none at all."""
    return policy().visible(actor, model)


def subtree(top: Model, model: type[Model]) -> Q:
    """A filter for the rows of MODEL in domain TOP's subtree (TOP's own included)."""
    return policy().subtree(top, model)
