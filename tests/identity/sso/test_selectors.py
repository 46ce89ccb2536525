"""Reads of single sign-on: the page a switch lands on, the switcher, the remembered region."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from identity.selectors import root_domain
from identity.sso.selectors import (
    SwitcherEntry,
    equivalent_path,
    remembered_region,
    switcher_entries,
)
from identity.sso.services import region_choose
from regions.federation.replication.health import STALE_SECONDS
from regions.models import PeerLink, Setting
from regions.services import region_delete
from tests import factories

pytestmark = pytest.mark.django_db

UUID = "0b9f3c2e-6a51-4d0e-9a43-5f1d2c3b4a59"


# --- equivalent_path -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/regions/",
        "/regions/2/",
        "/federation/",
        "/zones/",
        "/identity/domains/",
        f"/identity/domains/{UUID}/",
        "/identity/accounts/",
        f"/identity/accounts/{UUID}/",
        "/identity/users/",
        f"/identity/users/{UUID}/",
        "/identity/projects/",
        f"/identity/projects/{UUID}/",
        "/settings/",
        f"/settings/{UUID}/",
    ],
)
def test_pages_of_cloud_wide_objects_and_lists_keep_their_path(path):
    assert equivalent_path(path) == path


@pytest.mark.parametrize(
    "path",
    [
        "/identity/users/?page=2&q=al",
        "/identity/accounts/?domain=ROOT%2Feng",
        "/regions/?sort=-name",
        f"/identity/projects/{UUID}/?tab=members",
        "/identity/users/?next=//evil.example",  # a query stays a query of this path
    ],
)
def test_the_query_string_comes_along(path):
    assert equivalent_path(path) == path


def test_a_fragment_is_dropped():
    assert equivalent_path("/identity/users/?page=2#row-5") == "/identity/users/?page=2"


def test_the_real_ids_of_objects_keep_their_path(region):
    user = factories.user()
    domain = factories.domain()
    setting = Setting.objects.get(name="session.timeout")
    project = factories.project()
    for obj in (user, user.account, domain, region, setting, project):
        path = obj.get_absolute_url()
        assert path.startswith("/") and equivalent_path(path) == path
    assert equivalent_path(root_domain().get_absolute_url()) == root_domain().get_absolute_url()


@pytest.mark.parametrize(
    "path",
    [f"/zones/{UUID}/", f"/zones/{UUID}/edit/", f"/zones/{UUID}/delete/", "/zones/add/"],
)
def test_zone_pages_lead_to_the_targets_zone_list(path):
    assert equivalent_path(path) == "/zones/"
    assert equivalent_path(path + "?x=1") == "/zones/"


@pytest.mark.parametrize(
    "path",
    [
        f"/identity/users/{UUID}/edit/",
        f"/identity/users/{UUID}/delete/",
        f"/identity/users/{UUID}/password/",
        f"/identity/users/{UUID}/keys/",
        f"/identity/users/{UUID}/disable/",
        "/identity/users/add/",
        f"/identity/projects/{UUID}/members/",
        "/regions/add/",
        "/regions/2/edit/",
        f"/settings/{UUID}/edit/",
        "/federation/join-tokens/",
        "/setup/",
        "/sso/switch/2/",
        "/sso/remembered/",
        "/accounts/login/",
        "/accounts/sso/region-2/login/",
        "/identity/o/authorize",
        "/admin/",
        "/api/users/",
        "/health/",
        "/no/such/page/",
        "/identity/users/not-a-uuid/",
        "/identity/users",  # no such route without the slash
    ],
)
def test_unknown_edit_and_action_pages_lead_to_the_dashboard(path):
    assert equivalent_path(path) == "/"


@pytest.mark.parametrize(
    "attempt",
    [
        None,
        "",
        "//evil.example",
        "//evil.example/identity/users/",
        "///evil.example",
        "https://evil.example/",
        "https://evil.example/identity/users/",
        "http:/evil",
        "http:evil",
        "/\\evil.example",
        "\\\\evil.example",
        "/\\/evil.example",
        "/identity/users/\\..\\",
        "/\t/evil.example",
        "\t//evil.example",
        " //evil.example",
        "javascript:alert(1)",
        "evil.example",
        "identity/users/",
        "/%2F/evil.example",
        "/%5Cevil.example",
    ],
)
def test_anything_that_is_not_a_path_of_this_portal_leads_to_the_dashboard(attempt):
    assert equivalent_path(attempt) == "/"


def test_control_characters_never_survive(region):
    result = equivalent_path("/identity/users/\r\nSet-Cookie: x=1")
    assert "\r" not in result and "\n" not in result
    assert result.startswith("/") and not result.startswith("//")


# --- switcher_entries ----------------------------------------------------------------------


def link(region, **fields) -> PeerLink:
    return PeerLink.objects.update_or_create(region=region, defaults=fields)[0]


def reachability() -> dict[int, bool | None]:
    return {entry.region.pk: entry.reachable for entry in switcher_entries()}


def test_every_region_in_id_order_with_the_local_one_marked(region, west, north):
    entries = switcher_entries()
    assert [e.region.pk for e in entries] == [1, 2, 3]
    assert [e.is_local for e in entries] == [True, False, False]
    assert all(isinstance(e, SwitcherEntry) for e in entries)
    assert entries[0].reachable is True  # this region answers: it is answering now


def test_a_peer_never_heard_from_is_unknown(region, west, north):
    link(north)  # a link with no contact and no error yet
    assert reachability() == {1: True, 2: None, 3: None}


def test_a_peer_that_answered_lately_is_reachable(region, west):
    link(west, reachable=True, last_contact=timezone.now())
    assert reachability()[2] is True


def test_a_peer_that_answered_too_long_ago_is_unreachable(region, west):
    stale = timezone.now() - timedelta(seconds=STALE_SECONDS + 5)
    link(west, reachable=True, last_contact=stale)
    assert reachability()[2] is False


def test_a_peer_that_failed_since_its_last_answer_is_unreachable(region, west):
    now = timezone.now()
    link(
        west,
        reachable=True,
        last_contact=now - timedelta(seconds=5),
        last_error_at=now - timedelta(seconds=1),
        last_error="connection refused",
    )
    assert reachability()[2] is False


def test_a_peer_that_only_ever_failed_is_unreachable(region, west):
    link(west, reachable=False, last_error_at=timezone.now(), last_error="timeout")
    assert reachability()[2] is False


def test_a_peer_marked_unreachable_is_unreachable_despite_a_recent_contact(region, west):
    link(west, reachable=False, last_contact=timezone.now())
    assert reachability()[2] is False


def test_an_old_error_before_a_fresh_answer_does_not_count(region, west):
    now = timezone.now()
    link(west, reachable=True, last_contact=now, last_error_at=now - timedelta(seconds=30))
    assert reachability()[2] is True


# --- remembered_region ---------------------------------------------------------------------


def test_nothing_remembered_at_first(alice, west):
    assert remembered_region(user=alice) is None


def test_the_chosen_peer_is_remembered_for_that_user_only(alice, bob, west, north):
    region_choose(user=alice, region=west)
    assert remembered_region(user=alice) == west
    assert remembered_region(user=bob) is None
    region_choose(user=alice, region=north)
    assert remembered_region(user=alice) == north


def test_the_local_region_is_never_a_place_to_go_back_to(alice, region, west):
    region_choose(user=alice, region=region)
    assert remembered_region(user=alice) is None


def test_a_deleted_region_is_forgotten(alice, west):
    region_choose(user=alice, region=west)
    region_delete(region=west, by=None)
    assert remembered_region(user=alice) is None
