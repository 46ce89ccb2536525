"""Pages of single sign-on: the switch, the remembered region, sign-out of all regions."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.conf import settings
from django.test import Client
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from identity.sso import views
from identity.sso.models import GlobalSignOut, RegionChoice
from identity.sso.services import region_choose, user_sign_out_everywhere
from identity.sso.sessions import SIGNED_IN_AT
from regions.models import Change, PeerLink
from tests import factories
from tests.page_helpers import shown_messages

from .conftest import DOWN_ENDPOINT

pytestmark = pytest.mark.django_db


def split(location: str) -> tuple[str, dict[str, list[str]]]:
    parts = urlsplit(location)
    return f"{parts.scheme}://{parts.netloc}{parts.path}", parse_qs(parts.query)


@pytest.fixture
def target_up(monkeypatch):
    """The target's health probe answers (in-process unit tests only: no server runs)."""
    probed = []

    def answers(region):
        probed.append(region.pk)
        return True

    monkeypatch.setattr(views, "_target_answers", answers)
    return probed


def sign_in(user) -> Client:
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": user.username, "password": factories.PASSWORD}
    )
    assert response.status_code == 302, response.content
    return client


# --- POST /sso/switch/<id>/ ----------------------------------------------------------------


def test_switching_to_an_unknown_region_is_not_found(alice_client, anon_client, west):
    assert alice_client.post("/sso/switch/99/", {"next": "/"}).status_code == 404
    assert anon_client.post("/sso/switch/99/", {"next": "/"}).status_code == 404
    assert alice_client.post("/sso/switch/2147483648/").status_code == 404
    assert not RegionChoice.objects.exists()


def test_a_switch_is_a_post_only(alice_client, west):
    assert alice_client.get("/sso/switch/2/").status_code == 405
    assert alice_client.get("/sso/switch/1/").status_code == 405
    assert not RegionChoice.objects.exists()


def test_a_switch_needs_the_csrf_token(alice, west, target_up):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    refused = client.post("/sso/switch/2/", {"next": "/identity/users/"})
    assert refused.status_code == 403
    assert target_up == [] and not RegionChoice.objects.exists()

    client.get("/")  # the page with the switcher sets the CSRF cookie
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    accepted = client.post(
        "/sso/switch/2/", {"next": "/identity/users/", "csrfmiddlewaretoken": token}
    )
    assert accepted.status_code == 302
    assert accepted["Location"].startswith(f"{DOWN_ENDPOINT}/accounts/sso/region-1/login/")
    assert RegionChoice.objects.get().region_id == 2


def test_switching_to_this_region_goes_to_the_equivalent_page_here(alice_client, region):
    response = alice_client.post("/sso/switch/1/", {"next": "/identity/users/?page=2"})
    assert response.status_code == 302 and response["Location"] == "/identity/users/?page=2"
    assert not RegionChoice.objects.exists()


