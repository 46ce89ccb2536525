"""Filtering once (portal/filtering.py): one FilterSet per list serves the REST list, the
portal's list page and the CloudStack list command, through the app's `_filtered` selector."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from identity import selectors as identity_selectors
from identity.api.views import AccountViewSet, DomainViewSet, ProjectViewSet, UserViewSet
from identity.filtersets import UserFilterSet
from identity.models import User
from identity.views import AccountListView, DomainListView, ProjectListView, UserListView
from portal.api.viewsets import ServiceReadViewSet
from portal.filtering import ListFilterSet, filtered
from portal.generic.views import ObjectListView
from regions.api.views import RegionViewSet
from regions.configuration.api import SettingViewSet
from regions.configuration.filtersets import SettingFilterSet
from regions.views import RegionListView
from tests import factories
from tests.api_helpers import api_client
from zones.api.views import (
    ClusterViewSet,
    HostViewSet,
    PodViewSet,
    StoragePoolViewSet,
    VlanIpRangeViewSet,
    ZoneViewSet,
)
from zones.views import (
    ClusterListView,
    HostListView,
    PodListView,
    StoragePoolListView,
    VlanIpRangeListView,
    ZoneListView,
)


@pytest.fixture
def people(region, root, eng, ops, sales):
    """Users in three accounts of two domains."""
    ops_team = factories.account(domain=ops, name="ops-crew")
    sales_team = factories.account(domain=sales, name="sales-crew")
    return {
        "ann": factories.user(account=ops_team, username="ann", email="ann@example.com"),
        "ben": factories.user(account=ops_team, username="ben"),
        "cy": factories.user(account=sales_team, username="cy"),
        "root": root,
    }


def _page_names(client: Client, path: str, **params) -> set[str]:
    response = client.get(path, params)
    assert response.status_code == 200
    return {getattr(row, "username", None) or row.name for row in response.context["object_list"]}


def test_the_three_surfaces_list_the_same_rows(people, root_cs, root):
    page = Client()
    page.force_login(root)
    rest = api_client(root)
    wanted = {"ann", "ben"}

    via_rest = rest.get("/api/users/", {"account_name": "OPS-CREW"}).json()["results"]
    via_page = _page_names(page, "/identity/users/", account_name="ops-crew")
    via_cs = root_cs.listUsers(listall=True, account="Ops-Crew")["user"]
    assert {u["username"] for u in via_rest} == wanted
    assert via_page == wanted
    assert {u["username"] for u in via_cs} == wanted

    # the same search fields: a page's ?q= and the API's ?search= find an email
    assert _page_names(page, "/identity/users/", q="ann@example") == {"ann"}
    assert [
        u["username"] for u in rest.get("/api/users/", {"search": "ann@example"}).json()["results"]
    ] == ["ann"]


def test_a_choice_filter_is_strict_in_rest_and_lenient_in_cloudstack(people, root_cs, root):
    rest = api_client(root)
    response = rest.get("/api/users/", {"state": "Enabled"})
    assert response.status_code == 400 and "state" in response.json()
    # CloudStack's lists take a state whatever its case, and list nothing for an unknown one
    assert len(root_cs.listUsers(listall=True, state="Enabled")["user"]) == 4
    assert root_cs.listUsers(listall=True, state="sleeping") == {}


def test_a_page_ignores_a_filter_it_cannot_read_and_says_so(people, root):
    page = Client()
    page.force_login(root)
    response = page.get("/identity/users/", {"account": "not-a-uuid"})
    assert {u.username for u in response.context["object_list"]} == {"ann", "ben", "cy", "root"}
    assert "account: Enter a valid UUID. (filter ignored)" in response.content.decode()


def test_filtered_names_the_filter_it_cannot_read(people):
    with pytest.raises(ValidationError) as caught:
        filtered(User.objects.all(), UserFilterSet, {"account_type": "9"})
    assert list(caught.value.message_dict) == ["account_type"]
    # lenient (CloudStack): nothing, never everything
    assert not filtered(User.objects.all(), UserFilterSet, {"account_type": "9"}, lenient=True)
    assert not filtered(User.objects.all(), UserFilterSet, {"account": "x"}, lenient=True)


def test_filtered_keeps_to_what_the_actor_sees(people, alice):
    rows = identity_selectors.users_filtered(actor=alice, filters={"account_name": "ops-crew"})
    assert list(rows) == []  # alice sees only herself
    rows = identity_selectors.users_filtered(actor=alice, filters={}, search="a")
    assert [u.username for u in rows] == ["alice"]


@pytest.mark.parametrize(
    ("viewset", "list_view"),
    [
        (DomainViewSet, DomainListView),
        (AccountViewSet, AccountListView),
        (UserViewSet, UserListView),
        (ProjectViewSet, ProjectListView),
        (ZoneViewSet, ZoneListView),
        (PodViewSet, PodListView),
        (ClusterViewSet, ClusterListView),
        (HostViewSet, HostListView),
        (StoragePoolViewSet, StoragePoolListView),
        (VlanIpRangeViewSet, VlanIpRangeListView),
        (RegionViewSet, RegionListView),
    ],
)
def test_each_list_is_declared_once(viewset: type[ServiceReadViewSet], list_view):
    filterset = viewset.filterset_class
    assert issubclass(filterset, ListFilterSet)
    app = viewset.__module__.split(".")[0]
    assert filterset.__module__ == f"{app}.filtersets"
    assert issubclass(list_view, ObjectListView)
    selector = list_view.list_selector
    assert selector.__module__ == f"{app}.selectors" and selector.__name__.endswith("_filtered")
    assert viewset().search_fields == filterset.search_fields


def test_the_settings_list_is_filtered_once_too(root_cs, root):
    """Settings have their own list page (by category, with a zone), but the same FilterSet
    serves the three surfaces: a name matches in part everywhere, as in CloudStack."""
    assert SettingViewSet.filterset_class is SettingFilterSet
    assert SettingFilterSet.__module__ == "regions.configuration.filtersets"
    wanted = {
        "cpu.overprovisioning.factor",
        "mem.overprovisioning.factor",
        "storage.overprovisioning.factor",
    }
    rest = api_client(root).get("/api/settings/", {"name": "overprovisioning"}).json()
    via_cs = root_cs.listConfigurations(name="OVERPROVISIONING")["configuration"]
    page = Client()
    page.force_login(root)
    via_page = page.get("/settings/", {"q": "overprovisioning.factor"}).context["rows"]
    assert {s["name"] for s in rest["results"]} == wanted
    assert {s["name"] for s in via_cs} == wanted
    assert {row.name for row in via_page} == wanted
    assert root_cs.listConfigurations(scope="Nonsense") == {}
