"""Portal forms of the identity pages; the rules themselves live in identity.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q

from identity import selectors
from identity.models import Account, AccountType, ProjectRole
from identity.permissions import is_root_admin
from portal.forms import ActorForm
from regions.configuration.selectors import setting_value


def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in selectors.timezone_names()]


class DomainForm(ActorForm):
    create_only = ("parent",)
    parent = forms.ModelChoiceField(queryset=None, help_text="The new domain goes below this one.")
    name = forms.CharField(max_length=64)
    network_domain = forms.CharField(max_length=255, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "parent" in self.fields:
            self.fields["parent"].queryset = selectors.domains_visible_to(actor=self.actor)


class DomainDeleteForm(forms.Form):
    cleanup = forms.BooleanField(
        required=False,
        label="Also delete every subdomain, account, user and project in this domain",
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


#: account.default.type -> the type a new account form offers first
DEFAULT_TYPES = {"user": AccountType.USER, "domain-admin": AccountType.DOMAIN_ADMIN}


class AccountForm(ActorForm):
    create_only = ("domain", "type")
    domain = forms.ModelChoiceField(queryset=None)
    name = forms.CharField(max_length=100)
    type = forms.TypedChoiceField(choices=AccountType.choices, coerce=int, initial=AccountType.USER)
    network_domain = forms.CharField(max_length=255, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "domain" in self.fields:
            self.fields["domain"].queryset = selectors.domains_visible_to(actor=self.actor)
            self.fields["domain"].initial = (
                self.fields["domain"]
                .queryset.filter(path=setting_value("account.default.domain"))
                .first()
            )
        if "type" in self.fields:
            if not is_root_admin(self.actor):
                self.fields["type"].choices = [
                    c for c in AccountType.choices if c[0] != AccountType.ROOT_ADMIN
                ]
            self.fields["type"].initial = DEFAULT_TYPES[setting_value("account.default.type")]


class PasswordPairForm(ActorForm):
    password = forms.CharField(widget=forms.PasswordInput, strip=False)
    password_again = forms.CharField(
        widget=forms.PasswordInput, strip=False, label="Password (again)"
    )

    #: ask for the current password when people change their own (not on the profile form)
    ask_current = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        own = self.instance is not None and getattr(self.actor, "pk", None) == self.instance.pk
        if self.ask_current and own:
            # Changing your own password: prove it is you, not just your open session.
            self.fields = {
                "current_password": forms.CharField(
                    widget=forms.PasswordInput(attrs={"class": "form-control"}),
                    strip=False,
                    label="Current password",
                ),
                **self.fields,
            }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", "The two passwords differ.")
        return data


class UserForm(PasswordPairForm):
    ask_current = False
    create_only = ("account", "password", "password_again")
    field_order = ["account", "username", "password", "password_again"]
    account = forms.ModelChoiceField(queryset=None)
    username = forms.CharField(max_length=150)
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(required=False)
    timezone = forms.ChoiceField(choices=timezone_choices, initial="UTC")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "account" in self.fields:
            self.fields["account"].queryset = selectors.accounts_visible_to(actor=self.actor)

    def changed(self) -> dict[str, Any]:
        data = super().changed()
        data.pop("password_again", None)
        return data


class ProjectForm(ActorForm):
    create_only = ("domain",)
    domain = forms.ModelChoiceField(queryset=None)
    name = forms.CharField(max_length=100)
    display_text = forms.CharField(max_length=255, required=False)
    owner = forms.ModelChoiceField(queryset=None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "domain" in self.fields:
            self.fields["domain"].queryset = selectors.domains_visible_to(actor=self.actor)
        owners = selectors.accounts_visible_to(actor=self.actor)
        if self.instance is not None:
            # A project admin may not see the owner's account; without it in the choices the
            # form refuses to save, or hands the project to the admin's own account.
            owners = Account.objects.filter(
                Q(pk__in=owners.values("pk")) | Q(pk=self.instance.owner_id)
            ).select_related("domain")
        self.fields["owner"].queryset = owners


class MembershipForm(ActorForm):
    account = forms.ModelChoiceField(queryset=None)
    role = forms.ChoiceField(choices=ProjectRole.choices, initial=ProjectRole.REGULAR)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = selectors.accounts_visible_to(actor=self.actor)
