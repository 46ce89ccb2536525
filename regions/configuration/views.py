"""Settings pages: the list (by category, filterable, effective values), edit, reset, zones.

Admins see the settings; only a root admin gets edit and reset (identity.permissions).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views import View

from portal.generic.columns import Column
from portal.generic.views import (
    ObjectActionView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    RelatedTable,
    StateAction,
)
from portal.permissions import Action, require
from regions.configuration import selectors, services
from regions.configuration.forms import SettingValueForm
from regions.models.configuration import Setting, SettingScope

SETTING_COLUMNS = [
    Column("Name", "name", link=True),
    Column("Scope", "scope", badge=True),
    Column("Value", "effective"),
    Column("From", "source"),
    Column("Description", "description"),
]


def _local_zones(request: HttpRequest) -> QuerySet[Any]:
    region = getattr(request, "region", None)
    return selectors.local_zones(actor=request.user, region_id=region.pk if region else None)


@dataclass
class SettingRow:
    """A listed setting; with a zone chosen, zone-scoped rows link to that zone's value."""

    setting: Setting
    zone: Any = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.setting, name)

    def get_absolute_url(self) -> str:
        if self.zone is not None and self.setting.scope == SettingScope.ZONE:
            return reverse("settings:zone_setting_edit", args=[self.setting.pk, self.zone.pk])
        return self.setting.get_absolute_url()


