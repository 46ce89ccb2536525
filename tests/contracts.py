"""The per-model contract of tests/portal/test_model_contracts.py: what each role may see
and do with a model's rows, derived from the model's declaration alone (its audience and its
`domain` and `account` paths), where the portal serves the model (found by walking the URL
resolver and the REST router), and a maker per served model that builds rows through the
services.

The rules below restate docs/architecture.md ("Permissions") without asking the policy
(identity/permissions.py): the suite checks the pages and the REST API against them, so a
view that forgets its selector, a policy change nobody meant, or a new model whose pages do
not follow its declaration fails there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.db.models import Model
from django.urls import URLPattern, URLResolver, get_resolver

from identity.models import PATH_SEPARATOR, Account, AccountType, Domain, Project, User
from portal.declarations import Audience, declaration, declarations, project_models
from portal.generic.views import ObjectDetailView, ObjectListView
from portal.models import ChangeAction, ObjectChange
from regions.configuration.services import setting_update
from regions.federation.services import federation_ensure
from regions.models import Federation, Region, Setting
from tests import factories
from tests.factories import PASSWORD, unique
from zones.models import Alert, Cluster, Host, Pod, PublicIpAddress, StoragePool, VlanIpRange, Zone

#: the actors every model is tried with (tests/conftest.py's `actor` fixture): signed out,
#: a root admin, a domain admin of a subdomain (ROOT/eng), a plain user (ROOT/eng/ops), and
#: three who may do nothing: a disabled root admin, a disabled user, a locked account
ROLES = (
    "anonymous",
    "root",
    "dadmin",
    "alice",
    "disabled_root",
    "disabled_alice",
    "locked_account",
)
#: whose accounts own the rows the makers build for a model owned by accounts
OWNERS = ("root", "dadmin", "alice", "bob")
#: audiences whose endpoints refuse outright (403) whoever is outside them: "admins only:
#: a 403, not an empty list" (the settings); open audiences answer an empty list instead
RESTRICTED = (Audience.ADMINS, Audience.ROOT)
#: the one model a plain user adds (CloudStack's allow.user.create.projects, on by
#: default): in their own domain, owned by their own account
USERS_ADD = "identity.Project"


# --- the contract: who sees and does what, from the declaration ------------------------------


def signed_in(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False))


def acting(actor: Any) -> bool:
    """Signed in and enabled (user and account): anyone else may do nothing."""
    return signed_in(actor) and actor.is_active


def owned(model: type[Model]) -> bool:
    """Whether MODEL's rows belong to domains and accounts (Audience.OWNERS)."""
    return declaration(model).audience == Audience.OWNERS


def _below(domain: Any, top: Domain) -> bool:
    return domain is not None and (
        domain.pk == top.pk or domain.path.startswith(top.path + PATH_SEPARATOR)
    )


def _home(actor: User) -> Domain:
    return actor.account.domain


def sees_any(actor: Any, model: type[Model]) -> bool:
    """Whether ACTOR may see rows of MODEL at all (its menu entry, its list)."""
    audience = declaration(model).audience
    if not acting(actor):
        return False
    if actor.is_root_admin:
        return True
    if audience == Audience.ADMINS:
        return actor.is_domain_admin
    return audience in (Audience.EVERYONE, Audience.OWNERS)


def sees(actor: Any, row: Model) -> bool:
    """Whether ACTOR may see ROW: by audience; owned rows by where they are (domain admins:
    their domain's subtree through `domain`) or whose they are (plain users: themselves
    among users, their own domain among domains, and what their account owns through
    `account`, their account itself among accounts)."""
    found = declaration(row)
    if not sees_any(actor, type(row)):
        return False
    if found.audience != Audience.OWNERS or actor.is_root_admin:
        return True
    if actor.is_domain_admin:
        return _below(found.domain_of(row), _home(actor))
    if isinstance(row, type(actor)):
        return row.pk == actor.pk
    if found.domain == "":
        return row.pk == actor.account.domain_id
    owner = found.account_of(row)
    return owner is not None and owner.pk == actor.account_id


