"""The `region` social provider: another region of this cloud, as an OpenID Connect provider.

allauth's `openid_connect` provider, changed where a sibling region allows better:
- its configuration comes from the registry (mesh.provider_configuration), so no discovery
  document is fetched and the issuer is the registered public URL;
- every request carries a nonce (checked in adapters.RegionSocialAccountAdapter) and PKCE;
  the provider never prompts a sibling region's user (views.authorize): one not signed in
  there comes back with `login_required` and signs in here;
- the ID token's signature is always verified, against the provider's JWKS cached here;
- the user is identified by the token's `sub` alone (their replicated UUID): no userinfo
  request.
"""

from __future__ import annotations

import secrets
from typing import Any

from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.http import HttpRequest

from identity.sso import jwks, mesh
from regions.models import Region
from regions.selectors import region_local


class RegionOAuth2Adapter(OpenIDConnectOAuth2Adapter):
    basic_auth = False  # client_secret_post

    def _peer(self) -> Region:
        if not hasattr(self, "_peer_region"):
            region = mesh.peer_from_provider_id(self.provider_id)
            if region is None:
                from allauth.socialaccount.models import SocialApp

                raise SocialApp.DoesNotExist(self.provider_id)
            self._peer_region = region
        return self._peer_region

    @property
    def openid_config(self) -> dict[str, Any]:
        if not hasattr(self, "_openid_config"):
            self._openid_config = mesh.provider_configuration(self._peer())
        return self._openid_config

    def get_callback_url(self, request: HttpRequest, app: Any) -> str:
        local = getattr(request, "region", None) or region_local()
        return mesh.callback_url(client=local, provider=self._peer())

    def complete_login(self, request: HttpRequest, app: Any, token: Any, **kwargs: Any):
        id_token = kwargs["response"].get("id_token")
        if not id_token:
            from allauth.socialaccount.providers.oauth2.client import OAuth2Error

            raise OAuth2Error("The region answered without an ID token.")
        config = self.openid_config
        claims = jwks.id_token_verify(
            id_token,
            jwks_uri=config["jwks_uri"],
            issuer=config["issuer"],
            audience=app.client_id,
        )
        return self.get_provider().sociallogin_from_response(request, {"id_token": claims})


class RegionProvider(OpenIDConnectProvider):
    id = mesh.PROVIDER
    name = "Region"
    oauth2_adapter_class = RegionOAuth2Adapter
    pkce_enabled_default = True

    def get_default_scope(self) -> list[str]:
        return list(mesh.SCOPES)

    def get_pkce_params(self) -> dict:
        from allauth.socialaccount.providers.oauth2.utils import generate_code_challenge

        return generate_code_challenge()

    def redirect(self, request: HttpRequest, process, next_url=None, data=None, **kwargs):
        nonce = secrets.token_urlsafe(32)
        auth_params = kwargs.pop("auth_params", None) or self.get_auth_params()
        auth_params["nonce"] = nonce
        return super().redirect(
            request, process, next_url, data, auth_params=auth_params, nonce=nonce, **kwargs
        )


provider_classes = [RegionProvider]
