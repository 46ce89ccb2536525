"""The one place that answers "may ACTOR do ACTION on TARGET", and "what may ACTOR see":
the policy behind portal/permissions.py (settings.PORTAL_PERMISSIONS).

Every entry point (portal pages, REST, the CloudStack API) reaches a write through a
service, and every service asks `require`; list pages and endpoints scope their
querysets with `visible`. Roles follow CloudStack: a root admin manages everything, a domain
admin its domain subtree, a user sees and edits only their own user and sees their account.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, Q

from identity.models import PATH_SEPARATOR, Account, Domain, Project, ProjectRole, User
from portal.declarations import Audience, Declaration, declaration
from portal.permissions import Action, require  # noqa: F401  (identity's own callers)
from regions.configuration.selectors import setting_value


def _acting_user(actor: Any) -> User | None:
    """The signed-in, enabled portal user behind ACTOR, or None for anyone else."""
    if not isinstance(actor, User) or not actor.is_active:
        return None
    return actor


def is_root_admin(actor: Any) -> bool:
    user = _acting_user(actor)
    return user is not None and user.is_root_admin


def in_subtree(domain: Domain, top: Domain) -> bool:
    return domain.pk == top.pk or domain.path.startswith(top.path + PATH_SEPARATOR)


def _subtree_q(top: Domain, found: Declaration) -> Q:
    """FOUND's rows in TOP's domain subtree."""
    return Q(**{found.domain_lookup("path"): top.path}) | Q(
        **{found.domain_lookup("path__startswith"): top.path + PATH_SEPARATOR}
    )


def _domain_of(target: Any) -> Domain | None:
    """The domain TARGET belongs to, by its model's declaration (None: no domain)."""
    if not isinstance(target, Model):
        return None
    return declaration(target).domain_of(target)


def may(
    actor: Any, action: Action | str, target: Model | type[Model], *, within: Any = None
) -> bool:
    """Whether ACTOR may do ACTION on TARGET (an instance, or a model class for ADD).

    For ADD, WITHIN is where the new object goes: the parent domain of a domain, the
    domain of an account or project, the account of a user.
    """
    action = Action(action)
    model = target if isinstance(target, type) else type(target)
    found = declaration(model)  # an undeclared model raises, for root admins too
    user = _acting_user(actor)
    if user is None:
        return False
    if user.is_root_admin:
        return True
    if found.audience == Audience.PARENT:
        if isinstance(target, type):
            target, action = within, Action.CHANGE  # adding one changes its parent
        else:
            target = getattr(target, found.parent)
            action = Action.VIEW if action == Action.VIEW else Action.CHANGE
        return target is not None and may(user, action, target)
    if found.audience == Audience.EVERYONE:
        return action == Action.VIEW
    if found.audience == Audience.ADMINS:
        return action == Action.VIEW and user.is_domain_admin
    if found.audience != Audience.OWNERS:
        return False
    if action == Action.ADD:
        return _may_add(user, model, within)
    if user.is_domain_admin:
        return _domain_admin_may(user, action, found, target)
    return _user_may(user, action, found, target)


def _of_root_admin(target: Any) -> bool:
    """Whether TARGET is a root admin account or one of its users."""
    if isinstance(target, Account):
        return target.is_root_admin
    if isinstance(target, User):
        return target.account.is_root_admin
    return False


def _may_add(user: User, model: type[Model], within: Any) -> bool:
    home = user.account.domain
    where = _domain_of(within)
    if where is None:
        return False
    if user.is_domain_admin:
        if model is User and _of_root_admin(within):
            return False  # a user added there would be a root admin
        return in_subtree(where, home)
    # A plain user may create projects in their own domain, owned by their own account,
    # while the cloud allows it (CloudStack's allow.user.create.projects).
    return model is Project and where.pk == home.pk and _users_may_create_projects()


def _users_may_create_projects() -> bool:
    return bool(setting_value("allow.user.create.projects"))


def may_use_api_keys(actor: Any) -> bool:
    """Root admins always; everyone else while the cloud allows it (api.key.access)."""
    user = _acting_user(actor)
    if user is None:
        return False
    if user.is_root_admin:
        return True
    return bool(setting_value("api.key.access"))


def _domain_admin_may(user: User, action: Action, found: Declaration, target: Any) -> bool:
    home = user.account.domain
    domain = found.domain_of(target)
    if domain is None or not in_subtree(domain, home):
        return False
    if isinstance(target, Domain) and action in (Action.CHANGE, Action.DELETE):
        return target.pk != home.pk  # only below their own domain
    if _of_root_admin(target):
        return action == Action.VIEW  # a domain admin of ROOT must not take over root admins
    if isinstance(target, Account) and target.pk == user.account_id:
        return action == Action.VIEW  # never lock themselves out
    return True


def _user_may(user: User, action: Action, found: Declaration, target: Any) -> bool:
    """A plain user: their own user, their account and domain to look at, the projects they
    own or belong to; rows of other owned models that their account owns."""
    if isinstance(target, User):
        return target.pk == user.pk and action in (Action.VIEW, Action.CHANGE)
    if isinstance(target, Account):
        return target.pk == user.account_id and action == Action.VIEW
    if isinstance(target, Domain):
        return target.pk == user.account.domain_id and action == Action.VIEW
    if isinstance(target, Project):
        if target.owner_id == user.account_id:
            return True
        membership = target.memberships.filter(account_id=user.account_id).first()
        if membership is None:
            return False
        return action == Action.VIEW or membership.role == ProjectRole.ADMIN
    if found.account is None or isinstance(target, type):
        return False
    owner = found.account_of(target)
    return owner is not None and owner.pk == user.account_id


def visible(actor: Any, model: type[Model]) -> Q | None:
    """A filter for the rows of MODEL that ACTOR may view; None means none at all."""
    found = declaration(model)
    user = _acting_user(actor)
    if user is None:
        return None
    if user.is_root_admin or found.audience == Audience.EVERYONE:
        return Q()
    if found.audience == Audience.ADMINS:
        return Q() if user.is_domain_admin else None
    if found.audience != Audience.OWNERS:
        return None
    home = user.account.domain
    if user.is_domain_admin:
        return _subtree_q(home, found)
    if model is Domain:
        return Q(pk=home.pk)
    if model is User:
        return Q(pk=user.pk)
    if model is Project:
        return Q(owner_id=user.account_id) | Q(memberships__account_id=user.account_id)
    if found.account is None:
        return None
    return Q(**{found.account or "pk": user.account_id})  # what their account owns


def subtree(top: Domain, model: type[Model]) -> Q:
    """The rows of MODEL in TOP's domain subtree (portal.permissions.subtree)."""
    return _subtree_q(top, declaration(model))