def may_change(actor: Any, row: Model, *, delete: bool = False) -> bool:
    """Whether ACTOR may change (or DELETE) ROW: root admins anything; nobody else a row
    whose audience is not by ownership. Domain admins what they see, except their own
    domain, their own account and root admins' accounts and users; plain users the rows
    their account owns (not the account itself, nor their domain) and their own user,
    which they may not delete."""
    found = declaration(row)
    if not acting(actor):
        return False
    if actor.is_root_admin:
        return True
    if found.audience != Audience.OWNERS or not sees(actor, row):
        return False
    themselves = isinstance(row, type(actor))
    if actor.is_domain_admin:
        own = (found.domain == "" and row.pk == _home(actor).pk) or (
            found.account == "" and row.pk == actor.account_id
        )
        owner = found.account_of(row)
        of_root_admin = (found.account == "" or themselves) and owner.is_root_admin
        return not (own or of_root_admin)
    if themselves:
        return not delete
    return found.domain != "" and found.account != ""


def may_add(actor: Any, model: type[Model], place: list[Model]) -> bool:
    """Whether ACTOR may add a row of MODEL at PLACE (the rows a new one names: its parent
    domain, its domain, its account, its owner): root admins anywhere; domain admins where
    every place row is in their subtree, but no user into a root admin's account; plain users
    only USERS_ADD, in their own domain for their own account."""
    found = declaration(model)
    if not acting(actor):
        return False
    if actor.is_root_admin:
        return True
    if found.audience != Audience.OWNERS:
        return False
    domains = [declaration(row).domain_of(row) for row in place]
    owners = [declaration(row).account_of(row) for row in place]
    owners = [owner for owner in owners if owner is not None]
    if actor.is_domain_admin:
        into_root_admins = model is type(actor) and any(owner.is_root_admin for owner in owners)
        return all(_below(domain, _home(actor)) for domain in domains) and not into_root_admins
    return (
        found.label == USERS_ADD
        and all(domain.pk == actor.account.domain_id for domain in domains)
        and all(owner.pk == actor.account_id for owner in owners)
    )


# --- where the portal serves a model ---------------------------------------------------------


def _walk(patterns: list, namespace: str = "") -> dict[str, Any]:
    views: dict[str, Any] = {}
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            views = {**_walk(entry.url_patterns, inner), **views}
        elif isinstance(entry, URLPattern) and entry.name:
            view = getattr(entry.callback, "view_class", None)
            views.setdefault(namespace + entry.name, view)
    return views


@cache
def page_views() -> dict[str, Any]:
    """Every named page route and its view class (None for function views)."""
    return _walk(get_resolver().url_patterns)


@dataclass(frozen=True)
class Served:
    """A model's pages (route names) and REST endpoints (the router's basename)."""

    model: type[Model]
    list_page: str | None = None
    detail_page: str | None = None
    add_page: str | None = None
    edit_page: str | None = None
    delete_page: str | None = None
    api: str | None = None
    api_lookup: str = "pk"
    api_actions: frozenset[str] = field(default_factory=frozenset)

    @property
    def label(self) -> str:
        return self.model._meta.label


def _api_model(viewset: Any) -> type[Model]:
    model = getattr(viewset, "model", None)
    return model if model is not None else viewset.serializer_class.Meta.model


