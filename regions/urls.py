from django.urls import path

from regions import federation_views, views

app_name = "regions"

urlpatterns = [
    path("regions/", views.RegionListView.as_view(), name="region_list"),
    path("regions/add/", views.RegionEditView.as_view(), name="region_add"),
    path("regions/<int:pk>/", views.RegionDetailView.as_view(), name="region"),
    path("regions/<int:pk>/edit/", views.RegionEditView.as_view(), name="region_edit"),
    path("regions/<int:pk>/delete/", views.RegionDeleteView.as_view(), name="region_delete"),
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
