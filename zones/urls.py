from django.urls import path

from zones import views

app_name = "zones"

urlpatterns = [
    path("", views.ZoneListView.as_view(), name="zone_list"),
    path("add/", views.ZoneEditView.as_view(), name="zone_add"),
    path("<uuid:pk>/", views.ZoneDetailView.as_view(), name="zone"),
    path("<uuid:pk>/edit/", views.ZoneEditView.as_view(), name="zone_edit"),
    path("<uuid:pk>/delete/", views.ZoneDeleteView.as_view(), name="zone_delete"),
]
