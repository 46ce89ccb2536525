"""Thin views of single sign-on: the switch, sign-out everywhere, and the two ends of the
OpenID Connect flow (this region's authorization endpoint, and its login from a peer)."""

from __future__ import annotations

import logging

import requests
from allauth.account.internal.decorators import login_not_required
from allauth.core.internal.httpkit import add_query_params
from allauth.idp.oidc import views as idp_views
from allauth.idp.oidc.internal.oauthlib.utils import respond_html_error
from allauth.idp.oidc.models import Client
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import (
    OAuth2CallbackView,
    OAuth2LoginView,
    OAuth2View,
)
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from oauthlib.oauth2.rfc6749 import errors as oauth2_errors

from identity.sso import mesh
from identity.sso.provider import RegionOAuth2Adapter
from identity.sso.selectors import equivalent_path, remembered_region
from identity.sso.services import region_choose, sso_clients_sync, user_sign_out_everywhere
from regions.models import Region

log = logging.getLogger(__name__)

#: how long a switch waits for the target's health probe before calling it down
PROBE_TIMEOUT = 2.0


def _target_answers(region: Region) -> bool:
    try:
        response = requests.get(f"{region.endpoint.rstrip('/')}/health/", timeout=PROBE_TIMEOUT)
    except requests.RequestException as error:
        log.info("switch to region %s: health probe failed: %s", region.pk, error)
        return False
    return response.status_code == 200


@require_POST
def switch(request: HttpRequest, region_id: int) -> HttpResponse:
    """Take the user to REGION_ID's equivalent page, signed in there too; remember it."""
    target = Region.objects.filter(pk=region_id).first()
    if target is None:
        raise Http404("No such region is registered.")
    return _go(request, target, equivalent_path(request.POST.get("next")), remember=True)


@require_GET
@login_required
def remembered(request: HttpRequest) -> HttpResponse:
    """Where a sign-in with no page asked for goes: the region the user chose last."""
    target = remembered_region(user=request.user)
    if target is None:
        return redirect("regions:dashboard")
    return _go(request, target, reverse("regions:dashboard"), remember=False)


def _go(request: HttpRequest, target: Region, next_url: str, *, remember: bool) -> HttpResponse:
    if target.is_local:
        return redirect(next_url)
    if not request.user.is_authenticated:
        # Nobody to vouch for: the target's own sign-in page.
        login = reverse("account_login") + "?" + urlencode({"next": next_url})
        return HttpResponseRedirect(f"{target.endpoint.rstrip('/')}{login}")
    if not _target_answers(target):
        messages.error(
            request,
            f"{target.name} ({target.endpoint}) is not answering, so you are still in "
            f"{request.region.name}. Try again when it is back.",
        )
        return redirect(next_url)
    if remember:
        region_choose(user=request.user, region=target)
    start = mesh.login_url(client=target, provider=request.region)
    return HttpResponseRedirect(add_query_params(start, {"next": next_url, "process": "login"}))


@require_POST
@login_required
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    """End this session now and every other session of the user in every region."""
    user_sign_out_everywhere(user=request.user)
    logout(request)
    messages.success(request, "You are signed out of all regions.")
    return redirect("account_login")


@csrf_exempt
@login_not_required
def authorize(request: HttpRequest) -> HttpResponse:
    """allauth's authorization endpoint, with two rules for sibling regions first.

    Client registrations are brought in step with the registry. A sibling region is never
    shown a sign-in or consent page here: a user not signed in goes back to it with
    `login_required` (OpenID Connect's prompt=none), and signs in there.
    """
    sso_clients_sync()
    client_id = request.GET.get("client_id", "")
    redirect_uri = request.GET.get("redirect_uri", "")
    client = None
    if client_id.startswith("region-"):
        client = Client.objects.filter(pk=client_id).first()
    if client is not None and redirect_uri not in client.get_redirect_uris():
        # A region's redirect URI is exactly the registered one. allauth alone would also
        # take any port of a loopback address and extra query parameters (RFC 8252's rules
        # for native apps), and send the code there.
        response = respond_html_error(request, error=oauth2_errors.MismatchingRedirectURIError())
        response.status_code = 400
        return response
    if client is not None and not request.user.is_authenticated:
        params = {"error": "login_required"}
        if request.GET.get("state"):
            params["state"] = request.GET["state"]
        return HttpResponseRedirect(add_query_params(redirect_uri, params))
    return idp_views.authorization(request)


def _with_region(
    view_class: type[OAuth2View], request: HttpRequest, provider_id: str
) -> HttpResponse:
    """allauth's VIEW_CLASS (login or callback) with the region PROVIDER_ID names."""
    try:
        return view_class.adapter_view(RegionOAuth2Adapter(request, provider_id))(request)
    except SocialApp.DoesNotExist as error:
        raise Http404("No such region is registered.") from error


@require_GET
@login_not_required
def region_login(request: HttpRequest, provider_id: str) -> HttpResponse:
    return _with_region(OAuth2LoginView, request, provider_id)


@require_GET
@login_not_required
def region_callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    return _with_region(OAuth2CallbackView, request, provider_id)
