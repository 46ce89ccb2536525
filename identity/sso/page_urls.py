"""The portal's own single sign-on routes, mounted at /sso/."""

from django.urls import path

from identity.sso import views

app_name = "sso"

urlpatterns = [
    path("switch/<int:region_id>/", views.switch, name="switch"),
    path("remembered/", views.remembered, name="remembered"),
    path("sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
]