class SettingListView(ObjectListView):
    model, selector = Setting, selectors.settings_visible_to
    template_name = "regions/setting_list.html"
    columns = SETTING_COLUMNS
    paginate_by = None

    def zone(self) -> Any:
        if not hasattr(self, "_zone"):
            zone_id = self.request.GET.get("zone", "")
            try:
                self._zone = _local_zones(self.request).get(pk=zone_id) if zone_id else None
            except (ObjectDoesNotExist, ValueError, ValidationError):
                self._zone = None
        return self._zone

    def get_queryset(self) -> QuerySet[Setting]:
        params = self.request.GET
        scope = params.get("scope", "")
        zone = self.zone()
        return selectors.settings_filtered(
            actor=self.request.user,
            filters={
                key: value
                for key, value in (
                    ("category", params.get("category", "")),
                    ("scope", scope if scope in SettingScope.values else ""),
                )
                if value
            },
            search=params.get("q", ""),
            zone=zone,
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        zone = self.zone()
        rows = [SettingRow(setting, zone) for setting in context["object_list"]]
        context.update(
            title="Settings" if zone is None else f"Settings in zone {zone}",
            rows=rows,
            categories=selectors.setting_categories(),
            scopes=SettingScope.choices,
            zones=_local_zones(self.request),
            chosen={key: self.request.GET.get(key, "") for key in ("category", "scope", "zone")},
        )
        return context


class SettingDetailView(ObjectDetailView):
    model, selector = Setting, selectors.settings_visible_to
    url_prefix = "settings:setting"
    fields = [
        Column("Name", "name"),
        Column("Category", "category"),
        Column("Scope", "scope", badge=True),
        Column("Type", "type"),
        Column("Description", "description"),
        Column("Default", "default"),
        Column("Value", "value"),
        Column("Allowed values", "allowed"),
        Column("Replicated to every region", "replicated"),
    ]
    state_actions = [
        StateAction(
            "Reset to default", "reset", "outline-danger", shown=lambda s: s.value is not None
        )
    ]

    def can(self, action: Action, obj: Any = None) -> bool:
        # Settings are never deleted: they come and go with their definitions.
        return action != Action.DELETE and super().can(action, obj)

    def get_object(self) -> Setting:
        setting = super().get_object()
        setting.allowed = _allowed(setting)
        setting.replicated = setting.scope == SettingScope.GLOBAL
        return setting

    def related(self, obj: Setting) -> list[RelatedTable]:
        if obj.scope != SettingScope.ZONE:
            return []
        overrides = {z.zone_id: z.value for z in selectors.zone_settings(setting=obj)}
        rows = [
            ZoneValueRow(
                setting=obj,
                zone=zone,
                own=overrides.get(zone.pk),
                effective=overrides.get(
                    zone.pk, obj.value if obj.value is not None else obj.default
                ),
            )
            for zone in _local_zones(self.request)
        ]
        columns = [
            Column("Zone", "zone_name", link=True),
            Column("Zone's own value", "own"),
            Column("Effective value", "effective"),
        ]
        return [RelatedTable("Values per zone", columns, rows)]


def _allowed(setting: Setting) -> str:
    if setting.choices:
        return ", ".join(setting.choices)
    if setting.min_value is not None or setting.max_value is not None:
        low = "" if setting.min_value is None else f"{setting.min_value:g}"
        high = "" if setting.max_value is None else f"{setting.max_value:g}"
        return f"{low} to {high}"
    return ""


@dataclass
class ZoneValueRow:
    setting: Setting
    zone: Any
    own: str | None
    effective: str

    @property
    def zone_name(self) -> str:
        return self.zone.name

    def get_absolute_url(self) -> str:
        return reverse("settings:zone_setting_edit", args=[self.setting.pk, self.zone.pk])


class SettingEditView(ObjectEditView):
    model, selector, form_class = Setting, selectors.settings_visible_to, SettingValueForm

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        setting = self.get_object()
        current = setting.value if setting.value is not None else setting.default
        return {**kwargs, "setting": setting, "current": current}

    def save(self, form: SettingValueForm) -> Setting:
        return services.setting_update(
            name=self.get_object().name, value=form.cleaned_data["value"], by=self.request.user
        )


def _reset(*, setting: Setting, by: Any) -> Setting:
    return services.setting_reset(name=setting.name, by=by)


class SettingActionView(ObjectActionView):
    model, selector = Setting, selectors.settings_visible_to
    services = {"reset": (_reset, "reset to its default")}
    instance_kwarg = "setting"


class ZoneMixin:
    """The zone in the URL, among this region's zones the actor may see (404 otherwise)."""

    def get_zone(self) -> Any:
        try:
            return _local_zones(self.request).get(pk=self.kwargs["zone"])
        except (ObjectDoesNotExist, ValueError, ValidationError) as error:
            raise Http404("No such zone.") from error


class ZoneSettingEditView(ZoneMixin, SettingEditView):
    """A zone's own value of a zone-scoped setting."""

    template_name = "regions/zone_setting_form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and self.get_object().scope != SettingScope.ZONE:
            raise Http404("Only zone-scoped settings have values per zone.")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        text, _ = selectors.setting_text(self.get_object().name, zone=self.get_zone())
        return {**kwargs, "current": text}

    def save(self, form: SettingValueForm) -> Setting:
        return services.setting_update(
            name=self.get_object().name,
            value=form.cleaned_data["value"],
            zone=self.get_zone(),
            by=self.request.user,
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        setting, zone = self.get_object(), self.get_zone()
        context = super().get_context_data(**kwargs)
        _, source = selectors.setting_text(setting.name, zone=zone)
        context.update(
            title=f"Setting {setting} in zone {zone}",
            zone=zone,
            has_override=source == selectors.Source.ZONE,
            reset_url=reverse("settings:zone_setting_reset", args=[setting.pk, zone.pk]),
        )
        return context

    def form_valid(self, form: SettingValueForm) -> HttpResponse:
        response = super().form_valid(form)
        if response.status_code == 302:
            messages.info(self.request, f"The value applies to zone {self.get_zone()} only.")
        return response


class ZoneSettingResetView(ZoneMixin, LoginRequiredMixin, View):
    """Drops a zone's own value: the zone falls back to the region's value."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: Any, zone: Any) -> HttpResponse:
        try:
            setting = selectors.settings_visible_to(actor=request.user).get(pk=pk)
        except (ObjectDoesNotExist, ValueError, ValidationError) as error:
            raise Http404("No such setting.") from error
        require(request.user, Action.CHANGE, setting)
        the_zone = self.get_zone()
        try:
            services.setting_reset(name=setting.name, zone=the_zone, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"Zone {the_zone} uses the region's {setting} again.")
        return HttpResponseRedirect(setting.get_absolute_url())
