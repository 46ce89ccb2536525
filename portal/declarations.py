"""One declaration per model, next to the model: where its rows live, who sees them, whether
they replicate, and where it sits in the navigation.

Every model of the project's apps is declared with `declare(...)` in its own models module.
What reads a declaration:

- the permission policy (`portal.permissions` → settings.PORTAL_PERMISSIONS): the audience,
  and the owner paths that tie a row to a domain and an account;
- the replication registry: a model registered there must be declared `replicated`, and a
  model declared `replicated` must be registered (system check `portal.E002`);
- the navigation (`portal.context_processors.navigation`): the menu entry, shown to whoever
  may see some rows of the model;
- the region switcher: a page of a cloud-wide model exists with the same path in every
  region, a page of a region's or a zone's model leads to the model's list there;
- the change log (`portal.audit`): which models' writes it records, which fields it never
  shows, which saves are no change, and the entity name of CloudStack's event types.

A model without a declaration fails `manage.py check` (`portal.E001`) and the test suite,
and `declaration()` raises for it: nothing silently becomes "root admin only".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import reduce
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model
from django.utils.module_loading import import_string


class Scope(StrEnum):
    #: the same rows, with the same keys, in every region (they replicate)
    CLOUD = "cloud"
    #: this region's own rows (its federation state, its settings for itself)
    REGION = "region"
    #: rows of one zone of this region
    ZONE = "zone"


class Audience(StrEnum):
    """Who may see the rows (root admins may do everything; changes follow the policy)."""

    #: every signed-in user may view; root admins change
    EVERYONE = "everyone"
    #: domain admins may view too; root admins change
    ADMINS = "admins"
    #: by ownership: domain admins their domain subtree, users what their account owns
    OWNERS = "owners"
    #: rows shown and managed through their parent row (`parent`): whoever may see the
    #: parent sees them, whoever may change the parent manages them
    PARENT = "parent"
    #: root admins only
    ROOT = "root"
    #: the system's own bookkeeping: no page or API serves it as an object
    SYSTEM = "system"


@dataclass(frozen=True)
class Menu:
    """A navigation entry for the model's list page."""

    label: str
    url_name: str
    #: the submenu it sits in ("" for the bar itself)
    group: str = ""
    order: int = 100


@dataclass(frozen=True)
class Declaration:
    model: type[Model]
    scope: Scope
    audience: Audience
    #: from a row to its domain, as a lookup ("" for a domain itself; None: no domain)
    domain: str | None = None
    #: from a row to the account that owns it ("" for an account itself; None: no owner)
    account: str | None = None
    #: the row it belongs to, for Audience.PARENT (a field name)
    parent: str | None = None
    replicated: bool = False
    menu: Menu | None = None
    #: writes go to the change log (portal.audit); off for bookkeeping that changes on its own
    logged: bool = True
    #: fields the change log names as changed but never shows (a password hash, a secret)
    secret_fields: tuple[str, ...] = ()
    #: fields whose saves alone are no change to log (a sign-in stamping last_login)
    quiet_fields: tuple[str, ...] = ()
    #: the entity in CloudStack event types (USER in USER.CREATE); the model's name if ""
    event: str = ""

    @property
    def logs_changes(self) -> bool:
        return self.logged and self.audience != Audience.SYSTEM

    @property
    def restricted(self) -> bool:
        """Rows only admins (ADMINS) or root admins (ROOT) see: their lists and REST reads
        refuse anyone else outright (a 403), where an empty list would say there is none."""
        return self.audience in (Audience.ADMINS, Audience.ROOT)

    @property
    def event_entity(self) -> str:
        return self.event or self.model._meta.model_name.upper()

    @property
    def label(self) -> str:
        return self.model._meta.label

    def domain_of(self, obj: Model) -> Any:
        """The domain OBJ belongs to, or None."""
        return _follow(obj, self.domain)

    def account_of(self, obj: Model) -> Any:
        """The account that owns OBJ, or None."""
        return _follow(obj, self.account)

    def domain_lookup(self, name: str) -> str:
        """A queryset lookup from this model to its domain's field NAME."""
        if self.domain is None:
            raise ImproperlyConfigured(f"{self.label} is declared without a domain")
        return "__".join(part for part in (self.domain, name) if part)


def _follow(obj: Model, path: str | None) -> Any:
    if path is None:
        return None
    if path == "":
        return obj
    return reduce(lambda current, name: getattr(current, name, None), path.split("__"), obj)


_declared: dict[str, Declaration] = {}


class Undeclared(LookupError):
    """A model of the project with no declaration (see the module)."""


def declare(
    model: type[Model],
    *,
    scope: Scope,
    audience: Audience,
    domain: str | None = None,
    account: str | None = None,
    parent: str | None = None,
    replicated: bool = False,
    menu: Menu | None = None,
    logged: bool = True,
    secret_fields: tuple[str, ...] = (),
    quiet_fields: tuple[str, ...] = (),
    event: str = "",
) -> Declaration:
    """Declare MODEL (call it next to the model, in its models module)."""
    if scope == Scope.CLOUD and not replicated:
        raise ImproperlyConfigured(f"{model._meta.label}: cloud-wide rows must replicate")
    if audience == Audience.OWNERS and domain is None:
        raise ImproperlyConfigured(f"{model._meta.label}: owned rows need a domain path")
    if (audience == Audience.PARENT) != (parent is not None):
        raise ImproperlyConfigured(f"{model._meta.label}: a parent goes with Audience.PARENT")
    found = Declaration(
        model,
        scope,
        audience,
        domain,
        account,
        parent,
        replicated,
        menu,
        logged,
        tuple(secret_fields),
        tuple(quiet_fields),
        event,
    )
    _declared[model._meta.label] = found
    return found


def declaration(model: type[Model] | Model) -> Declaration:
    """MODEL's declaration (a class or an instance); raises Undeclared."""
    label = model._meta.label
    try:
        return _declared[label]
    except KeyError:
        raise Undeclared(f"{label} has no declaration (portal.declarations.declare)") from None


def declarations() -> Iterator[Declaration]:
    yield from _declared.values()


def project_models() -> list[type[Model]]:
    """The models of this project's own apps (not Django's or a library's)."""
    base = str(settings.BASE_DIR)
    return [
        model
        for config in apps.get_app_configs()
        if config.path.startswith(base) and "site-packages" not in config.path
        for model in config.get_models()
    ]


@checks.register()
def check_declarations(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """portal.E001: a project model without a declaration; portal.E002: a declaration and
    the replication registry disagree."""
    errors: list[checks.CheckMessage] = []
    for model in project_models():
        if model._meta.label not in _declared:
            errors.append(
                checks.Error(
                    f"{model._meta.label} has no declaration.",
                    hint="Call portal.declarations.declare(...) next to the model.",
                    obj=model,
                    id="portal.E001",
                )
            )
    replicated = _replicated_labels()
    if replicated is None:
        return errors
    for found in _declared.values():
        if found.replicated != (found.label in replicated):
            errors.append(
                checks.Error(
                    f"{found.label} is declared {'' if found.replicated else 'not '}replicated "
                    f"but is {'not ' if found.replicated else ''}registered for replication.",
                    obj=found.model,
                    id="portal.E002",
                )
            )
    return errors


def _replicated_labels() -> set[str] | None:
    """The labels the replication registry holds (settings.PORTAL_REPLICATED_MODELS names a
    callable answering them), or None where no registry is configured."""
    name = getattr(settings, "PORTAL_REPLICATED_MODELS", None)
    if not name:
        return None
    return {model._meta.label for model in import_string(name)()}
