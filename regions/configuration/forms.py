"""The one form of the settings pages: a value, shaped by the setting's type.

Types and limits are checked by the service (`value_clean`), so the page, the API and any
later entry point refuse the same values with the same message.
"""

from __future__ import annotations

from typing import Any

from django import forms

from portal.forms import ActorForm
from regions.models.configuration import Setting, SettingType


class SettingValueForm(ActorForm):
    value = forms.CharField(required=False, max_length=4096, strip=False)

    def __init__(self, *args: Any, setting: Setting, current: str, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})["value"] = current
        super().__init__(*args, **kwargs)
        field = self.fields["value"]
        if setting.type == SettingType.BOOLEAN:
            choices = [("true", "true"), ("false", "false")]
        elif setting.type == SettingType.CHOICE:
            choices = [(c, c) for c in setting.choices]
        else:
            choices = None
        if choices is not None:
            field = self.fields["value"] = forms.ChoiceField(
                choices=choices, widget=forms.Select(attrs={"class": "form-select"})
            )
        field.label = setting.name
        field.help_text = _help_text(setting)


def _help_text(setting: Setting) -> str:
    parts = [setting.description, f"Type: {setting.get_type_display().lower()}."]
    if setting.min_value is not None or setting.max_value is not None:
        low = "" if setting.min_value is None else f"{setting.min_value:g}"
        high = "" if setting.max_value is None else f"{setting.max_value:g}"
        parts.append(f"Range: {low} to {high}.")
    parts.append(f"Default: {setting.default or '(empty)'}.")
    return " ".join(parts)
