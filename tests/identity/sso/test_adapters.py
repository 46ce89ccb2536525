"""The allauth adapters: this region as a client of its siblings (the `region` provider) and
as their provider; and the login and callback pages of the `region` provider, in-process."""

from __future__ import annotations

import time
import uuid
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialLogin
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.cache import cache
from django.test import Client, RequestFactory

from identity import services as identity
from identity.sso import jwks, mesh
from identity.sso.adapters import RegionIdpAdapter, RegionSocialAccountAdapter
from identity.sso.provider import RegionOAuth2Adapter
from identity.sso.sessions import SIGNED_IN_AT
from regions.federation.services import federation_ensure
from regions.services import region_delete

from .conftest import DOWN_ENDPOINT, LOCAL_ENDPOINT

pytestmark = pytest.mark.django_db

CALLBACK = "/accounts/sso/region-2/login/callback/"


def a_request(region, path: str = CALLBACK, **query):
    request = RequestFactory().get(path, query)
    SessionMiddleware(lambda r: None).process_request(request)
    request.session.save()
    request._messages = FallbackStorage(request)
    request.user = AnonymousUser()
    request.region = region
    return request


def refusal_of(call) -> tuple[int, str]:
    with pytest.raises(ImmediateHttpResponse) as raised:
        call()
    response = raised.value.response
    return response.status_code, response.content.decode()


def reason_in(html: str) -> str:
    marker = 'id="sso-refused" data-reason="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


# --- list_apps -----------------------------------------------------------------------------


def test_no_apps_without_a_federation_secret(region, west):
    assert RegionSocialAccountAdapter().list_apps(None) == []


@pytest.fixture
def federation_only(db):
    return federation_ensure()


def test_no_apps_without_a_local_region(db, federation_only):
    assert RegionSocialAccountAdapter().list_apps(None) == []


def test_one_app_per_peer_derived_from_the_registry(region, west, north, federation):
    apps = RegionSocialAccountAdapter().list_apps(None)

    assert [app.provider_id for app in apps] == ["region-2", "region-3"]
    for app, peer in zip(apps, (west, north), strict=True):
        assert isinstance(app, SocialApp) and app.pk is None  # nothing stored
        assert app.provider == "region"
        assert app.name == peer.name
        assert app.client_id == mesh.client_id(region)  # how every provider names us
        assert app.secret == mesh.client_secret(region)
        assert app.settings == {"region_id": peer.pk}
    assert not SocialApp.objects.exists()


def test_apps_by_provider_and_client_id(region, west, north, federation):
    adapter = RegionSocialAccountAdapter()
    ids = lambda **kw: [a.provider_id for a in adapter.list_apps(None, **kw)]  # noqa: E731
    assert ids(provider="region") == ["region-2", "region-3"]
    assert ids(provider="region-2") == ["region-2"]
    assert ids(provider="region-3") == ["region-3"]
    assert ids(provider="region-1") == []  # this region is not its own provider
    assert ids(provider="region-99") == []
    assert ids(provider="google") == []
    assert ids(client_id=mesh.client_id(region)) == ["region-2", "region-3"]
    assert ids(client_id=mesh.client_id(west)) == []
    assert ids(provider="region-2", client_id="someone-else") == []


def test_apps_follow_the_registry(region, west, north, federation):
    adapter = RegionSocialAccountAdapter()
    region_delete(region=west, by=None)
    assert [a.provider_id for a in adapter.list_apps(None)] == ["region-3"]


def test_apps_use_the_requests_region(region, west, federation):
    request = a_request(region)
    [app] = RegionSocialAccountAdapter().list_apps(request)
    assert app.client_id == mesh.client_id(region)


def test_self_sign_up_is_closed(region):
    assert RegionSocialAccountAdapter().is_open_for_signup(a_request(region), None) is False


# --- the provider side ---------------------------------------------------------------------


def test_the_issuer_is_the_registered_endpoint(region):
    request = a_request(region)
    request.META["HTTP_HOST"] = "localhost"
    with context.request_context(request):
        assert RegionIdpAdapter().get_issuer() == LOCAL_ENDPOINT
    with context.request_context(RequestFactory().get("/")):  # no region attached
        assert RegionIdpAdapter().get_issuer() == LOCAL_ENDPOINT


def test_private_keys_are_the_regions_signing_keys(region):
    from identity.sso.services import signing_key_rotate

    signing_key_rotate()
    keys = RegionIdpAdapter().list_private_keys()
    assert len(keys) == 2
    assert all(k.pem.startswith("-----BEGIN PRIVATE KEY-----") for k in keys)
    assert len(RegionIdpAdapter().list_private_keys(is_active=True)) == 2