@cache
def served() -> dict[type[Model], Served]:
    """Every model with a menu entry, a page or a REST endpoint of its own: its list page
    is its menu's; its detail page the list's model's detail view; add, edit and delete the
    routes the list and detail pages link to (`add_url_name`, `<url_prefix>_edit`, ...)."""
    from portal.api.urls import router

    ours = set(project_models())
    views = page_views()
    found: dict[type[Model], dict[str, Any]] = {}
    for name, view in views.items():
        model = getattr(view, "model", None)
        if model in ours and hasattr(view, "as_view"):
            found.setdefault(model, {})
            if issubclass(view, ObjectListView) and "list_page" not in found[model]:
                found[model]["list_page"] = name
                if view.add_url_name in views:
                    found[model]["add_page"] = view.add_url_name
            if issubclass(view, ObjectDetailView):
                found[model]["detail_page"] = name
                for kind in ("edit", "delete"):
                    if f"{view.url_prefix}_{kind}" in views:
                        found[model][f"{kind}_page"] = f"{view.url_prefix}_{kind}"
    for each in declarations():
        if each.menu is not None:
            found.setdefault(each.model, {})["list_page"] = each.menu.url_name
    for _prefix, viewset, basename in router.registry:
        model = _api_model(viewset)
        found.setdefault(model, {}).update(
            api=basename,
            api_lookup=viewset.lookup_field,
            api_actions=frozenset(
                action
                for action in ("list", "retrieve", "create", "update", "partial_update", "destroy")
                if hasattr(viewset, action)
            ),
        )
    return {model: Served(model, **routes) for model, routes in found.items()}


# --- makers: one row of each served model, through the services ------------------------------


@dataclass(frozen=True)
class Maker:
    """How the suite builds rows of a model and what it sends to add or change one.

    `make(owner)` builds one row through the services: for a model owned by accounts, in
    OWNER's domain and, where the model has an owner, owned by OWNER (a domain below OWNER's
    domain, an account in it, a user of OWNER, a project of OWNER); for any other model OWNER
    is None. `place(owner)` names, by field, the rows a new row placed like that would name;
    `new()` and `new_body()` the rest of a new row (the page's form, the REST body), `edit(row)`
    and `edit_body(row)` a valid change of ROW (the REST body whole, for PUT as for PATCH).
    """

    make: Callable[[Account | None], Model]
    new: Callable[[], dict[str, Any]] | None = None
    new_body: Callable[[], dict[str, Any]] | None = None
    edit: Callable[[Model], dict[str, Any]] | None = None
    edit_body: Callable[[Model], dict[str, Any]] | None = None
    place: Callable[[Account], dict[str, Model]] = lambda owner: {}

    def form(self, owner: Account | None) -> dict[str, Any]:
        places = self.place(owner) if owner is not None else {}
        return {name: row.pk for name, row in places.items()} | self.new()

    def body(self, owner: Account | None) -> dict[str, Any]:
        places = self.place(owner) if owner is not None else {}
        fields = (self.new_body or self.new)()
        return {name: str(row.pk) for name, row in places.items()} | fields


def _region(owner: Account | None = None) -> Region:
    return factories.region()


def _new_region() -> dict[str, Any]:
    number = int(unique(""))
    return {
        "id": 1000 + number,
        "name": f"region{number}",
        "endpoint": f"https://region{number}.example.com",
        "description": "",
    }


def _zone_form(zone: Zone | None = None) -> dict[str, Any]:
    return {
        "name": unique("zone"),
        "description": "",
        "dns1": "8.8.8.8",
        "dns2": "",
        "internal_dns1": "10.0.0.2",
        "internal_dns2": "",
        "guest_cidr": "" if zone is None else zone.guest_cidr,
        "allocation_state": "Disabled",
        **({"network_type": "Advanced"} if zone is None else {}),
    }


def _new_pod(zone: Any) -> dict[str, Any]:
    """A new pod in ZONE (a zone's id, made for it: so its range overlaps no other pod's)."""
    return {
        "zone": zone,
        "name": unique("pod"),
        "gateway": "10.9.9.1",
        "netmask": "255.255.255.0",
        "start_ip": "10.9.9.10",
        "end_ip": "10.9.9.20",
        "allocation_state": "Enabled",
    }


def _pod_edit(pod: Pod) -> dict[str, Any]:
    """POD with a new name: its form whole."""
    fields = ("gateway", "netmask", "start_ip", "end_ip", "allocation_state")
    return {"name": unique("pod"), **{field: getattr(pod, field) for field in fields}}


