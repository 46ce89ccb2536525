from django.urls import path

from portal.generic.urls import object_routes
from regions import federation_views, views

app_name = "regions"

urlpatterns = [
    *object_routes(
        "regions",
        "region",
        views.RegionListView,
        views.RegionDetailView,
        views.RegionEditView,
        views.RegionDeleteView,
        pk="int",
    ),
    path("federation/", federation_views.FederationView.as_view(), name="federation"),
    path(
        "federation/peers/<int:pk>/retry/",
        federation_views.PeerRetryView.as_view(),
        name="peer_retry",
    ),
    path(
        "federation/replication/",
        federation_views.ReplicationToggleView.as_view(),
        name="replication_toggle",
    ),
    path(
        "federation/join-tokens/",
        federation_views.JoinTokenCreateView.as_view(),
        name="join_token_add",
    ),
]
