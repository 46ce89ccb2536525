"""Domain tree writes: the path of every node is kept here."""

from __future__ import annotations

from identity.models import PATH_SEPARATOR, Domain, User
from identity.permissions import Action, require
from identity.services.accounts import account_purge
from portal.concurrency import atomic_write
from portal.validation import check_dns_name, invalid
from portal.writes import save_changed, unique_name
from regions.federation.replication.recorder import hold


def _check_name(*, parent: Domain, name: str, exclude: Domain | None = None) -> str:
    name = unique_name(
        Domain.objects.filter(parent=parent),
        name,
        taken=lambda name: f"Domain {parent.path} already has a subdomain named {name}.",
        exclude=exclude,
    )
    if PATH_SEPARATOR in name:  # no row holds such a name, so none clashed with it above
        raise invalid("name", f"A domain name cannot contain '{PATH_SEPARATOR}'.")
    return name


@atomic_write(fields={"path": "name"})
def domain_create(
    *, parent: Domain, name: str, network_domain: str = "", by: User | None
) -> Domain:
    if parent is None:
        raise invalid(
            "parent", "A domain needs a parent domain; there is only one ROOT.", "required"
        )
    require(by, Action.ADD, Domain, within=parent)
    name = _check_name(parent=parent, name=name)
    network_domain = check_dns_name("network_domain", network_domain)
    return Domain.objects.create(
        parent=parent,
        name=name,
        path=f"{parent.path}{PATH_SEPARATOR}{name}",
        network_domain=network_domain,
    )


@atomic_write(fields={"path": "name"})
def domain_update(
    *, domain: Domain, name: str | None = None, network_domain: str | None = None, by: User | None
) -> Domain:
    require(by, Action.CHANGE, domain)
    values = {}
    if name is not None and name != domain.name:
        if domain.is_root:
            raise invalid("name", "The ROOT domain cannot be renamed.")
        name = _check_name(parent=domain.parent, name=name, exclude=domain)
        old_prefix = domain.path
        new_prefix = f"{domain.parent.path}{PATH_SEPARATOR}{name}"
        # Save every node of the subtree (not one UPDATE): each is a change to replicate.
        for node in Domain.objects.filter(path__startswith=old_prefix + PATH_SEPARATOR):
            node.path = new_prefix + node.path[len(old_prefix) :]
            node.save(update_fields=["path", "updated"])
        values.update(name=name, path=new_prefix)
    if network_domain is not None:
        values["network_domain"] = check_dns_name("network_domain", network_domain)
    save_changed(domain, **values)
    return domain


@atomic_write
def domain_delete(*, domain: Domain, cleanup: bool = False, by: User | None) -> None:
    """Delete DOMAIN; with CLEANUP also its subdomains, accounts, users and projects.

    Without CLEANUP a domain that still holds anything is refused, so nobody loses accounts
    by accident.
    """
    require(by, Action.DELETE, domain)
    if domain.is_root:
        raise invalid("domain", "The ROOT domain cannot be deleted.")
    # Children added meanwhile (here, or applied from a peer) wait for this lock or are seen.
    hold(domain)
    subtree = Domain.objects.filter(path__startswith=domain.path + PATH_SEPARATOR)
    if not cleanup:
        held = {
            "subdomain": domain.children.count(),
            "account": domain.accounts.count(),
            "project": domain.projects.count(),
        }
        if any(held.values()):
            listing = ", ".join(
                f"{n} {what}{'s' if n > 1 else ''}" for what, n in held.items() if n
            )
            raise invalid(
                "cleanup",
                f"Domain {domain.path} still holds {listing}. Delete them first, or choose "
                "cleanup to delete the domain with everything in it.",
                "in_use",
            )
    # Deepest first, so every PROTECT reference is gone before its target.
    domains = sorted([*subtree, domain], key=lambda d: d.level, reverse=True)
    for node in domains:
        for project in node.projects.all():
            project.delete()
        for account in node.accounts.all():
            account_purge(account=account)
        node.delete()
