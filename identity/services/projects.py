"""Project writes, including membership; the owner is always an admin member."""

from __future__ import annotations

from typing import Any

from identity.models import (
    Account,
    Domain,
    Project,
    ProjectMembership,
    ProjectRole,
    ProjectState,
    User,
)
from identity.permissions import Action, in_subtree, require
from portal.concurrency import atomic_write
from portal.validation import check_length, invalid
from portal.writes import save_changed, unique_name
from regions.configuration.selectors import setting_value


def _check_name(*, domain: Domain, name: str, exclude: Project | None = None) -> str:
    return unique_name(
        Project.objects.filter(domain=domain),
        name,
        taken=lambda name: f"Domain {domain.path} already has a project named {name}.",
        exclude=exclude,
    )


def _check_owner(*, domain: Domain, owner: Account | None, by: User | None) -> Account:
    if owner is None:
        raise invalid("owner", "A project needs an owner account.", "required")
    if owner.domain_id != domain.pk:
        raise invalid("owner", f"The owner must be an account of domain {domain.path}.")
    if (
        by is not None
        and not (by.is_root_admin or by.is_domain_admin)
        and owner.pk != by.account_id
    ):
        raise invalid(
            "owner", "You can only create projects owned by your own account.", "forbidden"
        )
    return owner


def _check_project_limit(owner: Account) -> None:
    """CloudStack's max.account.projects; root admin accounts have no limit."""
    limit = setting_value("max.account.projects")
    if limit < 0 or owner.is_root_admin:
        return
    if Project.objects.filter(owner=owner).count() >= limit:
        raise invalid(
            "owner", f"Account {owner.name} already owns {limit} project(s), the limit.", "limit"
        )


@atomic_write
def project_create(
    *, domain: Domain, name: str, owner: Account, display_text: str = "", by: User | None
) -> Project:
    require(by, Action.ADD, Project, within=domain)
    name = _check_name(domain=domain, name=name)
    owner = _check_owner(domain=domain, owner=owner, by=by)
    _check_project_limit(owner)
    project = Project.objects.create(
        domain=domain,
        name=name,
        owner=owner,
        display_text=check_length("display_text", display_text, max_length=255, required=False),
    )
    ProjectMembership.objects.create(project=project, account=owner, role=ProjectRole.ADMIN)
    return project


@atomic_write
def project_update(
    *,
    project: Project,
    by: User | None,
    name: str | None = None,
    display_text: str | None = None,
    owner: Account | None = None,
) -> Project:
    require(by, Action.CHANGE, project)
    values: dict[str, Any] = {}
    if name is not None:
        values["name"] = _check_name(domain=project.domain, name=name, exclude=project)
    if display_text is not None:
        values["display_text"] = check_length(
            "display_text", display_text, max_length=255, required=False
        )
    if owner is not None and owner.pk != project.owner_id:
        values["owner"] = _check_owner(domain=project.domain, owner=owner, by=None)
        _check_project_limit(values["owner"])
        ProjectMembership.objects.update_or_create(
            project=project, account=owner, defaults={"role": ProjectRole.ADMIN}
        )
    save_changed(project, **values)
    return project


def _set_state(*, project: Project, state: str, by: User | None) -> Project:
    require(by, Action.CHANGE, project)
    save_changed(project, state=state)
    return project


@atomic_write
def project_suspend(*, project: Project, by: User | None) -> Project:
    return _set_state(project=project, state=ProjectState.SUSPENDED, by=by)


@atomic_write
def project_activate(*, project: Project, by: User | None) -> Project:
    return _set_state(project=project, state=ProjectState.ACTIVE, by=by)


@atomic_write
def project_delete(*, project: Project, by: User | None) -> None:
    require(by, Action.DELETE, project)
    project.delete()


@atomic_write
def project_member_add(
    *, project: Project, account: Account, role: str = ProjectRole.REGULAR, by: User | None
) -> ProjectMembership:
    require(by, Action.CHANGE, project)
    if role not in ProjectRole.values:
        raise invalid("role", f"Role must be one of {ProjectRole.values}.")
    if not in_subtree(account.domain, project.domain) and not in_subtree(
        project.domain, account.domain
    ):
        raise invalid("account", "Only accounts of the project's domain tree can join it.")
    if project.memberships.filter(account=account).exists():
        raise invalid("account", f"Account {account.name} is already a member.", "unique")
    return ProjectMembership.objects.create(project=project, account=account, role=role)


@atomic_write
def project_member_remove(*, project: Project, account: Account, by: User | None) -> None:
    require(by, Action.CHANGE, project)
    if account.pk == project.owner_id:
        raise invalid("account", "The owner cannot leave the project; change the owner first.")
    deleted, _ = project.memberships.filter(account=account).delete()
    if not deleted:
        raise invalid("account", f"Account {account.name} is not a member.", "not_member")
