"""The mesh: client ids, secrets and endpoints every region derives from the registry."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from identity.sso import mesh
from regions.models import Federation
from regions.services import region_update

from .conftest import DOWN_ENDPOINT, LOCAL_ENDPOINT

pytestmark = pytest.mark.django_db


def test_provider_id_names_a_region_by_its_id_and_client_id_by_its_uuid(region, west):
    assert mesh.PROVIDER == "region"
    assert mesh.provider_id(west) == "region-2"
    assert mesh.provider_id(region) == "region-1"
    assert mesh.client_id(west) == f"region-{west.uuid}"
    assert mesh.client_id(region) == f"region-{region.uuid}"
    assert mesh.client_id(west) != mesh.client_id(region)


def test_the_client_secret_is_an_hmac_of_the_uuid_under_the_federation_secret(
    region, west, federation
):
    expected = hmac.new(
        federation.secret.encode(),
        b"region-portal/sso/client-secret/v1\x00" + str(west.uuid).encode(),
        hashlib.sha256,
    ).hexdigest()
    assert mesh.client_secret(west) == expected
    assert len(expected) == 64
    # The same wherever it is computed (an explicit secret gives the same value) ...
    assert mesh.client_secret(west, secret=federation.secret) == expected
    # ... different for every region and for every federation.
    assert mesh.client_secret(region) != expected
    assert mesh.client_secret(west, secret="another federation") != expected


def test_without_a_federation_secret_there_is_no_client_secret(region, west):
    assert not Federation.objects.exists()
    assert mesh.federation_secret() is None
    with pytest.raises(LookupError):
        mesh.client_secret(west)
    with pytest.raises(LookupError):
        mesh.client_secret(west, secret="")


def test_federation_secret_reads_the_one_row(federation):
    assert mesh.federation_secret() == federation.secret


def test_callback_and_login_urls_are_on_the_clients_registered_endpoint(region, west):
    assert (
        mesh.callback_url(client=west, provider=region)
        == f"{DOWN_ENDPOINT}/accounts/sso/region-1/login/callback/"
    )
    assert (
        mesh.callback_url(client=region, provider=west)
        == f"{LOCAL_ENDPOINT}/accounts/sso/region-2/login/callback/"
    )
    assert mesh.login_url(client=west, provider=region) == (
        f"{DOWN_ENDPOINT}/accounts/sso/region-1/login/"
    )


def test_urls_follow_an_endpoint_with_a_path_and_never_double_the_slash(region, west):
    region_update(region=west, endpoint="http://127.0.0.1:9/portal/", by=None)
    west.refresh_from_db()
    assert west.endpoint == "http://127.0.0.1:9/portal"
    assert mesh.callback_url(client=west, provider=region) == (
        "http://127.0.0.1:9/portal/accounts/sso/region-1/login/callback/"
    )
    west.endpoint = "http://127.0.0.1:9/portal/"  # even unnormalized
    assert mesh.login_url(client=west, provider=region) == (
        "http://127.0.0.1:9/portal/accounts/sso/region-1/login/"
    )


def test_the_provider_configuration_comes_from_the_registry(west):
    config = mesh.provider_configuration(west)
    assert config == {
        "issuer": DOWN_ENDPOINT,
        "authorization_endpoint": f"{DOWN_ENDPOINT}/identity/o/authorize",
        "token_endpoint": f"{DOWN_ENDPOINT}/identity/o/api/token",
        "userinfo_endpoint": f"{DOWN_ENDPOINT}/identity/o/api/userinfo",
        "jwks_uri": f"{DOWN_ENDPOINT}/.well-known/jwks.json",
        "token_endpoint_auth_methods_supported": ["client_secret_post"],
    }


def test_peer_from_provider_id_finds_only_registered_peers(region, west, north):
    assert mesh.peer_from_provider_id("region-2") == west
    assert mesh.peer_from_provider_id("region-3") == north
    assert mesh.peer_from_provider_id("region-1") is None  # this region is no peer
    assert mesh.peer_from_provider_id("region-99") is None


@pytest.mark.parametrize(
    "value",
    [
        "",
        "region",
        "region-",
        "region-x",
        "region--2",
        "region-+2",
        "region- 2",
        "region-2 ",
        "region-2.0",
        "Region-2",
        "regions-2",
        "xregion-2",
        "openid_connect",
        "region-²",  # a digit to str.isdigit(), not to int()
        "region-٢",  # an Arabic-Indic two: not how any region is named
        "region-02",  # not the form provider_id gives
        "region-99999999999999999999999999",
    ],
)
def test_peer_from_provider_id_refuses_anything_else(region, west, value):
    assert mesh.peer_from_provider_id(value) is None
