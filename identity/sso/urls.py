"""The `region` provider's routes; allauth mounts them under /accounts/."""

from django.urls import path

from identity.sso import views

urlpatterns = [
    path("sso/<str:provider_id>/login/", views.region_login, name="region_login"),
    path("sso/<str:provider_id>/login/callback/", views.region_callback, name="region_callback"),
]
