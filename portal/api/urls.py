"""/api/: the REST API of this region portal, its schema and interactive docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from identity.api.token import TokenView
from identity.api.views import AccountViewSet, DomainViewSet, ProjectViewSet, UserViewSet
from regions.api.views import RegionViewSet
from regions.configuration.api import SettingViewSet
from regions.federation import api as federation
from regions.federation.change_log.api import ChangeListView
from zones.api.views import (
    AlertViewSet,
    CapacityView,
    ClusterViewSet,
    HostViewSet,
    PodViewSet,
    PublicIpAddressViewSet,
    StoragePoolViewSet,
    VlanIpRangeViewSet,
    ZoneViewSet,
)

router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("settings", SettingViewSet, basename="setting")
router.register("zones", ZoneViewSet, basename="zone")
router.register("pods", PodViewSet, basename="pod")
router.register("clusters", ClusterViewSet, basename="cluster")
router.register("alerts", AlertViewSet, basename="alert")
router.register("hosts", HostViewSet, basename="host")
router.register("storage-pools", StoragePoolViewSet, basename="storagepool")
router.register("vlan-ip-ranges", VlanIpRangeViewSet, basename="vlan-ip-range")
router.register("public-ip-addresses", PublicIpAddressViewSet, basename="public-ip-address")
router.register("domains", DomainViewSet, basename="domain")
router.register("accounts", AccountViewSet, basename="account")
router.register("users", UserViewSet, basename="user")
router.register("projects", ProjectViewSet, basename="project")

urlpatterns = [
    path("peer/", include("regions.federation.peer.urls")),
    path("federation/", federation.FederationView.as_view(), name="api-federation"),
    path(
        "federation/peers/<int:pk>/retry/",
        federation.PeerRetryView.as_view(),
        name="api-federation-retry",
    ),
    path(
        "federation/replication/",
        federation.ReplicationView.as_view(),
        name="api-federation-replication",
    ),
    path(
        "federation/overrides/",
        federation.OverrideListView.as_view(),
        name="api-federation-overrides",
    ),
    path("federation/join-tokens/", federation.JoinTokenView.as_view(), name="api-join-tokens"),
    path("events/", federation.EventFeedView.as_view(), name="api-events"),
    path("changes/", ChangeListView.as_view(), name="api-changes"),
    path("capacity/", CapacityView.as_view(), name="api-capacity"),
    path("", include(router.urls)),
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
