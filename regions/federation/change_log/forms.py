"""The change list's filters, as the page's form, the REST list and the peer endpoint read
them. A value that names nothing (an unknown type, region or user) lists nothing; only a
value that is not of the filter's kind at all (an action of no kind, a time that is no
time) is an error."""

from __future__ import annotations

from typing import Any

from django import forms

from portal.models import ChangeAction
from regions.federation.change_log.selectors import ChangeFilters, logged_models
from regions.models import Region


class ChangeFilterForm(forms.Form):
    user = forms.CharField(required=False, help_text="A username or a user id.")
    model = forms.CharField(required=False, label="Object type", widget=forms.Select)
    object_id = forms.CharField(required=False, widget=forms.HiddenInput)
    action = forms.ChoiceField(required=False, choices=[("", "Any action"), *ChangeAction.choices])
    region = forms.IntegerField(required=False, widget=forms.Select)
    since = forms.DateTimeField(required=False, help_text="From this time (UTC) on.")
    until = forms.DateTimeField(required=False, help_text="Before this time (UTC).")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["model"].widget.choices = [("", "Any type"), *logged_models()]
        self.fields["region"].widget.choices = [
            ("", "Every region"),
            *((r.pk, r.name) for r in Region.objects.order_by("pk")),
        ]
        for field in self.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = (
                "form-select form-select-sm" if select else "form-control form-control-sm"
            )

    def filters(self) -> ChangeFilters:
        """The filters of a valid form."""
        data = self.cleaned_data
        return ChangeFilters(
            user=data.get("user", "").strip(),
            model=data.get("model", ""),
            object_id=data.get("object_id", "").strip(),
            action=data.get("action", ""),
            since=data.get("since"),
            until=data.get("until"),
            region=data.get("region"),
        )
