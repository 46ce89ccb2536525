"""The base of portal forms: they know who is acting and, when editing, the instance."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Model


class ActorForm(forms.Form):
    """Fields that only make sense on create are listed in `create_only` and dropped on edit."""

    create_only: tuple[str, ...] = ()

    def __init__(
        self, *args: Any, actor: Any, instance: Model | None = None, **kwargs: Any
    ) -> None:
        self.actor = actor
        self.instance = instance
        if instance is not None:
            initial = kwargs.setdefault("initial", {})
            for name in self.base_fields:
                if name not in initial and hasattr(instance, name):
                    initial[name] = getattr(instance, name)
        super().__init__(*args, **kwargs)
        if instance is not None:
            for name in self.create_only:
                self.fields.pop(name, None)
        for field in self.fields.values():
            widget = field.widget
            css = (
                "form-check-input"
                if isinstance(widget, forms.CheckboxInput)
                else ("form-select" if isinstance(widget, forms.Select) else "form-control")
            )
            widget.attrs.setdefault("class", css)

    def changed(self) -> dict[str, Any]:
        """Cleaned values of the fields that are on the form (all of them, for services)."""
        return {name: self.cleaned_data[name] for name in self.fields}
