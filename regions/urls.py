from django.urls import path

from regions import views

app_name = "regions"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("setup/", views.SetupWizardView.as_view(), name="setup"),
    path("regions/", views.RegionListView.as_view(), name="region_list"),
    path("regions/add/", views.RegionEditView.as_view(), name="region_add"),
    path("regions/<int:pk>/", views.RegionDetailView.as_view(), name="region"),
    path("regions/<int:pk>/edit/", views.RegionEditView.as_view(), name="region_edit"),
    path("regions/<int:pk>/delete/", views.RegionDeleteView.as_view(), name="region_delete"),
]
