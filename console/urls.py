"""The console's pages; portal/urls.py serves them in the regions namespace
(regions:dashboard, regions:setup), where every link already points."""

from django.urls import path

from console import views

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("setup/", views.SetupWizardView.as_view(), name="setup"),
]
