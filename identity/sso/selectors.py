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
from regions.models import PeerLink, Region
from regions.replication.health import link_reachable

#: pages that exist with the same path in every region: lists, and cloud-wide objects
#: (replicated rows keep their UUID everywhere)
SAME_PAGE = frozenset(
    {
        "regions:dashboard",
        "regions:region_list",
        "regions:region",
        "regions:federation",
        "zones:zone_list",
        "identity:domain_list",
        "identity:domain",
        "identity:account_list",
        "identity:account",
        "identity:user_list",
        "identity:user",
        "identity:project_list",
        "identity:project",
        "settings:setting_list",
        "settings:setting",
    }
)
#: zones belong to one region: their pages lead to the target's zone list
ZONE_PAGES = frozenset({"zones:zone", "zones:zone_edit", "zones:zone_add", "zones:zone_delete"})


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
    name = f"{match.namespace}:{match.url_name}" if match.namespace else str(match.url_name)
    if name in SAME_PAGE:
        return parts.path + (f"?{parts.query}" if parts.query else "")
    if name in ZONE_PAGES:
        return reverse("zones:zone_list")
    return dashboard
