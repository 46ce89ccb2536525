"""The steps of the first-run wizard."""

from __future__ import annotations

import json
from typing import Any

from django import forms

from identity.services.users import password_check
from portal.forms import ActorForm
from regions.forms import RegionForm, clean_url_field
from zones.forms import ZoneForm


class SetupRegionForm(RegionForm):
    """Wizard step 1: the region this portal serves."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, actor=None, **kwargs)

    def clean_endpoint(self) -> str:
        return clean_url_field(self, "endpoint")


class SetupAdminForm(ActorForm):
    """Wizard step 2: the first root admin of the cloud."""

    username = forms.CharField(max_length=150, initial="admin")
    email = forms.EmailField(required=False)
    password = forms.CharField(widget=forms.PasswordInput(render_value=False), strip=False)
    password_again = forms.CharField(
        widget=forms.PasswordInput, strip=False, label="Password (again)"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, actor=None, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        password = data.get("password")
        if password and password != data.get("password_again"):
            self.add_error("password_again", "The two passwords differ.")
        elif password:
            try:
                password_check(
                    password, username=data.get("username", ""), email=data.get("email", "")
                )
            except forms.ValidationError as error:
                self.add_error("password", error.error_dict.get("password", error))
        return data


class SetupZoneForm(ZoneForm):
    """Wizard step 3 (optional): the first zone, or a whole datacenter described as
    `manage.py deploy_datacenter` takes it (zones, pods, clusters, hosts, storage, ranges).
    An empty name and description skip it."""

    datacenter = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Or a whole datacenter (JSON)",
        help_text="The description manage.py deploy_datacenter takes: zones with their pods, "
        "clusters, hosts, primary storage and IP ranges (see docs/hosts.md).",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, actor=None, **kwargs)
        for name in ("name", "dns1", "internal_dns1"):
            self.fields[name].required = False

    def clean_datacenter(self) -> Any:
        text = self.cleaned_data.get("datacenter", "").strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(f"This is not JSON: {error}.") from error

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("name"):
            for name in ("dns1", "internal_dns1"):
                if not data.get(name):
                    self.add_error(name, "Required when creating a zone.")
        return data


class SetupModeForm(forms.Form):
    """Wizard step 0: a new cloud, or a new region of an existing one."""

    FIRST, JOIN = "first", "join"
    mode = forms.ChoiceField(
        choices=[
            (FIRST, "This is the first region of a new cloud"),
            (JOIN, "Join an existing region's cloud (needs a join token from its admin)"),
        ],
        initial=FIRST,
        widget=forms.RadioSelect,
        label="How does this portal start?",
    )


class SetupJoinForm(ActorForm):
    """Wizard join step: where the cloud is, the one-time token, and who this region is."""

    peer = forms.CharField(
        max_length=255,
        label="Existing region's endpoint",
        help_text="The public URL of any region of the cloud, such as https://east.example.com.",
    )
    token = forms.CharField(
        max_length=255,
        widget=forms.PasswordInput(render_value=True),
        help_text="Made by an admin of that region on its Federation page; works once.",
    )
    name = forms.CharField(max_length=255, label="Name of this region")
    description = forms.CharField(max_length=1024, required=False)
    endpoint = forms.CharField(max_length=255, help_text="The public URL of this portal.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, actor=None, **kwargs)

    def clean_peer(self) -> str:
        return clean_url_field(self, "peer")

    def clean_endpoint(self) -> str:
        return clean_url_field(self, "endpoint")
