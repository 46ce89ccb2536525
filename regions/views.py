"""Region pages: the dashboard, the registry, and the first-run wizard."""

from __future__ import annotations

import copy
from typing import Any

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView
from formtools.wizard.views import SessionWizardView

from identity import backends
from identity.selectors import identity_counts
from portal.generic.columns import Column
from portal.generic.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    RelatedTable,
    add_service_errors,
)
from portal.permissions import Action
from portal.validation import passes
from regions import selectors, services
from regions.forms import (
    RegionForm,
    SetupAdminForm,
    SetupJoinForm,
    SetupModeForm,
    SetupRegionForm,
    SetupZoneForm,
)
from regions.models import Region
from regions.replication.join import region_join as join_region
from zones.selectors import zones_visible_to
from zones.views import ZONE_COLUMNS

REGION_COLUMNS = [
    Column("Id", "id"),
    Column("Name", "name", link=True),
    Column("Endpoint", "endpoint"),
    Column("Zones", "zone_count"),
    Column("This region", "is_local"),
]


class DashboardView(LoginRequiredMixin, TemplateView):
    """The region at a glance: its zones and the identity it serves."""

    template_name = "regions/dashboard.html"
    shown_in_every_region = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        region = self.request.region
        return super().get_context_data(
            region=region,
            zones=zones_visible_to(actor=self.request.user, region_id=region.pk),
            zone_columns=ZONE_COLUMNS,
            counts=identity_counts(actor=self.request.user),
            region_count=Region.objects.count(),
            **kwargs,
        )


class RegionListView(ObjectListView):
    model, selector = Region, selectors.regions_visible_to
    columns = REGION_COLUMNS
    search_fields = ("name", "description", "endpoint")
    add_url_name = "regions:region_add"


class RegionDetailView(ObjectDetailView):
    model, selector = Region, selectors.regions_visible_to
    url_prefix = "regions:region"
    fields = [
        *REGION_COLUMNS,
        Column("Description", "description"),
        Column("UUID", "uuid"),
        Column("GSLB service", "gslb_service_enabled"),
        Column("Portable IP service", "portable_ip_service_enabled"),
    ]

    def related(self, obj: Region) -> list[RelatedTable]:
        zones = zones_visible_to(actor=self.request.user, region_id=obj.pk)
        return [RelatedTable("Zones", ZONE_COLUMNS, zones)]

    def allows(self, obj: Region, action: str) -> bool:
        return action != Action.DELETE or passes(services.region_delete_check, region=obj)


class RegionEditView(ObjectEditView):
    model, selector, form_class = Region, selectors.regions_visible_to, RegionForm

    def save(self, form: RegionForm) -> Region:
        if self.is_create:
            return services.region_create(**form.changed(), by=self.request.user)
        return services.region_update(
            region=self.get_object(), **form.changed(), by=self.request.user
        )


class RegionDeleteView(ObjectDeleteView):
    model, selector = Region, selectors.regions_visible_to
    success_url_name = "regions:region_list"

    def delete(self, obj: Region, form: Any) -> None:
        services.region_delete(region=obj, by=self.request.user)


def _mode_is(mode: str):
    def condition(wizard: SessionWizardView) -> bool:
        data = wizard.get_cleaned_data_for_step("mode") or {}
        return data.get("mode", SetupModeForm.FIRST) == mode

    return condition


class SetupWizardView(SessionWizardView):
    """First run: a new cloud (this region, its root admin, optionally the first zone), or
    a new region joining an existing cloud with a one-time token."""

    form_list = [
        ("mode", SetupModeForm),
        ("region", SetupRegionForm),
        ("admin", SetupAdminForm),
        ("zone", SetupZoneForm),
        ("join", SetupJoinForm),
    ]
    condition_dict = {
        "region": _mode_is(SetupModeForm.FIRST),
        "admin": _mode_is(SetupModeForm.FIRST),
        "zone": _mode_is(SetupModeForm.FIRST),
        "join": _mode_is(SetupModeForm.JOIN),
    }
    template_name = "regions/setup.html"
    step_titles = {
        "mode": "New cloud or join",
        "region": "This region",
        "admin": "Root administrator",
        "zone": "First zone (optional)",
        "join": "Join an existing region",
    }

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.region is not None:
            return redirect("regions:dashboard")
        return super().dispatch(request, *args, **kwargs)

    def get_form_initial(self, step: str) -> dict[str, Any]:
        if step in ("region", "join"):
            return {"id": 1, "endpoint": settings.PORTAL_PUBLIC_URL}
        return super().get_form_initial(step)

    def get_context_data(self, form: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(form=form, **kwargs)
        context["step_title"] = self.step_titles[self.steps.current]
        context["step_titles"] = [self.step_titles[step] for step in self.steps.all]
        return context

    def render_done(self, form: Any, **kwargs: Any) -> HttpResponse:
        """formtools forgets every step after done(); keep them when the service refused."""
        kept = copy.deepcopy(self.storage.data)
        self.refused_step = None
        response = super().render_done(form, **kwargs)
        if self.refused_step is not None:
            self.storage.data = kept
            self.storage.current_step = self.refused_step
        return response

    def done(self, form_list: Any, form_dict: dict[str, Any], **kwargs: Any) -> HttpResponse:
        if "join" in form_dict:
            return self.join(form_dict)
        admin = dict(form_dict["admin"].cleaned_data)
        admin.pop("password_again")
        zone = form_dict["zone"].changed()
        try:
            result = services.region_setup(
                region=form_dict["region"].changed(),
                admin=admin,
                zone=zone if zone.get("name") else None,
            )
        except ValidationError as error:
            return self.render_service_error(form_dict, error)
        login(self.request, result.admin, backend=backends.PATH)
        return redirect("regions:dashboard")

    def join(self, form_dict: dict[str, Any]) -> HttpResponse:
        """Join, then show what was done; the user signs in with their cloud-wide account."""
        try:
            result = join_region(**form_dict["join"].changed())
        except ValidationError as error:
            return self.render_service_error(form_dict, error)
        return render(
            self.request, "regions/joined.html", {"result": result, "title": "Joined the cloud"}
        )

    def render_service_error(
        self, form_dict: dict[str, Any], error: ValidationError
    ) -> HttpResponse:
        """Show a refusal from the service on the step whose field it names."""
        fields = set(getattr(error, "error_dict", {}))
        fallback = "join" if "join" in form_dict else "region"
        step = next((s for s, f in form_dict.items() if fields & set(f.fields)), fallback)
        form = form_dict[step]
        add_service_errors(form, error)
        self.storage.current_step = self.refused_step = step
        return self.render(form)


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and `make cloud`: 200 when the database answers, 503 when not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    region = selectors.region_local()
    return JsonResponse(
        {
            "status": "ok",
            "database": "up",
            "setup": region is not None,
            "region": {"id": region.pk, "name": region.name} if region else None,
        }
    )
