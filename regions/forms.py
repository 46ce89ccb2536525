"""Region forms."""

from __future__ import annotations

from django import forms

from portal.forms import ActorForm
from regions.services import endpoint_normalize


def clean_url_field(form: forms.Form, field: str) -> str:
    """The service's endpoint rule, as a clean_<field> method must raise it: plain messages."""
    try:
        return endpoint_normalize(form.cleaned_data[field], field=field)
    except forms.ValidationError as error:
        raise forms.ValidationError(error.messages) from error


class RegionForm(ActorForm):
    create_only = ("id",)
    id = forms.IntegerField(
        min_value=1, label="Region id", help_text="Cloud-wide, as in CloudStack."
    )
    name = forms.CharField(max_length=255)
    description = forms.CharField(max_length=1024, required=False)
    endpoint = forms.CharField(
        max_length=255,
        help_text="Public URL of the region's portal, such as https://east.example.com.",
    )
