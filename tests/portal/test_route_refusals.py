"""Every page and REST route is refused to whoever may not use it, found by walking the URL
resolver: a route added without being covered here fails `test_every_route_is_covered`.

For each route of the portal's apps (pages and `/api/`):
- signed out, GET and POST are refused (pages send to the sign-in page, the API answers
  401/403) and nothing changes;
- a plain user naming an object they cannot see gets a 404 (never a 403 that would confirm
  it exists), and a POST there changes nothing;
- a plain user's POST to a route that writes rows only admins write is refused and changes
  nothing.
Routes that are public by design, or signed with the federation secret rather than a
session, are listed in PUBLIC with where they are tested.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from identity.models import Account, Domain, Project, User
from portal.declarations import Audience, declaration
from regions.models import Region, Setting
from tests import factories
from tests.api_helpers import api_client
from tests.db_state import db_state
from zones.models import Alert, Cluster, Host, Pod, PublicIpAddress, StoragePool, VlanIpRange, Zone

#: routes anyone may reach, or that are signed otherwise, and the tests that cover them
PUBLIC = {
    "health": "the load balancers' probe (tests/portal/test_health.py)",
    "regions:setup": "the first-run wizard, before any user exists (tests/regions/test_setup_*)",
    "cloudstack-api": "signed per request (tests/cloudstack/, test_refusals.py)",
    "api-token": "signing in (tests/identity/test_api.py, test_sign_in_limits*.py)",
    "api-schema": "the OpenAPI schema, public (tests/portal/test_api_docs.py)",
    "api-docs": "the API's documentation page, public (tests/portal/test_api_docs.py)",
    "sso:switch": "single sign-on (tests/identity/sso/)",
    "sso:remembered": "single sign-on (tests/identity/sso/)",
    "sso:sign_out_everywhere": "single sign-on (tests/identity/sso/)",
    "region_login": "single sign-on's provider login (tests/identity/sso/)",
    "region_callback": "single sign-on's provider callback (tests/identity/sso/)",
}
#: the peer API: signed with the federation secret, never a session (tests/regions/test_peer_*)
PEER_PREFIX = "peer:"
#: our apps' routes; allauth's, the admin's and the OpenID provider's are theirs
OURS = re.compile(
    r"^(regions|zones|identity|settings|sso|peer):|^(health|cloudstack-api|region_login|region_callback|api-.*|[a-z][a-z-]*-(list|detail|disable|enable|lock|set-password|activate|suspend|members|reset|maintain|maintenance|cancel-maintenance|simulate|archive))$"
)


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    view: Any
    kwargs: tuple[str, ...]


def _walk(patterns: list, prefix: str = "", namespace: str = "") -> list[Route]:
    routes = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            routes += _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern) and entry.name:
            pattern = prefix + str(entry.pattern)
            if "format" in pattern:
                continue  # DRF's ".json" twins of the same views
            kwargs = tuple(entry.pattern.regex.groupindex)
            routes.append(Route(namespace + entry.name, pattern, entry.callback, kwargs))
    return routes


def our_routes() -> list[Route]:
    seen, routes = set(), []
    for route in _walk(get_resolver().url_patterns):
        if OURS.match(route.name) and route.name not in seen:
            seen.add(route.name)
            routes.append(route)
    return routes


def _model(route: Route) -> Any:
    view = getattr(route.view, "view_class", None) or getattr(route.view, "cls", None)
    model = getattr(view, "model", None)
    if model is None and view is not None and getattr(view, "queryset", None) is not None:
        model = view.queryset.model
    if (model is None and "settings" in route.name) or route.name.startswith("setting-"):
        return Setting
    return model


def _is_api(route: Route) -> bool:
    return route.pattern.startswith("api/")


def test_every_route_is_covered():
    routes = our_routes()
    names = {route.name for route in routes}
    assert {"identity:user", "zones:zone_edit", "zones:pod_edit", "pod-detail"} <= names
    assert {"zones:cluster_edit", "cluster-detail"} <= names
    assert {"zones:host_edit", "zones:host_action", "host-detail", "host-simulate"} <= names
    assert {"host-maintenance", "host-cancel-maintenance", "alert-archive"} <= names
    assert {"zones:storage_pool_action", "storagepool-cancel-maintenance"} <= names
    assert {"zones:vlan_ip_range_delete", "vlan-ip-range-detail"} <= names
    assert "public-ip-address-detail" in names
    assert {"user-detail", "api-federation"} <= names
    assert set(PUBLIC) <= names | {"api-token", "api-schema", "api-docs"}, set(PUBLIC) - names
    for route in routes:
        if route.name in PUBLIC or route.name.startswith(PEER_PREFIX):
            continue
        # every other route is exercised by the tests below: it needs kwargs we can fill
        assert set(route.kwargs) <= set(KWARGS), f"{route.name}: fill {route.kwargs}"


# --- the world the routes are tried in ---------------------------------------------------


@pytest.fixture
def world(region, root, dadmin, alice, bob, eng, sales):
    zone = factories.zone(name="zone-a")
    pod = factories.pod(zone=zone)
    cluster = factories.cluster(pod=pod)
    ip_range = factories.vlan_ip_range(zone=zone)
    return {
        Region: region,
        Zone: zone,
        Pod: pod,
        Cluster: cluster,
        Alert: factories.alert(),
        Host: factories.host(cluster=factories.cluster(pod=pod, hypervisor="Simulator")),
        StoragePool: factories.storage_pool(cluster=cluster),
        VlanIpRange: ip_range,
        PublicIpAddress: ip_range.addresses.first(),
        Domain: sales,
        Account: bob.account,
        User: bob,
        Project: factories.project(owner=bob.account, domain=sales, name="bob-project"),
        Setting: Setting.objects.get(name="allow.user.create.projects"),
        "zone": zone,
        "alice": alice,
        "root": root,
    }


def _action(route: Route) -> str:
    view = getattr(route.view, "view_class", None)
    services = getattr(view, "services", None) or {}
    return next(iter(services), "disable")


KWARGS = {
    "pk": lambda route, obj, world: obj.pk if obj is not None else 1,
    "name": lambda route, obj, world: world[Setting].name,
    "zone": lambda route, obj, world: world["zone"].pk,
    "action": lambda route, obj, world: _action(route),
    "region_id": lambda route, obj, world: world[Region].pk,
    "provider_id": lambda route, obj, world: f"region-{world[Region].pk}",
}


def _path(route: Route, world: dict, obj: Any = None) -> str:
    model = _model(route)
    if obj is None and model is not None:
        obj = world.get(model)
    kwargs = {name: KWARGS[name](route, obj, world) for name in route.kwargs}
    return reverse(route.name, kwargs=kwargs)


def _checked_routes() -> list[Route]:
    return [r for r in our_routes() if r.name not in PUBLIC and not r.name.startswith(PEER_PREFIX)]


@pytest.mark.parametrize("route", _checked_routes(), ids=lambda r: r.name)
def test_signed_out_is_refused_and_changes_nothing(route, world):
    path = _path(route, world)
    client = api_client() if _is_api(route) else Client()
    before = db_state()
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        if _is_api(route):
            assert response.status_code in (401, 403), (method, path, response.status_code)
        else:
            assert response.status_code == 302, (method, path, response.status_code)
            assert response["Location"].startswith(reverse("account_login"))
    assert db_state() == before


def _signed_in(route: Route, user) -> Client | APIClient:
    """A client of the kind ROUTE serves (REST or pages), signed in as USER."""
    if _is_api(route):
        return api_client(user)
    client = Client()
    client.force_login(user)
    return client


def _owned(route: Route) -> bool:
    model = _model(route)
    return (
        model is not None
        and "pk" in route.kwargs
        and (declaration(model).audience == Audience.OWNERS)
    )


@pytest.mark.parametrize("route", [r for r in _checked_routes() if _owned(r)], ids=lambda r: r.name)
def test_an_object_a_user_cannot_see_is_not_found(route, world):
    """Alice (a user in ops) names bob's rows (sales): unknown to her, whatever the route."""
    path = _path(route, world)
    client = _signed_in(route, world["alice"])
    before = db_state()
    assert client.get(path).status_code in (404, 405), path
    assert client.post(path).status_code in (404, 405), path
    assert db_state() == before


def _admin_writes(route: Route) -> bool:
    model = _model(route)
    if model is None:
        return route.name.startswith(
            ("regions:peer", "regions:replication", "regions:join", "api-federation", "api-join")
        )
    return declaration(model).audience in (Audience.EVERYONE, Audience.ADMINS, Audience.ROOT)


@pytest.mark.parametrize(
    "route", [r for r in _checked_routes() if _admin_writes(r)], ids=lambda r: r.name
)
def test_a_user_cannot_write_what_only_admins_write(route, world):
    path = _path(route, world)
    client = _signed_in(route, world["alice"])
    before = db_state()
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(path)
        assert response.status_code in (403, 404, 405), (method, path, response.status_code)
    assert db_state() == before
