"""Federation pages: peer health (renders while peers are down), join tokens, replication."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import TemplateView

from portal.permissions import Action, require
from regions.federation.replication.health import federation_health
from regions.federation.replication.join import join_token_create
from regions.federation.selectors import join_tokens_recent, overrides_filtered, peer_links
from regions.federation.services import peer_retry, replication_set
from regions.models import Federation


class FederationView(LoginRequiredMixin, TemplateView):
    template_name = "regions/federation.html"
    shown_in_every_region = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        require(self.request.user, Action.VIEW, Federation)
        return super().get_context_data(
            health=federation_health(),
            tokens=join_tokens_recent(),
            overrides=overrides_filtered()[:20],
            title="Federation",
            **kwargs,
        )


class PeerRetryView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        link = get_object_or_404(peer_links(), pk=pk)
        peer_retry(link=link, by=request.user)
        messages.success(
            request, f"Retrying region {link.region.name}: pull, poke and parked changes."
        )
        return redirect("regions:federation")


class ReplicationToggleView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        enabled = request.POST.get("enabled") == "1"
        replication_set(enabled=enabled, by=request.user)
        messages.success(
            request,
            "Replication is on."
            if enabled
            else "Replication is off: changes are only published as events.",
        )
        return redirect("regions:federation")


class JoinTokenCreateView(LoginRequiredMixin, View):
    """Shows the new token once, in this response only: it is stored hashed."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            row, token = join_token_create(by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("regions:federation")
        response = render(
            request, "regions/join_token.html", {"row": row, "token": token, "title": "Join token"}
        )
        response["Cache-Control"] = "no-store"
        return response
