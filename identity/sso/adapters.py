"""allauth adapters: this region as a provider for its siblings, and as their client."""

from __future__ import annotations

import uuid

import requests
from allauth.account.utils import perform_login
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.idp.oidc.adapter import DefaultOIDCAdapter
from allauth.idp.oidc.models import PrivateKey
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from identity.crypto import secret_decrypt
from identity.models import User
from identity.sso import mesh
from identity.sso.models import SigningKey
from identity.sso.selectors import equivalent_path
from regions.models import Region
from regions.selectors import region_local


class RegionIdpAdapter(DefaultOIDCAdapter):
    """This region vouching for its signed-in users."""

    def get_issuer(self) -> str:
        # Pinned to the registered public URL: never built from the request's Host.
        local = getattr(self.request, "region", None) or region_local()
        return local.endpoint.rstrip("/")

    def populate_server_metadata(self, data: dict) -> None:
        """The discovery document names this region's registered URL, like the issuer:
        allauth builds its endpoints from the request's Host."""
        host_base = self.request.build_absolute_uri("/").rstrip("/") if self.request else ""
        base = self.get_issuer()
        for name, value in data.items():
            if host_base and isinstance(value, str) and value.startswith(host_base + "/"):
                data[name] = base + value[len(host_base) :]

    def list_private_keys(self, *, did_activate=None, is_active=None) -> list[PrivateKey]:
        from allauth.idp.oidc.internal.private_keys import filter_keys

        keys = [
            PrivateKey(
                pem=secret_decrypt(key.private_key_encrypted),
                not_before=key.not_before,
                expires_at=key.expires_at,
                issued_at=key.not_before,
            )
            for key in SigningKey.objects.all()
        ]
        return filter_keys(keys, did_activate=did_activate, is_active=is_active)


class RegionSocialAccountAdapter(DefaultSocialAccountAdapter):
    """Signing in here because a sibling region vouches for the user."""

    def list_apps(self, request: HttpRequest | None, provider=None, client_id=None):
        """One app per peer region, derived from the registry; nothing is stored."""
        local = getattr(request, "region", None) or region_local()
        secret = mesh.federation_secret()
        if local is None or not secret:
            return []
        peers = Region.objects.filter(is_local=False).order_by("pk")
        if provider and provider != mesh.PROVIDER:
            peer = mesh.peer_from_provider_id(provider)
            peers = [peer] if peer else []
        if client_id and client_id != mesh.client_id(local):
            return []
        return [
            SocialApp(
                provider=mesh.PROVIDER,
                provider_id=mesh.provider_id(peer),
                name=peer.name,
                client_id=mesh.client_id(local),
                secret=mesh.client_secret(local, secret=secret),
                settings={"region_id": peer.pk},
            )
            for peer in peers
        ]

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        # A user exists here only by replication: never made by signing in.
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        """Sign in the replicated user the token names, or say clearly why not."""
        source = mesh.peer_from_provider_id(sociallogin.account.provider)
        next_url = equivalent_path(sociallogin.state.get("next"))
        claims = sociallogin.account.extra_data.get("id_token", {})
        nonce = sociallogin.state.get("nonce")
        if not nonce or claims.get("nonce") != nonce:
            raise ImmediateHttpResponse(
                refusal(request, source=source, next_url=next_url, reason="nonce", status=400)
            )
        user = _user_by_sub(sociallogin.account.uid)
        if user is None:
            raise ImmediateHttpResponse(
                refusal(
                    request, source=source, next_url=next_url, reason="not_replicated", status=409
                )
            )
        if not user.is_active:
            raise ImmediateHttpResponse(
                refusal(request, source=source, next_url=next_url, reason="inactive", status=403)
            )
        raise ImmediateHttpResponse(
            perform_login(request, user, email_verification="none", redirect_url=next_url)
        )

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ) -> None:
        state = (extra_context or {}).get("state") or {}
        source = mesh.peer_from_provider_id(getattr(provider.app, "provider_id", "") or "")
        next_url = equivalent_path(state.get("next"))
        if request.GET.get("error") == "login_required" and state:
            where = source.name if source else "the other region"
            messages.info(request, f"You are not signed in at {where}. Sign in here instead.")
            login = reverse("account_login") + "?" + urlencode({"next": next_url})
            raise ImmediateHttpResponse(HttpResponseRedirect(login))
        if not state:
            reason = "state"
        elif isinstance(exception, requests.ConnectionError | requests.Timeout):
            reason = "unreachable"
        elif request.GET.get("error") == "access_denied":
            reason = "denied"
        else:
            reason = "failed"
        raise ImmediateHttpResponse(
            refusal(
                request,
                source=source,
                next_url=next_url,
                reason=reason,
                status=502 if reason == "unreachable" else 400,
                detail=str(exception) if exception else request.GET.get("error", ""),
            )
        )


def _user_by_sub(sub: str) -> User | None:
    try:
        pk = uuid.UUID(str(sub))
    except ValueError:
        return None
    return User.objects.select_related("account").filter(pk=pk).first()


REASONS = {
    "not_replicated": (
        "Your user has not reached this region yet",
        "Users made in one region reach the others within seconds. Try again in a moment.",
    ),
    "inactive": (
        "Your user is disabled or locked in this region",
        "An administrator has disabled or locked your user or its account. Ask them to enable "
        "it; until then you cannot sign in here.",
    ),
    "nonce": (
        "Single sign-on was refused",
        "The sign-in answer did not belong to this sign-in attempt, so it was not used.",
    ),
    "state": (
        "This sign-in link has expired or was already used",
        "Start again from the region switcher, or sign in here.",
    ),
    "unreachable": (
        "The region you came from is not answering",
        "Single sign-on needs both regions. Sign in here with your password instead.",
    ),
    "denied": ("Single sign-on was refused", "The region you came from declined to vouch."),
    "failed": (
        "Single sign-on did not complete",
        "Sign in here with your password, or try the switcher again.",
    ),
}


def refusal(
    request: HttpRequest,
    *,
    source: Region | None,
    next_url: str,
    reason: str,
    status: int,
    detail: str = "",
) -> HttpResponse:
    """A page that says why single sign-on did not sign the user in, and what to do."""
    title, advice = REASONS[reason]
    retry = None
    if source is not None and reason in {"not_replicated", "state", "failed", "unreachable"}:
        retry = reverse("region_login", kwargs={"provider_id": mesh.provider_id(source)})
        retry += "?" + urlencode({"next": next_url, "process": "login"})
    return render(
        request,
        "sso/refused.html",
        {
            "title": title,
            "advice": advice,
            "reason": reason,
            "detail": detail,
            "source": source,
            "retry_url": retry,
            "login_url": reverse("account_login") + "?" + urlencode({"next": next_url}),
        },
        status=status,
    )