# --- pre_social_login ----------------------------------------------------------------------


def social_login(*, sub, nonce="nonce-1", claim_nonce="nonce-1", next_url="/identity/users/"):
    claims = {"sub": str(sub)}
    if claim_nonce is not None:
        claims["nonce"] = claim_nonce
    login = SocialLogin(
        account=SocialAccount(provider="region-2", uid=str(sub), extra_data={"id_token": claims})
    )
    login.state = {"process": "login", "next": next_url}
    if nonce is not None:
        login.state["nonce"] = nonce
    return login


def pre_social_login(request, login):
    with context.request_context(request):
        return RegionSocialAccountAdapter().pre_social_login(request, login)


def test_a_vouched_for_user_is_signed_in_on_the_equivalent_page(region, west, alice):
    request = a_request(region)
    with pytest.raises(ImmediateHttpResponse) as raised:
        pre_social_login(request, social_login(sub=alice.pk))
    response = raised.value.response
    assert response.status_code == 302 and response["Location"] == "/identity/users/"
    assert request.user == alice
    assert request.session["_auth_user_id"] == str(alice.pk)
    assert request.session[SIGNED_IN_AT] > 0


@pytest.mark.parametrize(
    "next_url, lands",
    [
        ("//evil.example", "/"),
        ("https://evil.example/", "/"),
        (None, "/"),
        ("/zones/add/", "/zones/"),
    ],
)
def test_the_landing_page_is_always_a_page_of_this_portal(region, west, alice, next_url, lands):
    request = a_request(region)
    with pytest.raises(ImmediateHttpResponse) as raised:
        pre_social_login(request, social_login(sub=alice.pk, next_url=next_url))
    assert raised.value.response["Location"] == lands


def test_a_user_that_has_not_replicated_yet_is_told_so(region, west):
    request = a_request(region)
    status, html = refusal_of(lambda: pre_social_login(request, social_login(sub=uuid.uuid4())))
    assert status == 409
    assert reason_in(html) == "not_replicated"
    assert "Your user has not reached this region yet" in html
    assert "You came from west (http://127.0.0.1:9); this is east." in html
    # Try again goes through the same provider, to the same page; or sign in here.
    assert (
        'href="/accounts/sso/region-2/login/?next=%2Fidentity%2Fusers%2F&amp;process=login"' in html
    )
    assert 'href="/accounts/login/?next=%2Fidentity%2Fusers%2F"' in html
    assert request.user.is_anonymous and "_auth_user_id" not in request.session


def test_a_sub_that_is_no_uuid_is_nobody(region, west, alice):
    request = a_request(region)
    status, html = refusal_of(lambda: pre_social_login(request, social_login(sub="alice")))
    assert status == 409 and reason_in(html) == "not_replicated"
    assert request.user.is_anonymous


@pytest.mark.parametrize(
    "make_inactive",
    [
        lambda user: identity.user_disable(user=user, by=None),
        lambda user: identity.user_lock(user=user, by=None),
        lambda user: identity.account_disable(account=user.account, by=None),
    ],
    ids=["user disabled", "user locked", "account disabled"],
)
def test_a_disabled_or_locked_user_is_refused(region, west, alice, make_inactive):
    make_inactive(alice)
    request = a_request(region)
    status, html = refusal_of(lambda: pre_social_login(request, social_login(sub=alice.pk)))
    assert status == 403
    assert reason_in(html) == "inactive"
    assert 'id="sso-retry"' not in html  # trying again would not help
    assert request.user.is_anonymous and "_auth_user_id" not in request.session


@pytest.mark.parametrize(
    "nonce, claim_nonce",
    [("nonce-1", "nonce-2"), ("nonce-1", None), (None, "nonce-1"), (None, None), ("", "")],
)
def test_an_answer_to_another_sign_in_attempt_is_refused(region, west, alice, nonce, claim_nonce):
    request = a_request(region)
    login = social_login(sub=alice.pk, nonce=nonce, claim_nonce=claim_nonce)
    status, html = refusal_of(lambda: pre_social_login(request, login))
    assert status == 400
    assert reason_in(html) == "nonce"
    assert request.user.is_anonymous and "_auth_user_id" not in request.session


# --- on_authentication_error ---------------------------------------------------------------


