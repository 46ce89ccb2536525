from django.urls import path

from regions.federation.change_log import views

app_name = "changes"

urlpatterns = [
    path("", views.ChangeListView.as_view(), name="change_list"),
    path("<str:model>/<str:object_id>/", views.ObjectChangesView.as_view(), name="object"),
]
