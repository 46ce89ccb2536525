"""The dashboard and the first-run wizard."""

from __future__ import annotations

import copy
from typing import Any

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.generic import TemplateView
from formtools.wizard.views import SessionWizardView

from console import services
from console.charts import capacity_chart
from console.dashboard import region_overview
from console.forms import (
    SetupAdminForm,
    SetupJoinForm,
    SetupModeForm,
    SetupRegionForm,
    SetupZoneForm,
)
from identity import backends
from identity.selectors import identity_counts
from portal.generic.views import add_service_errors
from portal.models import ObjectChange
from portal.permissions import Action, may
from regions.federation.change_log.display import rows_shown
from regions.federation.change_log.selectors import recent_local_changes
from regions.federation.replication.join import region_join as join_region
from regions.models import Region
from zones.models import Capacity
from zones.selectors import zones_visible_to
from zones.views import ZONE_COLUMNS


class DashboardView(LoginRequiredMixin, TemplateView):
    """The region at a glance: its zones and the identity it serves; for root admins its
    infrastructure, capacity and newest alerts too (console/dashboard.py)."""

    template_name = "console/dashboard.html"
    shown_in_every_region = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        region = self.request.region
        user = self.request.user
        reads_log = may(user, Action.VIEW, ObjectChange)
        overview = chart = None
        if may(user, Action.VIEW, Capacity):  # infrastructure: root admins
            sort = self.request.GET.get("sort", "name")
            overview = region_overview(actor=user, region_id=region.pk, sort=sort)
            chart = capacity_chart([card.region for card in overview.cards])
        return super().get_context_data(
            region=region,
            overview=overview,
            chart=chart,
            changes=rows_shown(recent_local_changes(region_id=region.pk)) if reads_log else None,
            zones=zones_visible_to(actor=self.request.user, region_id=region.pk),
            zone_columns=ZONE_COLUMNS,
            counts=identity_counts(actor=self.request.user),
            region_count=Region.objects.count(),
            **kwargs,
        )


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
    template_name = "console/setup.html"
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
        datacenter = zone.pop("datacenter", None)
        try:
            result = services.region_setup(
                region=form_dict["region"].changed(),
                admin=admin,
                zone=zone if zone.get("name") else None,
                datacenter=datacenter,
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
            self.request, "console/joined.html", {"result": result, "title": "Joined the cloud"}
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