def provider(provider_id="region-2"):
    return SimpleNamespace(app=SimpleNamespace(provider_id=provider_id))


def auth_error(request, *, state, exception=None, provider_id="region-2"):
    extra = {"state": state} if state is not None else None
    with context.request_context(request):
        return RegionSocialAccountAdapter().on_authentication_error(
            request, provider(provider_id), exception=exception, extra_context=extra
        )


STATE = {"process": "login", "next": "/identity/users/?page=2", "nonce": "n"}


def test_not_signed_in_at_the_source_means_sign_in_here_with_the_page_kept(region, west):
    request = a_request(region, error="login_required", state="s")
    with pytest.raises(ImmediateHttpResponse) as raised:
        auth_error(request, state=STATE)
    response = raised.value.response
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fidentity%2Fusers%2F%3Fpage%3D2"
    assert [str(m) for m in get_messages(request)] == [
        "You are not signed in at west. Sign in here instead."
    ]


def test_login_required_from_a_source_no_longer_registered(region, west):
    request = a_request(region, error="login_required", state="s")
    with pytest.raises(ImmediateHttpResponse) as raised:
        auth_error(request, state=STATE, provider_id="region-99")
    assert raised.value.response["Location"].startswith("/accounts/login/?next=")
    assert [str(m) for m in get_messages(request)] == [
        "You are not signed in at the other region. Sign in here instead."
    ]


@pytest.mark.parametrize("state", [None, {}])
def test_a_missing_state_is_an_expired_or_used_link(region, west, state):
    request = a_request(region, error="login_required")
    status, html = refusal_of(lambda: auth_error(request, state=state))
    assert status == 400 and reason_in(html) == "state"
    assert "This sign-in link has expired or was already used" in html
    assert 'href="/accounts/login/?next=%2F"' in html
    assert not list(get_messages(request))


def test_the_source_declining_is_denied(region, west):
    request = a_request(region, error="access_denied")
    status, html = refusal_of(lambda: auth_error(request, state=STATE))
    assert status == 400 and reason_in(html) == "denied"
    assert 'id="sso-retry"' not in html


@pytest.mark.parametrize("error", [requests.ConnectionError("refused"), requests.Timeout("slow")])
def test_a_source_that_does_not_answer_is_unreachable(region, west, error):
    request = a_request(region, code="c", state="s")
    status, html = refusal_of(lambda: auth_error(request, state=STATE, exception=error))
    assert status == 502 and reason_in(html) == "unreachable"
    assert 'id="sso-retry"' in html


def test_anything_else_failed_with_the_detail(region, west):
    from allauth.socialaccount.providers.oauth2.client import OAuth2Error

    request = a_request(region, code="c", state="s")
    status, html = refusal_of(
        lambda: auth_error(request, state=STATE, exception=OAuth2Error("Invalid ID token: bad"))
    )
    assert status == 400 and reason_in(html) == "failed"
    assert "Invalid ID token: bad" in html
    assert (
        'href="/accounts/sso/region-2/login/?next=%2Fidentity%2Fusers%2F%3Fpage%3D2&amp;'
        'process=login"' in html
    )


# --- the provider's pages, in-process ------------------------------------------------------


def start(client: Client, provider_id: str = "region-2", **query):
    query.setdefault("next", "/identity/users/")
    query.setdefault("process", "login")
    return client.get(f"/accounts/sso/{provider_id}/login/", query)


def test_the_login_page_sends_the_browser_to_the_sources_authorize_endpoint(
    region, west, federation
):
    response = start(Client(HTTP_HOST="localhost"))

    assert response.status_code == 302
    parts = urlsplit(response["Location"])
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{DOWN_ENDPOINT}/identity/o/authorize"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["client_id"] == mesh.client_id(region)
    # the callback is this region's registered endpoint, never the request's Host
    assert query["redirect_uri"] == f"{LOCAL_ENDPOINT}/accounts/sso/region-2/login/callback/"
    assert query["response_type"] == "code"
    assert sorted(query["scope"].split()) == ["openid", "profile"]
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) >= 43
    assert len(query["nonce"]) >= 32 and query["state"]


def test_every_attempt_has_its_own_state_and_nonce(region, west, federation):
    client = Client()
    first = parse_qs(urlsplit(start(client)["Location"]).query)
    second = parse_qs(urlsplit(start(client)["Location"]).query)
    assert first["state"] != second["state"]
    assert first["nonce"] != second["nonce"]
    assert first["code_challenge"] != second["code_challenge"]


