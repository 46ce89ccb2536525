"""The federation's pages, served in the `regions` URL namespace (regions:federation ...)."""

from django.urls import path

from regions.federation import views

urlpatterns = [
    path("federation/", views.FederationView.as_view(), name="federation"),
    path("federation/peers/<int:pk>/retry/", views.PeerRetryView.as_view(), name="peer_retry"),
    path(
        "federation/replication/",
        views.ReplicationToggleView.as_view(),
        name="replication_toggle",
    ),
    path("federation/join-tokens/", views.JoinTokenCreateView.as_view(), name="join_token_add"),
]
