"""What of allauth is routed under /accounts/: sign-in and the single sign-on providers,
not its social-account pages."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

pytestmark = pytest.mark.django_db

SOCIAL_ACCOUNT_PAGES = (
    "/accounts/3rdparty/",
    "/accounts/3rdparty/signup/",
    "/accounts/3rdparty/login/cancelled/",
    "/accounts/3rdparty/login/error/",
    "/accounts/social/connections/",
    "/accounts/social/signup/",
)


@pytest.mark.parametrize("path", SOCIAL_ACCOUNT_PAGES)
def test_allauths_social_account_pages_are_not_found(alice_client, anon_client, path):
    """Issue #11, item 9: connecting an outside account to a user, or signing up through
    one, is not something this portal does; the pages only confused."""
    assert alice_client.get(path).status_code == 404
    assert anon_client.get(path).status_code == 404


def test_their_names_are_gone_too():
    with pytest.raises(NoReverseMatch):
        reverse("socialaccount_connections")


def test_sign_in_and_the_single_sign_on_routes_stay(anon_client, west, federation):
    assert anon_client.get("/accounts/login/").status_code == 200
    login = reverse("region_login", kwargs={"provider_id": "region-2"})
    callback = reverse("region_callback", kwargs={"provider_id": "region-2"})
    assert (login, callback) == (
        "/accounts/sso/region-2/login/",
        "/accounts/sso/region-2/login/callback/",
    )
    assert anon_client.get(login).status_code == 302  # to west's authorize endpoint
