"""This region as an OpenID Connect provider for its siblings: /identity/o/authorize and the
token endpoint, through the test client."""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
from allauth.idp.oidc.models import Client as OidcClient
from allauth.idp.oidc.models import Token
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from identity import services as identity
from identity.sso import jwks, mesh

from .conftest import DOWN_ENDPOINT, LOCAL_ENDPOINT

pytestmark = pytest.mark.django_db

AUTHORIZE = "/identity/o/authorize"
TOKEN = "/identity/o/api/token"


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


@pytest.fixture
def flow(region, west, federation):
    """An authorization request as west makes it to this region (east)."""
    verifier, challenge = pkce()
    params = {
        "response_type": "code",
        "client_id": mesh.client_id(west),
        "redirect_uri": mesh.callback_url(client=west, provider=region),
        "scope": "openid profile",
        "state": "state-from-west",
        "nonce": "nonce-from-west",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return {"params": params, "verifier": verifier, "secret": mesh.client_secret(west)}


def authorize(client: Client, params: dict, **changes):
    query = {**params, **changes}
    return client.get(f"{AUTHORIZE}?{urlencode({k: v for k, v in query.items() if v is not None})}")


def location(response) -> tuple[str, dict[str, list[str]]]:
    parts = urlsplit(response["Location"])
    return f"{parts.scheme}://{parts.netloc}{parts.path}", parse_qs(parts.query)


def code_from(response, flow) -> str:
    assert response.status_code == 302, response.content[:500]
    base, query = location(response)
    assert base == flow["params"]["redirect_uri"]
    assert query["state"] == [flow["params"]["state"]]
    [code] = query["code"]
    return code


def redeem(code: str, flow, *, client: Client | None = None, **changes):
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": flow["params"]["redirect_uri"],
        "client_id": flow["params"]["client_id"],
        "client_secret": flow["secret"],
        "code_verifier": flow["verifier"],
        **changes,
    }
    client = client or Client()
    return client.post(TOKEN, {k: v for k, v in data.items() if v is not None})


# --- anonymous: never a sign-in page for a sibling region ----------------------------------


def test_an_anonymous_user_goes_back_with_login_required_and_the_state(anon_client, flow):
    response = authorize(anon_client, flow["params"])
    assert response.status_code == 302
    base, query = location(response)
    assert base == f"{DOWN_ENDPOINT}/accounts/sso/region-1/login/callback/"
    assert query == {"error": ["login_required"], "state": ["state-from-west"]}


def test_without_a_state_only_the_error_goes_back(anon_client, flow):
    response = authorize(anon_client, flow["params"], state=None)
    assert response.status_code == 302
    assert location(response)[1] == {"error": ["login_required"]}


def test_the_authorize_request_registers_the_clients_first(anon_client, flow, west):
    OidcClient.objects.all().delete()
    response = authorize(anon_client, flow["params"])
    assert location(response)[1]["error"] == ["login_required"]
    assert OidcClient.objects.filter(pk=mesh.client_id(west)).exists()


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://evil.example/accounts/sso/region-1/login/callback/",
        f"{DOWN_ENDPOINT}/evil/",
        f"{DOWN_ENDPOINT}.evil.example/accounts/sso/region-1/login/callback/",
        # allauth alone takes these two (extra query parameters; any port of a loopback
        # address, RFC 8252's rule for native apps); a region's redirect URI is exact.
        f"{DOWN_ENDPOINT}/accounts/sso/region-1/login/callback/?next=https://evil.example/",
        "http://127.0.0.1:6666/accounts/sso/region-1/login/callback/",
        f"{DOWN_ENDPOINT}/accounts/sso/region-2/login/callback/",  # another provider's
        f"{LOCAL_ENDPOINT}/accounts/sso/region-2/login/callback/",  # this region's own
        "",
        None,
    ],
)
def test_an_unregistered_redirect_uri_is_never_redirected_to(
    anon_client, alice_client, flow, redirect_uri
):
    for client in (anon_client, alice_client):
        response = authorize(client, flow["params"], redirect_uri=redirect_uri)
        assert response.status_code == 400
        assert "Location" not in response
        assert b"Mismatching redirect URI." in response.content  # allauth's error page
        assert b"code=" not in response.content


@pytest.mark.parametrize(
    "client_id",
    [f"region-{uuid.uuid4()}", "region-", "region-2", "someone-else", ""],
)
def test_an_unknown_client_is_never_redirected_to(anon_client, alice_client, flow, client_id):
    for client in (anon_client, alice_client):
        response = authorize(client, flow["params"], client_id=client_id)
        target = response.get("Location", "")
        assert not target.startswith(flow["params"]["redirect_uri"])
        assert not target.startswith(("http://", "https://", "//"))
        assert "code=" not in target


def test_a_deleted_region_is_no_client_any_more(anon_client, flow, west):
    from regions.services import region_delete

    region_delete(region=west, by=None)
    response = authorize(anon_client, flow["params"])
    assert not response.get("Location", "").startswith(DOWN_ENDPOINT)


# --- signed in: a code at once, then the token endpoint ------------------------------------


def test_a_signed_in_user_gets_a_code_without_a_consent_page(alice_client, flow):
    response = authorize(alice_client, flow["params"])
    code = code_from(response, flow)
    assert len(code) > 20
    assert b"<form" not in response.content


