"""allauth glue: accounts are made by admins (or replicated), never by self sign-up."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.http import HttpRequest
from django.urls import reverse

from identity import sign_in_limits
from identity.sso.selectors import remembered_region


class PortalAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        """A check the throttle refused says so (and when to try again), not "wrong password"."""
        refused = sign_in_limits.refusal()
        if refused is not None:
            raise forms.ValidationError(sign_in_limits.message(refused), code="throttled")

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """After a sign-in with no page asked for: the region the user last chose.

        The switch goes through the local switcher view, which checks that the region still
        answers (and stays here with a message when it does not).
        """
        region = remembered_region(user=request.user) if request.user.is_authenticated else None
        if region is not None:
            return reverse("sso:remembered")
        return super().get_login_redirect_url(request)
