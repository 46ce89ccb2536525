"""Every portal page through the test client: the setup guard, sign-in, who may open what,
the navigation every page carries, and forms that work without JavaScript."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from identity.services import user_disable
from portal.generic.columns import Column
from regions.models import Region
from regions.services import region_create
from tests import factories
from tests.db_state import db_state
from zones.models import Zone

# --- A fresh install -----------------------------------------------------------------------

GUARDED = [
    "/",
    "/regions/",
    "/regions/add/",
    "/zones/",
    "/zones/add/",
    "/identity/domains/",
    "/identity/accounts/",
    "/identity/users/",
    "/identity/users/add/",
    "/identity/projects/",
    "/accounts/login/",
    "/accounts/logout/",
    "/admin/",
    "/admin/login/",
    "/no-such-page/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", GUARDED)
def test_a_fresh_install_sends_every_page_to_the_wizard(client, path):
    assertRedirects(client.get(path), "/setup/", fetch_redirect_response=False)


@pytest.mark.django_db
def test_a_fresh_install_sends_posts_to_the_wizard_too(client):
    before = db_state()
    response = client.post("/identity/domains/add/", {"name": "eng"})
    assertRedirects(response, "/setup/", fetch_redirect_response=False)
    assert db_state() == before


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/", "/api/regions/", "/api/auth/token/"])
def test_a_fresh_install_answers_the_api_with_503_json(client, path):
    response = client.get(path)
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert "/setup/" in response.json()["detail"]


@pytest.mark.django_db
def test_a_fresh_install_still_answers_health_and_static_files(client):
    health = client.get("/health/")
    assert health.status_code == 200
    assert health.json()["setup"] is False
    css = client.get("/static/portal/portal.css")
    assert css.status_code == 200
    assert "css" in css["Content-Type"]
    assert client.get("/setup/").status_code == 200


def test_after_setup_the_wizard_redirects_to_the_dashboard(client, region):
    assertRedirects(client.get("/setup/"), "/", fetch_redirect_response=False)


# --- Sign-in -------------------------------------------------------------------------------


def test_the_sign_in_page_names_the_region_and_signs_in(client, root):
    page = client.get("/accounts/login/")
    assertContains(page, "Sign in to east")
    assertContains(page, 'name="csrfmiddlewaretoken"')

    response = client.post("/accounts/login/", {"login": "root", "password": factories.PASSWORD})
    assertRedirects(response, "/", fetch_redirect_response=False)
    assert client.get("/").context["user"] == root


def test_sign_in_returns_to_the_page_asked_for(client, root):
    response = client.post(
        "/accounts/login/?next=/identity/users/",
        {"login": "root", "password": factories.PASSWORD, "next": "/identity/users/"},
    )
    assertRedirects(response, "/identity/users/", fetch_redirect_response=False)


@pytest.mark.parametrize("target", ["https://evil.example.com/", "//evil.example.com/"])
def test_sign_in_never_redirects_off_site(client, root, target):
    response = client.post(
        "/accounts/login/", {"login": "root", "password": factories.PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert "evil.example.com" not in response["Location"]


def test_the_sign_in_page_carries_the_next_page_along(client, region):
    response = client.get("/identity/users/", follow=True)
    assertContains(response, 'name="next" value="/identity/users/"')


def test_a_wrong_password_is_refused_on_the_sign_in_page(client, root):
    response = client.post("/accounts/login/", {"login": "root", "password": "wrong-password"})
    assert response.status_code == 200
    assertContains(response, "not correct")
    assertRedirects(client.get("/"), "/accounts/login/?next=/", fetch_redirect_response=False)


def test_a_disabled_user_cannot_sign_in(client, alice):
    user_disable(user=alice, by=None)
    client.post("/accounts/login/", {"login": "alice", "password": factories.PASSWORD})
    response = client.get("/")
    assertRedirects(response, "/accounts/login/?next=/", fetch_redirect_response=False)


def test_sign_out_is_a_post(root_client):
    assert root_client.get("/accounts/logout/").status_code == 200
    assertRedirects(
        root_client.post("/accounts/logout/"), "/accounts/login/", fetch_redirect_response=False
    )
    assertRedirects(root_client.get("/"), "/accounts/login/?next=/", fetch_redirect_response=False)


# --- Who may open which page ---------------------------------------------------------------


@pytest.fixture
def world(cast, region, root, dadmin, alice, bob):
    """One object of every kind, in the branches the role fixtures live in."""
    remote = region_create(id=2, name="west", endpoint="https://west.example.com", by=None)
    return {
        **cast,
        "eng_admins": dadmin.account,
        "ops_team": alice.account,
        "sales_team": bob.account,
        "root_account": root.account,
        "ops_project": factories.project(owner=alice.account, name="ops-proj"),
        "sales_project": factories.project(owner=bob.account, name="sales-proj"),
        "zone": factories.zone(name="zone-a"),
        "local": region,
        "remote": remote,
    }


# (url name, object key or None, expected status for alice, dadmin, root)
PAGES = [
    ("regions:dashboard", None, 200, 200, 200),
    ("regions:region_list", None, 200, 200, 200),
    ("regions:region_add", None, 403, 403, 200),
    ("regions:region", "local", 200, 200, 200),
    ("regions:region_edit", "local", 403, 403, 200),
    ("regions:region_delete", "remote", 403, 403, 200),
    ("zones:zone_list", None, 200, 200, 200),
    ("zones:zone_add", None, 403, 403, 200),
    ("zones:zone", "zone", 200, 200, 200),
    ("zones:zone_edit", "zone", 403, 403, 200),
    ("zones:zone_delete", "zone", 403, 403, 200),
    ("identity:domain_list", None, 200, 200, 200),
    ("identity:domain_add", None, 403, 200, 200),
    ("identity:domain", "ops", 200, 200, 200),
    ("identity:domain", "eng", 404, 200, 200),
    ("identity:domain", "sales", 404, 404, 200),
    ("identity:domain_edit", "ops", 403, 200, 200),
    ("identity:domain_edit", "eng", 404, 403, 200),
    ("identity:domain_edit", "sales", 404, 404, 200),
    ("identity:domain_delete", "ops", 403, 200, 200),
    ("identity:domain_delete", "eng", 404, 403, 200),
    ("identity:domain_delete", "sales", 404, 404, 200),
    ("identity:account_list", None, 200, 200, 200),
    ("identity:account_add", None, 403, 200, 200),
    ("identity:account", "ops_team", 200, 200, 200),
    ("identity:account", "eng_admins", 404, 200, 200),
    ("identity:account", "sales_team", 404, 404, 200),
    ("identity:account", "root_account", 404, 404, 200),
    ("identity:account_edit", "ops_team", 403, 200, 200),
    ("identity:account_edit", "eng_admins", 404, 403, 200),
    ("identity:account_edit", "sales_team", 404, 404, 200),
    ("identity:account_delete", "ops_team", 403, 200, 200),
    ("identity:account_delete", "eng_admins", 404, 403, 200),
    ("identity:account_delete", "sales_team", 404, 404, 200),
    ("identity:user_list", None, 200, 200, 200),
    ("identity:user_add", None, 403, 200, 200),
    ("identity:user", "alice", 200, 200, 200),
    ("identity:user", "dadmin", 404, 200, 200),
    ("identity:user", "bob", 404, 404, 200),
    ("identity:user", "root", 404, 404, 200),
    ("identity:user_edit", "alice", 200, 200, 200),
    ("identity:user_edit", "dadmin", 404, 200, 200),
    ("identity:user_edit", "bob", 404, 404, 200),
    ("identity:user_edit", "root", 404, 404, 200),
    ("identity:user_password", "alice", 200, 200, 200),
    ("identity:user_password", "bob", 404, 404, 200),
    ("identity:user_delete", "alice", 403, 200, 200),
    ("identity:user_delete", "bob", 404, 404, 200),
    ("identity:project_list", None, 200, 200, 200),
    ("identity:project_add", None, 200, 200, 200),
    ("identity:project", "ops_project", 200, 200, 200),
    ("identity:project", "sales_project", 404, 404, 200),
    ("identity:project_edit", "ops_project", 200, 200, 200),
    ("identity:project_edit", "sales_project", 404, 404, 200),
    ("identity:project_delete", "ops_project", 200, 200, 200),
    ("identity:project_delete", "sales_project", 404, 404, 200),
]


def page_url(world, name: str, key: str | None) -> str:
    return reverse(name, args=[world[key].pk]) if key else reverse(name)


def page_id(page) -> str:
    return f"{page[0]}:{page[1]}" if page[1] else page[0]


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_anonymous_visitors_are_sent_to_sign_in(anon_client, world, page):
    url = page_url(world, page[0], page[1])
    response = anon_client.get(url)
    assertRedirects(response, f"/accounts/login/?next={url}", fetch_redirect_response=False)


@pytest.mark.parametrize("page", PAGES, ids=page_id)
@pytest.mark.parametrize("role", ["alice", "dadmin", "root"])
def test_each_role_gets_what_it_may_see(world, page, role):
    expected = dict(zip(("alice", "dadmin", "root"), page[2:], strict=True))[role]
    client = Client()
    client.force_login(world[role])
    response = client.get(page_url(world, page[0], page[1]))
    assert response.status_code == expected
    if expected == 200:
        html = response.content.decode()
        assert 'id="current-region"' in html
        assert "<script" not in html
        for form in re.findall(r"<form[^>]*method=\"post\".*?</form>", html, flags=re.S):
            assert 'name="csrfmiddlewaretoken"' in form
    elif expected == 403:
        assertContains(response, "Not allowed", status_code=403)
    else:
        assertContains(response, "Not found", status_code=404)


@pytest.mark.parametrize(
    ("url_name", "key", "action"),
    [
        ("identity:user_action", "alice", "disable"),
        ("identity:account_action", "ops_team", "lock"),
        ("identity:project_action", "ops_project", "suspend"),
    ],
)
def test_state_actions_are_post_only(world, root_client, anon_client, url_name, key, action):
    url = reverse(url_name, args=[world[key].pk, action])
    before = db_state()
    assert root_client.get(url).status_code == 405
    assertRedirects(
        anon_client.post(url), f"/accounts/login/?next={url}", fetch_redirect_response=False
    )
    assert db_state() == before


def test_the_admin_site_is_for_root_admins_only(world, root_client, dadmin_client, alice_client):
    assert root_client.get("/admin/").status_code == 200
    for client in (dadmin_client, alice_client):
        assertRedirects(
            client.get("/admin/"), "/admin/login/?next=/admin/", fetch_redirect_response=False
        )


# --- Navigation ----------------------------------------------------------------------------


def test_the_navbar_shows_the_region_and_a_switcher_to_every_region(world, alice_client):
    region_create(id=3, name="north", endpoint="https://north.example.com", by=None)
    response = alice_client.get("/identity/users/")

    assertContains(response, '<span class="badge text-bg-primary me-3" id="current-region"')
    html = response.content.decode()
    switcher = re.search(r'<details[^>]*id="region-switcher".*?</details>', html, re.S).group(0)
    assert "Region: east" in switcher
    assert "east" in switcher and "(this region)" in switcher
    # Every other region is a button that switches through single sign-on (a POST with
    # CSRF, carrying the page to land on), with its endpoint and reachability.
    for region_id, endpoint in ((2, "https://west.example.com"), (3, "https://north.example.com")):
        form = re.search(
            rf'<form method="post" action="/sso/switch/{region_id}/">.*?</form>', switcher, re.S
        ).group(0)
        assert "csrfmiddlewaretoken" in form
        assert 'name="next" value="/identity/users/"' in form
        assert endpoint in form
        assert 'data-reachable="unknown"' in form and "not heard from yet" in form
    assert switcher.count("<li>") == Region.objects.count() + 1  # + the heading
    assert "/sso/switch/1/" not in switcher  # this region is not a switch


def test_the_navbar_links_every_section_and_the_users_own_pages(alice_client, alice):
    response = alice_client.get("/")
    for url in (
        "/regions/",
        "/zones/",
        "/identity/domains/",
        "/identity/accounts/",
        "/identity/users/",
        "/identity/projects/",
        f"/identity/users/{alice.pk}/",
        f"/identity/users/{alice.pk}/password/",
    ):
        assertContains(response, f'href="{url}"')
    assertContains(response, 'action="/accounts/logout/"')


def test_signed_out_pages_carry_no_switcher(anon_client, world):
    response = anon_client.get("/accounts/login/")
    assertContains(response, "east")
    assertNotContains(response, "region-switcher")
    assertNotContains(response, "west.example.com")


# --- Dashboard -----------------------------------------------------------------------------


def test_the_dashboard_shows_zones_with_state_and_type_and_identity_counts(world, root_client):
    factories.zone(name="zone-b", network_type="Basic", allocation_state="Enabled")
    response = root_client.get("/")

    assertContains(response, '<h1 class="h3 mb-0" id="region-name">east</h1>', html=True)
    html = response.content.decode()
    rows = {
        re.search(r">(zone-[ab])</a>", row).group(1): row
        for row in re.findall(r"<tr>.*?</tr>", html, re.S)
        if "zone-" in row
    }
    assert ">Advanced<" in rows["zone-a"] and ">Disabled<" in rows["zone-a"]
    assert ">Basic<" in rows["zone-b"] and ">Enabled<" in rows["zone-b"]

    def count(name: str) -> int:
        block = re.search(rf'id="count-{name}">(.*?)</div>', html, re.S).group(1)
        return int(re.sub(r"<[^>]+>", "", block).strip())

    assert count("zones") == 2
    assert count("domains") == 4  # ROOT, eng, eng/ops, sales
    assert count("accounts") == 4
    assert count("users") == 4
    assert count("projects") == 2
    assert count("regions") == 2
    assertContains(response, 'href="/zones/add/"')


def test_the_dashboard_counts_only_what_the_actor_sees(world, dadmin_client, alice_client):
    html = dadmin_client.get("/").content.decode()
    assert re.search(r'id="count-domains"><a[^>]*>2</a>', html)  # eng, eng/ops
    assert re.search(r'id="count-users"><a[^>]*>2</a>', html)  # dadmin, alice
    assert re.search(r'id="count-projects"><a[^>]*>1</a>', html)
    assert 'href="/zones/add/"' not in html
    html = alice_client.get("/").content.decode()
    assert re.search(r'id="count-accounts"><a[^>]*>1</a>', html)
    assert re.search(r'id="count-zones">1</div>', html)


def test_the_dashboard_lists_only_this_regions_zones(world, root_client):
    Zone.objects.create(
        name="far-zone", region=world["remote"], dns1="8.8.8.8", internal_dns1="10.0.0.2"
    )
    response = root_client.get("/")
    assert [zone.name for zone in response.context["zones"]] == ["zone-a"]
    # the zones table; the change log's card below may name the far zone's creation
    zones_table = response.content.decode().split("Recent changes in this region")[0]
    assert "zone-a" in zones_table and "far-zone" not in zones_table


# --- CSRF ----------------------------------------------------------------------------------


def test_a_post_without_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["root"])
    before = db_state()
    response = client.post("/identity/domains/add/", {"parent": world["eng"].pk, "name": "qa"})
    assert response.status_code == 403
    action = client.post(reverse("identity:user_action", args=[world["alice"].pk, "disable"]))
    assert action.status_code == 403
    assert db_state() == before


def test_a_post_with_the_pages_csrf_token_is_accepted(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["root"])
    page = client.get("/identity/domains/add/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    response = client.post(
        "/identity/domains/add/",
        {"parent": world["eng"].pk, "name": "qa", "csrfmiddlewaretoken": token.group(1)},
    )
    assert response.status_code == 302
    assert world["eng"].children.filter(name="qa").exists()


def test_the_wizard_refuses_a_post_without_csrf_token(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/setup/",
        {
            "setup_wizard_view-current_step": "region",
            "region-id": "1",
            "region-name": "east",
            "region-endpoint": "https://east.example.com",
        },
    )
    assert response.status_code == 403


# --- Error pages ---------------------------------------------------------------------------


def test_unknown_pages_render_the_portal_404(root_client):
    response = root_client.get("/identity/users/00000000-0000-4000-8000-00000000ffff/")
    assertContains(response, "There is nothing here", status_code=404)
    assert root_client.get("/identity/users/not-a-uuid/").status_code == 404
    assert root_client.get("/regions/999/").status_code == 404


# --- Columns -------------------------------------------------------------------------------


def test_columns_follow_related_managers_and_call_methods(alice):
    factories.user(account=alice.account, username="carol")
    assert Column("Users", "users.count").value(alice.account) == 2
    assert Column("First", "users.first.username").value(alice.account) == "alice"
    assert Column("Type", "type").value(alice.account) == "User"
    assert Column("Domain", "account.domain.path").value(alice) == "ROOT/eng/ops"
    assert Column("Missing", "account.nothing.here").value(alice) is None