def test_the_code_buys_an_id_token_issued_by_this_regions_endpoint(alice, alice_client, flow):
    code = code_from(authorize(alice_client, flow["params"]), flow)

    response = redeem(code, flow)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token_type"].lower() == "bearer" and body["access_token"]
    id_token = body["id_token"]
    header = jwt.get_unverified_header(id_token)
    assert header["alg"] == "RS256"
    published = Client().get("/.well-known/jwks.json").json()
    [jwk] = [k for k in published["keys"] if k["kid"] == header["kid"]]
    claims = jwt.decode(
        id_token,
        jwt.algorithms.RSAAlgorithm.from_jwk(jwk),
        algorithms=["RS256"],
        audience=flow["params"]["client_id"],
    )
    assert claims["iss"] == LOCAL_ENDPOINT == "http://127.0.0.1:8000"
    assert claims["iss"] != "http://testserver"  # never the request's Host
    assert claims["sub"] == str(alice.pk)
    assert claims["aud"] == flow["params"]["client_id"]
    assert claims["nonce"] == "nonce-from-west"
    assert 0 < claims["exp"] - claims["iat"] <= 60


def test_the_id_token_passes_the_verification_the_client_region_does(
    alice, alice_client, flow, region
):
    code = code_from(authorize(alice_client, flow["params"]), flow)
    id_token = redeem(code, flow).json()["id_token"]
    # What west does with it (identity/sso/jwks.py), with east's JWKS as west caches it.
    config = mesh.provider_configuration(region)
    cache.set(jwks._key(config["jwks_uri"]), Client().get("/.well-known/jwks.json").json())
    try:
        claims = jwks.id_token_verify(
            id_token,
            jwks_uri=config["jwks_uri"],
            issuer=config["issuer"],
            audience=flow["params"]["client_id"],
        )
    finally:
        cache.delete(jwks._key(config["jwks_uri"]))
    assert claims["sub"] == str(alice.pk)


def test_the_host_header_does_not_change_the_issuer(alice, flow):
    browser = Client(HTTP_HOST="localhost")
    browser.force_login(alice)
    code = code_from(authorize(browser, flow["params"]), flow)
    response = redeem(code, flow, client=Client(HTTP_HOST="localhost"))
    claims = jwt.decode(response.json()["id_token"], options={"verify_signature": False})
    assert claims["iss"] == LOCAL_ENDPOINT
    configuration = Client(HTTP_HOST="localhost").get("/.well-known/openid-configuration")
    assert configuration.json()["issuer"] == LOCAL_ENDPOINT
    # Every endpoint it names is on the registered URL too, never the Host's.
    urls = {k: v for k, v in configuration.json().items() if str(v).startswith("http")}
    assert {"authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint"} <= set(
        urls
    )
    assert all(f"{url}/".startswith(LOCAL_ENDPOINT + "/") for url in urls.values()), urls


def test_a_code_is_good_once(alice_client, flow):
    code = code_from(authorize(alice_client, flow["params"]), flow)
    assert redeem(code, flow).status_code == 200

    again = redeem(code, flow)

    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"
    assert "id_token" not in again.json()


def test_the_code_needs_the_pkce_verifier(alice_client, flow):
    code = code_from(authorize(alice_client, flow["params"]), flow)
    wrong = redeem(code, flow, code_verifier=pkce()[0])
    assert wrong.status_code == 400 and "id_token" not in wrong.json()
    assert wrong.json()["error"] == "invalid_grant"


def test_the_code_needs_a_verifier_at_all(alice_client, flow):
    code = code_from(authorize(alice_client, flow["params"]), flow)
    missing = redeem(code, flow, code_verifier=None)
    assert missing.status_code == 400 and "id_token" not in missing.json()
    assert missing.json()["error"] == "invalid_request"


def test_the_code_needs_the_clients_secret(alice_client, flow, region):
    code = code_from(authorize(alice_client, flow["params"]), flow)
    for secret in ("not-the-secret", mesh.client_secret(region), None):
        refused = redeem(code, flow, client_secret=secret)
        assert refused.status_code == 401, secret
        assert refused.json()["error"] == "invalid_client"
        assert "id_token" not in refused.json()


def test_another_region_cannot_redeem_west_s_code(alice_client, flow, north):
    code = code_from(authorize(alice_client, flow["params"]), flow)
    response = redeem(
        code,
        flow,
        client_id=mesh.client_id(north),
        client_secret=mesh.client_secret(north),
        redirect_uri=mesh.callback_url(client=north, provider=north),
    )
    assert response.status_code == 400 and "id_token" not in response.json()
    assert response.json()["error"] == "invalid_grant"


def test_the_code_must_come_back_with_the_same_redirect_uri(alice_client, flow):
    code = code_from(authorize(alice_client, flow["params"]), flow)
    response = redeem(code, flow, redirect_uri=f"{DOWN_ENDPOINT}/elsewhere/")
    assert response.status_code == 400 and "id_token" not in response.json()
    assert response.json()["error"] == "invalid_request"


def test_a_disabled_user_is_not_vouched_for(alice, alice_client, flow):
    identity.user_disable(user=alice, by=None)
    response = authorize(alice_client, flow["params"])
    assert response.status_code == 302
    assert location(response)[1] == {"error": ["login_required"], "state": ["state-from-west"]}


def test_a_code_lives_a_minute_at_most(alice_client, flow):
    code = code_from(authorize(alice_client, flow["params"]), flow)
    [row] = Token.objects.filter(type=Token.Type.AUTHORIZATION_CODE)
    assert row.expires_at - row.created_at <= timedelta(seconds=60)
    # The same code, presented once its minute is up, buys nothing.
    Token.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    late = redeem(code, flow)
    assert late.status_code == 400 and late.json()["error"] == "invalid_grant"
