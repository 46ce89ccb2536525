"""Account writes: create, rename, enable, disable, lock, delete."""

from __future__ import annotations

from identity.models import Account, AccountState, AccountType, Domain, User
from identity.permissions import Action, is_root_admin, require
from identity.services.guards import keep_a_root_admin
from portal.concurrency import atomic_write
from portal.validation import check_dns_name, invalid
from portal.writes import save_changed, unique_name
from regions.federation.replication.recorder import hold


def _check_name(*, domain: Domain, name: str, exclude: Account | None = None) -> str:
    return unique_name(
        Account.objects.filter(domain=domain),
        name,
        taken=lambda name: f"Domain {domain.path} already has an account named {name}.",
        exclude=exclude,
    )


@atomic_write
def account_create(
    *,
    domain: Domain,
    name: str,
    type: int = AccountType.USER,
    network_domain: str = "",
    by: User | None,
) -> Account:
    require(by, Action.ADD, Account, within=domain)
    if type not in AccountType.values:
        raise invalid("type", f"Account type must be one of {AccountType.values}.")
    if type == AccountType.ROOT_ADMIN:
        if by is not None and not is_root_admin(by):
            raise invalid("type", "Only a root admin can create root admin accounts.", "forbidden")
        if not domain.is_root:
            raise invalid("type", "Root admin accounts belong to the ROOT domain.")
    name = _check_name(domain=domain, name=name)
    network_domain = check_dns_name("network_domain", network_domain)
    return Account.objects.create(
        domain=domain, name=name, type=type, network_domain=network_domain
    )


@atomic_write
def account_update(
    *, account: Account, name: str | None = None, network_domain: str | None = None, by: User | None
) -> Account:
    require(by, Action.CHANGE, account)
    values = {}
    if name is not None:
        values["name"] = _check_name(domain=account.domain, name=name, exclude=account)
    if network_domain is not None:
        values["network_domain"] = check_dns_name("network_domain", network_domain)
    save_changed(account, **values)
    return account


def account_state_check(*, account: Account, state: str, by: User | None) -> None:
    """Refuse a state change that would shut BY out, or leave no root admin; account pages
    ask it too, to offer only the buttons that will work."""
    if state == AccountState.ENABLED:
        return
    if by is not None and by.account_id == account.pk:
        raise invalid("state", "You cannot disable or lock your own account.", "self")
    if account.is_root_admin:
        keep_a_root_admin(losing_account=account)


def _set_state(*, account: Account, state: str, by: User | None) -> Account:
    require(by, Action.CHANGE, account)
    account_state_check(account=account, state=state, by=by)
    save_changed(account, state=state)
    return account


@atomic_write
def account_enable(*, account: Account, by: User | None) -> Account:
    return _set_state(account=account, state=AccountState.ENABLED, by=by)


@atomic_write
def account_disable(*, account: Account, by: User | None) -> Account:
    return _set_state(account=account, state=AccountState.DISABLED, by=by)


@atomic_write
def account_lock(*, account: Account, by: User | None) -> Account:
    return _set_state(account=account, state=AccountState.LOCKED, by=by)


@atomic_write
def account_delete(*, account: Account, by: User | None) -> None:
    """Delete ACCOUNT and its users; refused while it owns projects."""
    require(by, Action.DELETE, account)
    account_delete_check(account=account, by=by)
    hold(account)  # projects or users added meanwhile wait for this lock or are seen
    owned = list(account.owned_projects.values_list("name", flat=True)[:5])
    if owned:
        raise invalid(
            "account",
            f"Account {account.name} owns projects ({', '.join(owned)}). "
            "Delete them or give them another owner first.",
            "in_use",
        )
    account_purge(account=account)


def account_delete_check(*, account: Account, by: User | None) -> None:
    """Refuse deleting one's own account or the last root admin's (asked by account pages
    too). Owning projects is refused by the delete itself, which says what to do first."""
    if by is not None and by.account_id == account.pk:
        raise invalid("account", "You cannot delete your own account.", "self")
    if account.is_root_admin:
        keep_a_root_admin(losing_account=account, field="account")


def account_purge(*, account: Account) -> None:
    """Remove ACCOUNT with its users and projects, no questions asked (callers checked)."""
    for project in account.owned_projects.all():
        project.delete()
    account.users.all().delete()
    account.delete()