@pytest.mark.parametrize(
    "provider_id", ["region-1", "region-99", "region-x", "region-²", "region-02", "google"]
)
def test_an_unknown_provider_is_not_found(region, west, federation, provider_id):
    assert start(Client(), provider_id).status_code == 404
    assert Client().get(f"/accounts/sso/{provider_id}/login/callback/").status_code == 404


def test_without_a_federation_there_is_no_provider(region, west):
    assert start(Client()).status_code == 404


def test_the_login_page_is_a_get_only(region, west, federation):
    assert Client().post("/accounts/sso/region-2/login/").status_code == 405
    assert Client().post(CALLBACK).status_code == 405


def test_a_callback_with_login_required_sends_the_user_to_sign_in_here(region, west, federation):
    browser = Client()
    state = parse_qs(urlsplit(start(browser)["Location"]).query)["state"][0]

    response = browser.get(CALLBACK, {"error": "login_required", "state": state})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fidentity%2Fusers%2F"
    page = browser.get(response["Location"])
    assert "You are not signed in at west. Sign in here instead." in [
        str(m) for m in page.context["messages"]
    ]


@pytest.mark.parametrize("query", [{}, {"state": "forged"}, {"code": "c", "state": "forged"}])
def test_a_callback_without_its_state_is_refused(region, west, federation, query):
    response = Client().get(CALLBACK, query)
    assert response.status_code == 400
    assert reason_in(response.content.decode()) == "state"


def test_a_callback_is_good_once(region, west, federation):
    browser = Client()
    state = parse_qs(urlsplit(start(browser)["Location"]).query)["state"][0]
    assert browser.get(CALLBACK, {"error": "access_denied", "state": state}).status_code == 400
    again = browser.get(CALLBACK, {"error": "login_required", "state": state})
    assert again.status_code == 400 and reason_in(again.content.decode()) == "state"


def test_the_state_belongs_to_the_browser_that_started(region, west, federation):
    state = parse_qs(urlsplit(start(Client())["Location"]).query)["state"][0]
    thief = Client()
    response = thief.get(CALLBACK, {"error": "login_required", "state": state})
    assert response.status_code == 400 and reason_in(response.content.decode()) == "state"


def test_a_callback_without_a_code_failed(region, west, federation):
    browser = Client()
    state = parse_qs(urlsplit(start(browser)["Location"]).query)["state"][0]
    response = browser.get(CALLBACK, {"state": state})
    assert response.status_code == 400 and reason_in(response.content.decode()) == "failed"


# --- the callback with a code: the token exchange answered in-process ----------------------


@pytest.fixture
def west_keys(west):
    """West's signing key, and its JWKS as this region has cached it."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    jwk.update(kid="west-key-1", use="sig", alg="RS256")
    jwks_uri = mesh.provider_configuration(west)["jwks_uri"]
    cache.set(jwks._key(jwks_uri), {"keys": [jwk]})
    yield key
    cache.delete(jwks._key(jwks_uri))


def west_token(key, *, region, sub, nonce, kid="west-key-1", **changes) -> str:
    now = int(time.time())
    claims = {
        "iss": DOWN_ENDPOINT,
        "aud": mesh.client_id(region),
        "sub": str(sub),
        "nonce": nonce,
        "iat": now,
        "exp": now + 60,
        **changes,
    }
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


@pytest.fixture
def token_exchange(monkeypatch):
    """West's token endpoint, answered with whatever the test puts in `answer`."""
    exchange = SimpleNamespace(answer=None, calls=[])

    def get_access_token_data(self, request, app, client, pkce_code_verifier=None):
        exchange.calls.append(
            {"code": request.GET["code"], "verifier": pkce_code_verifier, "app": app}
        )
        return {"access_token": "at", "token_type": "Bearer", "id_token": exchange.answer}

    monkeypatch.setattr(RegionOAuth2Adapter, "get_access_token_data", get_access_token_data)
    return exchange


def begin(browser) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(start(browser)["Location"]).query).items()}


def test_a_valid_id_token_signs_the_user_in(
    region, west, federation, alice, west_keys, token_exchange
):
    browser = Client()
    asked = begin(browser)
    token_exchange.answer = west_token(west_keys, region=region, sub=alice.pk, nonce=asked["nonce"])

    response = browser.get(CALLBACK, {"code": "the-code", "state": asked["state"]})

    assert response.status_code == 302 and response["Location"] == "/identity/users/"
    [call] = token_exchange.calls
    assert call["code"] == "the-code" and call["verifier"]  # PKCE went along
    assert call["app"].provider_id == "region-2"
    assert browser.session["_auth_user_id"] == str(alice.pk)
    assert browser.get("/").status_code == 200
    assert not SocialAccount.objects.exists()  # nothing is linked or stored