def _new_cluster(pod: Any) -> dict[str, Any]:
    """A new cluster in POD (a pod's id)."""
    return {
        "pod": pod,
        "name": unique("cluster"),
        "hypervisor": "KVM",
        "allocation_state": "Enabled",
        "cpu_overcommit_ratio": "2.0",
        "memory_overcommit_ratio": "1.5",
    }


def _cluster_edit(cluster: Cluster) -> dict[str, Any]:
    """CLUSTER with a new name: its form whole."""
    fields = ("allocation_state", "cpu_overcommit_ratio", "memory_overcommit_ratio")
    return {"name": unique("cluster"), **{field: getattr(cluster, field) for field in fields}}


def _new_host(cluster: Any) -> dict[str, Any]:
    """A new simulated host of CLUSTER (a Simulator cluster's id)."""
    return {"cluster": cluster, "url": f"http://sim/{unique('h')}?cpucore=8", "host_tags": "ssd"}


def _sim_cluster() -> Cluster:
    return factories.cluster(hypervisor="Simulator")


def _new_storage_pool(cluster: Cluster, key: Any = lambda row: row.pk) -> dict[str, Any]:
    """A new cluster-wide pool of CLUSTER, its zone, pod and cluster named by KEY."""
    places = {"zone": cluster.pod.zone, "pod": cluster.pod, "cluster": cluster}
    return {name: key(row) for name, row in places.items()} | {
        "scope": "CLUSTER",
        "hypervisor": "",
        "name": unique("pool"),
        "url": f"nfs://10.0.0.6/export/{unique('share')}",
        "capacity_bytes": str(factories.TIB),
        "tags": "ssd",
    }


def _storage_pool_edit(pool: StoragePool) -> dict[str, Any]:
    """POOL with a new name: its form whole."""
    return {"name": unique("pool"), "capacity_bytes": pool.capacity_bytes, "tags": pool.tags}


def _new_vlan_ip_range(zone: Any) -> dict[str, Any]:
    """A new public IP range in ZONE (a zone's id, made for it: so it overlaps nothing)."""
    return {
        "zone": zone,
        "vlan": "2999",
        "gateway": "100.127.9.1",
        "netmask": "255.255.255.0",
        "start_ip": "100.127.9.10",
        "end_ip": "100.127.9.12",
        "for_virtual_network": True,
    }


