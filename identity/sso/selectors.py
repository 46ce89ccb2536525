"""Reads for single sign-on: the switcher's list, the remembered region, the page a switch
lands on."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from identity.models import User
from identity.sso.models import RegionChoice
from portal.declarations import Scope, declaration
from regions.federation.replication.health import link_reachable
from regions.models import PeerLink, Region


@dataclass(frozen=True)
class SwitcherEntry:
    region: Region
    is_local: bool
    #: None while this region has never heard from the peer
    reachable: bool | None


def switcher_entries() -> list[SwitcherEntry]:
    """Every region, with reachability as this region's own tables know it (no waiting)."""
    links = {link.region_id: link for link in PeerLink.objects.all()}
    now = timezone.now()
    entries = []
    for region in Region.objects.order_by("id"):
        link = links.get(region.pk)
        if region.is_local:
            reachable: bool | None = True
        elif link is None or (link.last_contact is None and link.last_error_at is None):
            reachable = None
        else:
            reachable = link_reachable(link, now=now)
        entries.append(SwitcherEntry(region=region, is_local=region.is_local, reachable=reachable))
    return entries


def remembered_region(*, user: User) -> Region | None:
    """The region USER last chose in the switcher, when it is another registered one."""
    choice = (
        RegionChoice.objects.filter(user=user, region__is_local=False)
        .select_related("region")
        .first()
    )
    return choice.region if choice else None


def equivalent_path(path: str | None) -> str:
    """The page of the target region that matches PATH here; the dashboard when none does.

    Only a path of this portal is ever returned: never a host, a scheme or `//`.
    """
    dashboard = reverse("regions:dashboard")
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return dashboard
    if not url_has_allowed_host_and_scheme(path, allowed_hosts=set()):
        return dashboard
    parts = urlsplit(path)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return dashboard
    view = getattr(match.func, "view_class", None)
    model = getattr(view, "model", None)
    found = declaration(model) if model is not None else None
    if getattr(view, "shown_in_every_region", False) and (
        found is None or found.scope == Scope.CLOUD
    ):
        # the same page there: a list, or a cloud-wide row (same key in every region)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    if found is not None and found.scope != Scope.CLOUD and found.menu is not None:
        return reverse(found.menu.url_name)  # a region's or a zone's rows: their list there
    return dashboard
