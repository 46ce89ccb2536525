from django.urls import path

from regions.configuration import views

app_name = "settings"

urlpatterns = [
    path("", views.SettingListView.as_view(), name="setting_list"),
    path("<uuid:pk>/", views.SettingDetailView.as_view(), name="setting"),
    path("<uuid:pk>/edit/", views.SettingEditView.as_view(), name="setting_edit"),
    path(
        "<uuid:pk>/zones/<uuid:zone>/edit/",
        views.ZoneSettingEditView.as_view(),
        name="zone_setting_edit",
    ),
    path(
        "<uuid:pk>/zones/<uuid:zone>/reset/",
        views.ZoneSettingResetView.as_view(),
        name="zone_setting_reset",
    ),
    path("<uuid:pk>/<slug:action>/", views.SettingActionView.as_view(), name="setting_action"),
]