@pytest.mark.parametrize(
    "next_url, lands",
    [
        ("//evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("/identity/users/add/", "/"),
        ("/zones/0b9f3c2e-6a51-4d0e-9a43-5f1d2c3b4a59/edit/", "/zones/"),
        (None, "/"),
    ],
)
def test_switching_here_never_leaves_this_portal(alice_client, region, next_url, lands):
    data = {} if next_url is None else {"next": next_url}
    response = alice_client.post("/sso/switch/1/", data)
    assert response.status_code == 302 and response["Location"] == lands


def test_an_anonymous_user_goes_to_the_targets_own_sign_in_page(anon_client, west, target_up):
    response = anon_client.post("/sso/switch/2/", {"next": "/identity/users/?page=2"})
    assert response.status_code == 302
    base, query = split(response["Location"])
    assert base == f"{DOWN_ENDPOINT}/accounts/login/"
    assert query == {"next": ["/identity/users/?page=2"]}
    assert target_up == []  # nobody to vouch for: no probe
    assert not RegionChoice.objects.exists()


def test_an_anonymous_user_takes_only_a_path_to_the_target(anon_client, west):
    response = anon_client.post("/sso/switch/2/", {"next": "https://evil.example/"})
    assert response["Location"] == f"{DOWN_ENDPOINT}/accounts/login/?next=%2F"


def test_a_target_that_does_not_answer_keeps_the_user_here_with_a_message(alice_client, west):
    # west is on a closed loopback port: the real probe fails at once.
    response = alice_client.post("/sso/switch/2/", {"next": "/identity/users/"})
    assert response.status_code == 302 and response["Location"] == "/identity/users/"
    assert not RegionChoice.objects.exists()

    page = alice_client.get(response["Location"])
    assert page.status_code == 200
    assert shown_messages(page) == [
        f"west ({DOWN_ENDPOINT}) is not answering, so you are still in east. "
        "Try again when it is back."
    ]


def test_a_target_that_answers_takes_the_user_to_its_sso_login(
    alice, alice_client, west, target_up
):
    response = alice_client.post("/sso/switch/2/", {"next": "/identity/users/?page=2"})

    assert response.status_code == 302
    base, query = split(response["Location"])
    assert base == f"{DOWN_ENDPOINT}/accounts/sso/region-1/login/"
    assert query == {"next": ["/identity/users/?page=2"], "process": ["login"]}
    assert target_up == [2]
    choice = RegionChoice.objects.get()
    assert (choice.pk, choice.user_id, choice.region_id) == (alice.pk, alice.pk, 2)
    assert Change.objects.filter(model="sso.regionchoice", object_id=str(alice.pk)).count() == 1


def test_the_switch_lands_on_the_equivalent_page_of_the_target(alice_client, west, target_up):
    cases = {
        "/zones/0b9f3c2e-6a51-4d0e-9a43-5f1d2c3b4a59/": "/zones/",
        "/identity/users/add/": "/",
        "//evil.example/": "/",
        "/regions/2/": "/regions/2/",
    }
    for next_url, lands in cases.items():
        response = alice_client.post("/sso/switch/2/", {"next": next_url})
        assert split(response["Location"])[1]["next"] == [lands], next_url


def test_switching_twice_to_the_same_region_writes_the_choice_once(
    alice, alice_client, west, target_up
):
    alice_client.post("/sso/switch/2/", {"next": "/"})
    alice_client.post("/sso/switch/2/", {"next": "/"})
    assert Change.objects.filter(model="sso.regionchoice", object_id=str(alice.pk)).count() == 1


# --- the health probe ----------------------------------------------------------------------


class FakeResponse:
    def __init__(self, status_code):
        self.status_code = status_code


@pytest.mark.parametrize("status, up", [(200, True), (503, False), (302, False), (404, False)])
def test_the_probe_asks_the_targets_health_page(west, monkeypatch, status, up):
    calls = []

    def get(url, timeout):
        calls.append((url, timeout))
        return FakeResponse(status)

    monkeypatch.setattr(views.requests, "get", get)
    assert views._target_answers(west) is up
    assert calls == [(f"{DOWN_ENDPOINT}/health/", views.PROBE_TIMEOUT)]


@pytest.mark.parametrize(
    "error",
    [requests.ConnectionError("refused"), requests.Timeout("slow"), requests.TooManyRedirects()],
)
def test_a_probe_that_fails_means_down(west, monkeypatch, error):
    def get(url, timeout):
        raise error

    monkeypatch.setattr(views.requests, "get", get)
    assert views._target_answers(west) is False


def test_the_real_probe_of_a_closed_port_means_down(west):
    assert views._target_answers(west) is False


# --- GET /sso/remembered/ ------------------------------------------------------------------


def test_remembered_needs_a_signed_in_user(anon_client, west):
    response = anon_client.get("/sso/remembered/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/sso/remembered/"


def test_remembered_is_a_get_only(alice_client, west):
    assert alice_client.post("/sso/remembered/").status_code == 405


def test_nothing_remembered_goes_to_the_dashboard(alice_client, west, target_up):
    response = alice_client.get("/sso/remembered/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert target_up == []


def test_remembered_takes_the_user_back_to_the_region_chosen_last(
    alice, alice_client, west, target_up
):
    region_choose(user=alice, region=west)
    updated = RegionChoice.objects.get().updated

    response = alice_client.get("/sso/remembered/")

    assert response.status_code == 302
    base, query = split(response["Location"])
    assert base == f"{DOWN_ENDPOINT}/accounts/sso/region-1/login/"
    assert query == {"next": ["/"], "process": ["login"]}
    assert target_up == [2]
    assert RegionChoice.objects.get().updated == updated  # not written again


def test_a_remembered_region_that_is_down_keeps_the_user_here(alice, alice_client, west):
    region_choose(user=alice, region=west)
    response = alice_client.get("/sso/remembered/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert shown_messages(alice_client.get("/")) == [
        f"west ({DOWN_ENDPOINT}) is not answering, so you are still in east. "
        "Try again when it is back."
    ]


def test_a_remembered_region_that_was_deleted_is_forgotten(alice, alice_client, west, target_up):
    region_choose(user=alice, region=west)
    west.delete()
    response = alice_client.get("/sso/remembered/")
    assert response["Location"] == "/" and target_up == []


# --- signing in ----------------------------------------------------------------------------


def test_signing_in_with_a_remembered_region_goes_through_the_remembered_page(alice, west):
    region_choose(user=alice, region=west)
    client = Client()
    response = client.post("/accounts/login/", {"login": "alice", "password": factories.PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/sso/remembered/"


def test_signing_in_without_a_remembered_region_goes_to_the_dashboard(alice, west):
    response = Client().post("/accounts/login/", {"login": "alice", "password": factories.PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"


def test_signing_in_with_this_region_remembered_goes_to_the_dashboard(alice, region, west):
    region_choose(user=alice, region=region)
    response = Client().post("/accounts/login/", {"login": "alice", "password": factories.PASSWORD})
    assert response["Location"] == "/"


def test_a_page_asked_for_wins_over_the_remembered_region(alice, west):
    region_choose(user=alice, region=west)
    response = Client().post(
        "/accounts/login/?next=/identity/users/",
        {"login": "alice", "password": factories.PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == "/identity/users/"


def test_a_failed_sign_in_goes_nowhere(alice, west):
    region_choose(user=alice, region=west)
    response = Client().post("/accounts/login/", {"login": "alice", "password": "wrong-password-1"})
    assert response.status_code == 200


def test_signing_in_stamps_the_session(alice, region):
    client = sign_in(alice)
    assert client.session[SIGNED_IN_AT] > 0


# --- POST /sso/sign-out-everywhere/ --------------------------------------------------------


def test_sign_out_everywhere_ends_this_session_and_every_older_one(alice, region):
    here = sign_in(alice)
    elsewhere = sign_in(alice)  # another browser
    assert elsewhere.get("/").status_code == 200

    response = here.post("/sso/sign-out-everywhere/")

    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    record = GlobalSignOut.objects.get()
    assert record.pk == alice.pk and record.user_id == alice.pk
    assert Change.objects.filter(model="sso.globalsignout", object_id=str(alice.pk)).exists()
    login_page = here.get(response["Location"])
    assert "You are signed out of all regions." in shown_messages(login_page)
    assert here.get("/").status_code == 302  # signed out

    # The other browser's next request finds its session ended, and says why.
    ended = elsewhere.get("/identity/users/")
    assert ended.status_code == 302 and ended["Location"].startswith("/accounts/login/")
    followed = elsewhere.get(ended["Location"])
    assert "You signed out of all regions. Sign in again to go on." in shown_messages(followed)
    assert "_auth_user_id" not in elsewhere.session
    assert elsewhere.get("/").status_code == 302


def test_a_session_signed_in_after_the_sign_out_stays(alice, region):
    first = sign_in(alice)
    first.post("/sso/sign-out-everywhere/")
    later = sign_in(alice)
    for _ in range(2):
        page = later.get("/")
        assert page.status_code == 200
        assert "You signed out of all regions" not in " ".join(shown_messages(page))


def test_a_sign_out_arriving_from_another_region_ends_older_sessions_here(alice, bob, region):
    alice_browser = sign_in(alice)
    bob_browser = sign_in(bob)
    user_sign_out_everywhere(user=alice)  # as replication applies it
    assert alice_browser.get("/").status_code == 302
    assert bob_browser.get("/").status_code == 200  # only that user's sessions end


def test_a_session_without_a_sign_in_stamp_counts_as_older(alice, region):
    client = sign_in(alice)
    session = client.session
    del session[SIGNED_IN_AT]
    session.save()
    user_sign_out_everywhere(user=alice)
    assert client.get("/").status_code == 302


def test_a_force_logged_in_client_is_signed_out_too(alice, alice_client, region):
    assert alice_client.get("/").status_code == 200
    user_sign_out_everywhere(user=alice)
    assert alice_client.get("/").status_code == 302


def test_sign_out_everywhere_is_a_post_only(alice_client, region):
    assert alice_client.get("/sso/sign-out-everywhere/").status_code == 405
    assert not GlobalSignOut.objects.exists()
    assert alice_client.get("/").status_code == 200


def test_sign_out_everywhere_needs_a_signed_in_user(anon_client, region):
    response = anon_client.post("/sso/sign-out-everywhere/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not GlobalSignOut.objects.exists()


def test_sign_out_everywhere_needs_the_csrf_token(alice, region):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post("/sso/sign-out-everywhere/").status_code == 403
    assert not GlobalSignOut.objects.exists()
    assert client.get("/").status_code == 200


# --- the navbar ----------------------------------------------------------------------------


def test_the_switcher_shows_each_peers_reachability(alice_client, west, north):
    PeerLink.objects.create(region=north, reachable=True, last_contact=timezone.now())
    PeerLink.objects.create(region=west, reachable=False, last_error_at=timezone.now())
    html = alice_client.get("/").content.decode()
    assert 'data-region-id="2" data-reachable="no"' in html
    assert 'data-region-id="3" data-reachable="yes"' in html
    assert "unreachable · http://127.0.0.1:9" in html
    assert "reachable · http://127.0.0.1:18003" in html


def test_the_navbar_offers_both_sign_outs(alice_client, region):
    response = alice_client.get("/")
    assertContains(response, 'action="/accounts/logout/"')
    assertContains(response, 'id="sign-out">Sign out of east</button>')
    assertContains(response, 'action="/sso/sign-out-everywhere/"')
    assertContains(response, 'id="sign-out-everywhere">Sign out of all regions</button>')


def test_anonymous_pages_show_no_switcher(anon_client, west):
    response = anon_client.get("/accounts/login/")
    assertNotContains(response, "/sso/switch/")
    assertNotContains(response, "sign-out-everywhere")
