from django.urls import path

from portal.generic.urls import object_routes
from zones import views

app_name = "zones"

urlpatterns = [
    # Alerts are raised by the system: listed, archived and deleted, never added or edited.
    path("alerts/", views.AlertListView.as_view(), name="alert_list"),
    path("alerts/<uuid:pk>/", views.AlertDetailView.as_view(), name="alert"),
    path("alerts/<uuid:pk>/delete/", views.AlertDeleteView.as_view(), name="alert_delete"),
    path("alerts/<uuid:pk>/<slug:action>/", views.AlertActionView.as_view(), name="alert_action"),
    *object_routes(
        "hosts",
        "host",
        views.HostListView,
        views.HostDetailView,
        views.HostEditView,
        views.HostDeleteView,
        views.HostActionView,
    ),
    *object_routes(
        "storage-pools",
        "storage_pool",
        views.StoragePoolListView,
        views.StoragePoolDetailView,
        views.StoragePoolEditView,
        views.StoragePoolDeleteView,
        views.StoragePoolActionView,
    ),
    *object_routes(
        "public-ip-ranges",
        "vlan_ip_range",
        views.VlanIpRangeListView,
        views.VlanIpRangeDetailView,
        views.VlanIpRangeEditView,
        views.VlanIpRangeDeleteView,
        editable=False,
    ),
    *object_routes(
        "clusters",
        "cluster",
        views.ClusterListView,
        views.ClusterDetailView,
        views.ClusterEditView,
        views.ClusterDeleteView,
    ),
    *object_routes(
        "pods",
        "pod",
        views.PodListView,
        views.PodDetailView,
        views.PodEditView,
        views.PodDeleteView,
    ),
    *object_routes(
        "",
        "zone",
        views.ZoneListView,
        views.ZoneDetailView,
        views.ZoneEditView,
        views.ZoneDeleteView,
    ),
]
