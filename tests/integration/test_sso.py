"""Single sign-on between live regions, over real HTTP: the switch, its edge cases, and the
attempts that must be refused. Each region is its own gunicorn, database and Celery."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.integration.conftest import db
from tests.live import USER_PASSWORD, WebSession, new_user, wait_for_user

pytestmark = pytest.mark.integration


@pytest.fixture
def signed_in(cloud, live_user):
    """A browser signed in at region 1 as USER."""
    web = WebSession()
    response = web.sign_in(cloud.regions[0], live_user["username"], USER_PASSWORD)
    assert response.status_code == 200 and live_user["username"] in response.text
    return web


def test_switch_lands_on_the_same_page_of_the_target_signed_in_as_the_same_user(
    cloud, live_user, signed_in
):
    one, two = cloud.regions[0], cloud.regions[1]
    response = signed_in.switch(one, 2, next_path="/identity/users/")
    assert response.status_code == 200
    assert response.url == f"{two.url}/identity/users/"
    assert len(response.history) <= 4
    assert "Region: region-two" in response.text
    assert signed_in.signed_in_as(two) == live_user["username"]
    # No password and no consent page on the way: every hop was a redirect.
    assert all(hop.status_code == 302 for hop in response.history)
    hops = [urlsplit(hop.url) for hop in response.history]
    assert hops[0].path == "/sso/switch/2/"
    assert hops[1].path == "/accounts/sso/region-1/login/"
    assert hops[2].path == "/identity/o/authorize"
    assert hops[3].path == "/accounts/sso/region-1/login/callback/"
    # Each region keeps its own session cookie on the shared host.
    names = {cookie.name for cookie in signed_in.http.cookies}
    assert {"region1_sessionid", "region2_sessionid"} <= names

    back = signed_in.switch(two, 1, next_path="/zones/")
    assert back.url == f"{one.url}/zones/" and "Region: region-one" in back.text
    assert signed_in.signed_in_as(one) == live_user["username"]


def test_the_authorization_request_carries_state_nonce_and_pkce(cloud, signed_in):
    one = cloud.regions[0]
    start = signed_in.switch(one, 2, allow_redirects=False)
    login = signed_in.http.get(start.headers["Location"], allow_redirects=False, timeout=10)
    authorize = urlsplit(login.headers["Location"])
    assert f"{authorize.scheme}://{authorize.netloc}" == one.url
    query = parse_qs(authorize.query)
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert len(query["nonce"][0]) >= 32 and len(query["state"][0]) >= 12
    assert query["redirect_uri"] == [
        f"{cloud.regions[1].url}/accounts/sso/region-1/login/callback/"
    ]


def test_a_switch_to_a_region_that_is_down_stays_here_with_a_message(cloud, signed_in):
    one, two = cloud.regions[0], cloud.regions[1]
    two.stop("web")
    try:
        response = signed_in.switch(one, 2, next_path="/zones/")
        assert response.url == f"{one.url}/zones/"
        assert "region-two" in response.text and "is not answering" in response.text
        assert "Region: region-one" in response.text
    finally:
        two.start_web()
        two.wait_healthy()


def test_a_user_not_yet_replicated_to_the_target_is_told_so_and_can_retry(cloud, apis):
    one, two = cloud.regions[0], cloud.regions[1]
    apis[1].call("PUT", "/federation/replication/", json={"enabled": False})
    try:
        fresh = new_user(apis[0])
        web = WebSession()
        web.sign_in(one, fresh["username"], USER_PASSWORD)
        response = web.switch(one, 2)
        assert response.status_code == 409
        assert 'data-reason="not_replicated"' in response.text
        assert "has not reached this region yet" in response.text
        assert web.signed_in_as(two) is None
    finally:
        apis[1].call("PUT", "/federation/replication/", json={"enabled": True})
    wait_for_user(two, fresh["id"])
    retry = web.http.get(f"{two.url}{_link(response.text, 'sso-retry')}", timeout=30)
    assert retry.url == f"{two.url}/" and web.signed_in_as(two) == fresh["username"]


def test_a_user_disabled_in_the_target_is_refused_there(cloud, live_user, signed_in):
    one, two = cloud.regions[0], cloud.regions[1]
    # As if the target had disabled the user and the change had not come back yet.
    with db(two) as conn:
        conn.execute("UPDATE identity_user SET state = 'disabled' WHERE id = %s", [live_user["id"]])
    try:
        response = signed_in.switch(one, 2)
        assert response.status_code == 403
        assert 'data-reason="inactive"' in response.text
        assert signed_in.signed_in_as(two) is None
        assert signed_in.signed_in_as(one) == live_user["username"]
    finally:
        with db(two) as conn:
            conn.execute(
                "UPDATE identity_user SET state = 'enabled' WHERE id = %s", [live_user["id"]]
            )


def test_not_signed_in_at_the_source_lands_on_the_targets_sign_in_page(cloud):
    two = cloud.regions[1]
    web = WebSession()
    response = web.get(two, "/accounts/sso/region-1/login/?next=/zones/&process=login")
    assert urlsplit(response.url).netloc == urlsplit(two.url).netloc
    assert urlsplit(response.url).path == "/accounts/login/"
    assert parse_qs(urlsplit(response.url).query)["next"] == ["/zones/"]
    assert "You are not signed in at region-one" in response.text
    # The source never showed its own sign-in page.
    assert all("/accounts/login/" not in hop.url for hop in response.history[:-1])


def test_sign_out_of_this_region_leaves_the_others_signed_in(cloud, live_user, signed_in):
    one, two = cloud.regions[0], cloud.regions[1]
    signed_in.switch(one, 2)
    assert signed_in.signed_in_as(two) == live_user["username"]
    signed_in.post(two, "/accounts/logout/", {}, page=signed_in.get(two, "/").text)
    assert signed_in.signed_in_as(two) is None
    assert signed_in.signed_in_as(one) == live_user["username"]


def test_sign_out_of_all_regions_ends_every_session(cloud, live_user, signed_in):
    one, two, three = cloud.regions
    signed_in.switch(one, 2)
    signed_in.switch(two, 3)
    assert signed_in.signed_in_as(three) == live_user["username"]
    other_browser = WebSession()
    other_browser.sign_in(two, live_user["username"], USER_PASSWORD)
    response = signed_in.post(
        one, "/sso/sign-out-everywhere/", {}, page=signed_in.get(one, "/").text
    )
    assert "You are signed out of all regions." in response.text
    assert signed_in.signed_in_as(one) is None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        states = [signed_in.signed_in_as(three), other_browser.signed_in_as(two)]
        if states == [None, None]:
            break
        time.sleep(0.3)
    assert states == [None, None]
    # Signing in again afterwards works, in any region.
    again = WebSession()
    assert live_user["username"] in again.sign_in(three, live_user["username"], USER_PASSWORD).text


def test_the_chosen_region_is_remembered_for_the_next_sign_in_anywhere(cloud, live_user, signed_in):
    one, two, three = cloud.regions
    signed_in.switch(one, 2)
    # The choice, made in region 1, replicates; the next sign-in, in region 3, goes to 2.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with db(three) as conn:
            row = conn.execute(
                "SELECT region_id FROM sso_regionchoice WHERE user_id = %s", [live_user["id"]]
            ).fetchone()
        if row == (2,):
            break
        time.sleep(0.2)
    assert row == (2,)
    later = WebSession()
    response = later.sign_in(three, live_user["username"], USER_PASSWORD)
    assert response.url == f"{two.url}/"
    assert "Region: region-two" in response.text
    assert [urlsplit(hop.url).path for hop in response.history][:2] == [
        "/accounts/login/",
        "/sso/remembered/",
    ]
    # A sign-in that asks for a page gets that page, in the region it asked.
    direct = WebSession()
    page = direct.get(three, "/accounts/login/?next=/zones/").text
    response = direct.http.post(
        f"{three.url}/accounts/login/?next=/zones/",
        data={
            "csrfmiddlewaretoken": direct.csrf(page),
            "login": live_user["username"],
            "password": USER_PASSWORD,
            "next": "/zones/",
        },
        headers={"Referer": f"{three.url}/accounts/login/"},
        timeout=30,
    )
    assert response.url == f"{three.url}/zones/"


@pytest.mark.parametrize(
    "next_path",
    ["//evil.example/", "https://evil.example/", "/\\evil.example", "http:/evil.example"],
)
def test_a_switch_never_leaves_the_registered_regions(cloud, signed_in, next_path):
    one, two = cloud.regions[0], cloud.regions[1]
    page = signed_in.get(one, "/").text
    response = signed_in.http.post(
        f"{one.url}/sso/switch/2/",
        data={"csrfmiddlewaretoken": signed_in.csrf(page), "next": next_path},
        headers={"Referer": f"{one.url}/"},
        timeout=30,
    )
    assert response.url == f"{two.url}/"
    hosts = {urlsplit(hop.url).netloc for hop in [*response.history, response]}
    assert hosts <= {urlsplit(one.url).netloc, urlsplit(two.url).netloc}
    # Straight at the target, with the bad next: still the target's own dashboard.
    direct = signed_in.get(two, "/accounts/sso/region-1/login/", params={"next": next_path})
    assert direct.url == f"{two.url}/"


def test_tampered_region_ids_client_ids_and_redirects_are_refused(cloud, live_user, signed_in):
    one, two = cloud.regions[0], cloud.regions[1]
    page = signed_in.get(one, "/").text
    unknown = signed_in.http.post(
        f"{one.url}/sso/switch/99/",
        data={"csrfmiddlewaretoken": signed_in.csrf(page), "next": "/"},
        headers={"Referer": f"{one.url}/"},
        timeout=30,
    )
    assert unknown.status_code == 404
    for provider_id in ("region-99", "region-2", "region-x", "google"):
        # region-2 is region 2 itself: not a provider of its own.
        assert signed_in.get(two, f"/accounts/sso/{provider_id}/login/").status_code == 404
    # An authorization request for a sibling's client with any other redirect URI.
    start = signed_in.switch(one, 2, allow_redirects=False)
    login = signed_in.http.get(start.headers["Location"], allow_redirects=False, timeout=10)
    query = parse_qs(urlsplit(login.headers["Location"]).query)
    for evil in ("https://evil.example/cb", f"{two.url}/elsewhere/", f"{two.url}.evil.example/"):
        params = {k: v[0] for k, v in query.items()} | {"redirect_uri": evil}
        for browser in (signed_in.http, requests.Session()):
            answer = browser.get(
                f"{one.url}/identity/o/authorize", params=params, allow_redirects=False, timeout=10
            )
            assert answer.status_code != 302 or not answer.headers["Location"].startswith(evil)
            assert "code=" not in answer.headers.get("Location", "")
    # An unknown client is sent nowhere but this region's own pages.
    params = {k: v[0] for k, v in query.items()} | {"client_id": "region-forged"}
    for browser in (signed_in.http, requests.Session()):
        answer = browser.get(
            f"{one.url}/identity/o/authorize", params=params, allow_redirects=False, timeout=10
        )
        location = answer.headers.get("Location", "/")
        assert location.startswith("/") and not location.startswith("//")
        assert "code=" not in location


def test_a_callback_is_good_once_and_only_in_its_own_browser(cloud, live_user, signed_in):
    one, two = cloud.regions[0], cloud.regions[1]
    start = signed_in.switch(one, 2, allow_redirects=False)
    login = signed_in.http.get(start.headers["Location"], allow_redirects=False, timeout=10)
    authorize = signed_in.http.get(login.headers["Location"], allow_redirects=False, timeout=10)
    callback = authorize.headers["Location"]
    assert callback.startswith(f"{two.url}/accounts/sso/region-1/login/callback/?code=")
    # Another browser presenting the stolen callback is not signed in.
    thief = WebSession()
    stolen = thief.http.get(callback, timeout=10)
    assert stolen.status_code == 400 and 'data-reason="state"' in stolen.text
    assert thief.signed_in_as(two) is None
    # The right browser is signed in; the same callback a second time is refused.
    first = signed_in.http.get(callback, timeout=10)
    assert first.url == f"{two.url}/" and signed_in.signed_in_as(two) == live_user["username"]
    replay = signed_in.http.get(callback, timeout=10)
    assert replay.status_code == 400 and 'data-reason="state"' in replay.text


def test_a_forged_state_or_code_signs_nobody_in(cloud):
    two = cloud.regions[1]
    web = WebSession()
    forged = web.get(two, "/accounts/sso/region-1/login/callback/?code=forged&state=forged")
    assert forged.status_code == 400 and web.signed_in_as(two) is None
    # A real state with a forged code: the token request to region 1 fails.
    login = web.get(two, "/accounts/sso/region-1/login/?process=login", allow_redirects=False)
    state = parse_qs(urlsplit(login.headers["Location"]).query)["state"][0]
    bad = web.get(two, f"/accounts/sso/region-1/login/callback/?code=forged&state={state}")
    assert bad.status_code == 400 and 'data-reason="failed"' in bad.text
    assert web.signed_in_as(two) is None


def test_client_registrations_follow_the_registry(cloud):
    for region in cloud.regions:
        with db(region) as conn:
            clients = dict(
                conn.execute(
                    "SELECT id, redirect_uris FROM allauth_idp_oidc_client"
                    " WHERE id LIKE 'region-%%'"
                ).fetchall()
            )
        if not clients:
            continue  # a region that has not been asked to authorize anyone yet
        with db(region) as conn:
            peers = conn.execute(
                "SELECT uuid, endpoint FROM regions_region WHERE NOT is_local"
            ).fetchall()
        expected = {
            f"region-{peer_uuid}": f"{endpoint}/accounts/sso/region-{region.index}/login/callback/"
            for peer_uuid, endpoint in peers
        }
        assert clients == expected


def _link(html: str, element_id: str) -> str:
    import re

    match = re.search(rf'href="([^"]+)" id="{element_id}"', html)
    assert match, f"no link #{element_id}"
    return match.group(1).replace("&amp;", "&")
