"""The change list's filters, as the page's form and the peer endpoint's query read them."""

from __future__ import annotations

from typing import Any

from django import forms

from portal.models import ChangeAction
from regions.change_log.selectors import ChangeFilters, logged_models
from regions.models import Region


class ChangeFilterForm(forms.Form):
    user = forms.CharField(required=False, max_length=150, help_text="A username or a user id.")
    model = forms.ChoiceField(required=False, label="Object type")
    object_id = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    action = forms.ChoiceField(required=False, choices=[("", "Any action"), *ChangeAction.choices])
    region = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    since = forms.DateTimeField(required=False, help_text="From this time (UTC) on.")
    until = forms.DateTimeField(required=False, help_text="Before this time (UTC).")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", "Any type"), *logged_models()]
        self.fields["region"].choices = [
            ("", "Every region"),
            *((r.pk, r.name) for r in Region.objects.order_by("pk")),
        ]
        for field in self.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = (
                "form-select form-select-sm" if select else ("form-control form-control-sm")
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since >= until:
            self.add_error("until", "Choose a time after the start.")
        return data

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
