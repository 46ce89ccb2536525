from portal.generic.urls import object_routes
from zones import views

app_name = "zones"

urlpatterns = [
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