#: a maker per model the portal serves (tests/portal/test_model_contracts.py fails for a
#: served model without one, and for a maker of a model it does not serve)
MAKERS: dict[type[Model], Maker] = {
    Domain: Maker(
        make=lambda owner: factories.domain(parent=owner.domain),
        place=lambda owner: {"parent": owner.domain},
        new=lambda: {"name": unique("dom"), "network_domain": ""},
        edit=lambda row: {"name": unique("dom"), "network_domain": ""},
        edit_body=lambda row: {"name": unique("dom")},
    ),
    Account: Maker(
        make=lambda owner: factories.account(domain=owner.domain),
        place=lambda owner: {"domain": owner.domain},
        new=lambda: {"name": unique("acct"), "type": AccountType.USER, "network_domain": ""},
        edit=lambda row: {"name": unique("acct"), "network_domain": ""},
        edit_body=lambda row: {"name": unique("acct")},
    ),
    User: Maker(
        make=lambda owner: factories.user(account=owner),
        place=lambda owner: {"account": owner},
        new=lambda: {
            "username": unique("user"),
            "password": PASSWORD,
            "password_again": PASSWORD,
            "timezone": "UTC",
        },
        new_body=lambda: {"username": unique("user"), "password": PASSWORD},
        edit=lambda row: {"username": row.username, "first_name": unique("n"), "timezone": "UTC"},
        edit_body=lambda row: {"username": row.username, "first_name": unique("n")},
    ),
    Project: Maker(
        make=lambda owner: factories.project(owner=owner),
        place=lambda owner: {"domain": owner.domain, "owner": owner},
        new=lambda: {"name": unique("proj"), "display_text": ""},
        edit=lambda row: {"name": unique("proj"), "display_text": "", "owner": row.owner_id},
        edit_body=lambda row: {"name": unique("proj"), "owner": str(row.owner_id)},
    ),
    Region: Maker(
        make=_region,
        new=_new_region,
        edit=lambda row: {"name": unique("region"), "description": "", "endpoint": row.endpoint},
        edit_body=lambda row: {"name": unique("region"), "endpoint": row.endpoint},
    ),
    Zone: Maker(
        make=lambda owner: factories.zone(),
        new=_zone_form,
        new_body=lambda: {"name": unique("zone"), "dns1": "8.8.8.8", "internal_dns1": "10.0.0.2"},
        edit=_zone_form,
        edit_body=lambda row: {
            "name": row.name,
            "description": unique("about"),
            "dns1": row.dns1,
            "internal_dns1": row.internal_dns1,
        },
    ),
    Pod: Maker(
        make=lambda owner: factories.pod(),
        new=lambda: _new_pod(factories.zone().pk),
        new_body=lambda: _new_pod(str(factories.zone().pk)),
        edit=_pod_edit,
        edit_body=_pod_edit,
    ),
    Cluster: Maker(
        make=lambda owner: factories.cluster(),
        new=lambda: _new_cluster(factories.pod().pk),
        new_body=lambda: (
            _new_cluster(str(factories.pod().pk))
            | {"cpu_overcommit_ratio": 2, "memory_overcommit_ratio": 1.5}
        ),
        edit=_cluster_edit,
        edit_body=_cluster_edit,
    ),
    Alert: Maker(make=lambda owner: factories.alert()),
    Host: Maker(
        # in maintenance, so that a root admin's delete (not forced) is done
        make=lambda owner: factories.host(maintenance=True),
        new=lambda: _new_host(_sim_cluster().pk) | {"allocation_state": "Enabled"},
        new_body=lambda: _new_host(str(_sim_cluster().pk)),
        edit=lambda row: {"name": unique("host"), "host_tags": row.host_tags},
        edit_body=lambda row: {"name": unique("host"), "host_tags": row.host_tags},
    ),
    StoragePool: Maker(
        make=lambda owner: factories.storage_pool(),
        new=lambda: _new_storage_pool(factories.cluster()),
        new_body=lambda: (
            _new_storage_pool(factories.cluster(), key=lambda row: str(row.pk))
            | {"capacity_bytes": factories.TIB, "hypervisor": None}
        ),
        edit=_storage_pool_edit,
        edit_body=_storage_pool_edit,
    ),
    VlanIpRange: Maker(
        make=lambda owner: factories.vlan_ip_range(),
        new=lambda: _new_vlan_ip_range(factories.zone().pk),
        new_body=lambda: _new_vlan_ip_range(str(factories.zone().pk)),
    ),
    PublicIpAddress: Maker(make=lambda owner: factories.vlan_ip_range().addresses.first()),
    Setting: Maker(
        make=lambda owner: setting_update(name="session.timeout", value="45", by=None),
        edit=lambda row: {"value": str(60 + int(unique("")))},
        edit_body=lambda row: {"value": 60 + int(unique(""))},
    ),
    Federation: Maker(make=lambda owner: federation_ensure()),
    ObjectChange: Maker(make=lambda owner: _logged_change()),
}


def _logged_change() -> ObjectChange:
    """A row of the change log: the one a zone's creation writes."""
    zone = factories.zone()
    return ObjectChange.objects.get(object_id=str(zone.pk), action=ChangeAction.CREATE)


def owners_of(model: type[Model], people: dict[str, User]) -> dict[str, Account | None]:
    """Whose rows the suite makes: each of OWNERS' accounts for an owned model, one row
    (owned by nobody) for any other."""
    if owned(model):
        return {name: people[name].account for name in OWNERS}
    return {"": None}