def test_an_id_token_for_another_attempt_is_refused(
    region, west, federation, alice, west_keys, token_exchange
):
    browser = Client()
    asked = begin(browser)
    token_exchange.answer = west_token(west_keys, region=region, sub=alice.pk, nonce="other")
    response = browser.get(CALLBACK, {"code": "c", "state": asked["state"]})
    assert response.status_code == 400 and reason_in(response.content.decode()) == "nonce"
    assert "_auth_user_id" not in browser.session


@pytest.mark.parametrize(
    "changes",
    [
        {"iss": "http://127.0.0.1:18003"},  # north is no issuer of west's tokens
        {"iss": "http://testserver"},
        {"aud": "region-someone-else"},
        {"exp": int(time.time()) - 120},
    ],
    ids=["other issuer", "host issuer", "other audience", "expired"],
)
def test_an_id_token_that_does_not_check_out_is_refused(
    region, west, federation, alice, west_keys, token_exchange, changes
):
    browser = Client()
    asked = begin(browser)
    token_exchange.answer = west_token(
        west_keys, region=region, sub=alice.pk, nonce=asked["nonce"], **changes
    )
    response = browser.get(CALLBACK, {"code": "c", "state": asked["state"]})
    assert response.status_code == 400 and reason_in(response.content.decode()) == "failed"
    assert "_auth_user_id" not in browser.session


def test_an_id_token_signed_by_another_key_is_refused(
    region, west, federation, alice, west_keys, token_exchange
):
    browser = Client()
    asked = begin(browser)
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token_exchange.answer = west_token(forger, region=region, sub=alice.pk, nonce=asked["nonce"])
    response = browser.get(CALLBACK, {"code": "c", "state": asked["state"]})
    assert response.status_code == 400 and reason_in(response.content.decode()) == "failed"
    assert "_auth_user_id" not in browser.session


def test_no_id_token_at_all_is_refused(region, west, federation, alice, west_keys, token_exchange):
    browser = Client()
    asked = begin(browser)
    token_exchange.answer = None
    response = browser.get(CALLBACK, {"code": "c", "state": asked["state"]})
    assert response.status_code == 400 and reason_in(response.content.decode()) == "failed"
    assert "without an ID token" in response.content.decode()


def test_an_unknown_key_refetches_the_jwks_and_a_source_that_is_down_is_unreachable(
    region, west, federation, alice, west_keys, token_exchange
):
    browser = Client()
    asked = begin(browser)
    token_exchange.answer = west_token(
        west_keys, region=region, sub=alice.pk, nonce=asked["nonce"], kid="rotated-key"
    )
    # west (a closed loopback port) is asked for its keys again, and does not answer.
    response = browser.get(CALLBACK, {"code": "c", "state": asked["state"]})
    assert response.status_code == 502 and reason_in(response.content.decode()) == "unreachable"
    assert "_auth_user_id" not in browser.session


def test_a_disabled_user_vouched_for_is_refused_here(
    region, west, federation, alice, west_keys, token_exchange
):
    identity.user_disable(user=alice, by=None)
    browser = Client()
    asked = begin(browser)
    token_exchange.answer = west_token(west_keys, region=region, sub=alice.pk, nonce=asked["nonce"])
    response = browser.get(CALLBACK, {"code": "c", "state": asked["state"]})
    assert response.status_code == 403 and reason_in(response.content.decode()) == "inactive"


@pytest.mark.parametrize(
    ("skew", "signed_in"),
    [(10, True), (-10, True), (90, False)],
    ids=["source clock 10 s ahead", "source clock 10 s behind", "source clock 90 s ahead"],
)
def test_clock_skew_between_regions_is_tolerated_within_the_leeway(
    region, west, federation, alice, west_keys, token_exchange, skew, signed_in
):
    browser = Client()
    asked = begin(browser)
    now = int(time.time()) + skew
    token_exchange.answer = west_token(
        west_keys, region=region, sub=alice.pk, nonce=asked["nonce"], iat=now, exp=now + 60
    )
    response = browser.get(CALLBACK, {"code": "c", "state": asked["state"]})
    assert ("_auth_user_id" in browser.session) is signed_in
    assert response.status_code == (302 if signed_in else 400)
