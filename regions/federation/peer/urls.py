from django.urls import path

from regions.federation.change_log.peer import change_log
from regions.federation.peer import views

app_name = "peer"

urlpatterns = [
    path("poke/", views.poke, name="poke"),
    path("changes/", views.changes, name="changes"),
    path("stream/", views.stream, name="stream"),
    path("ack/", views.ack, name="ack"),
    path("snapshot/", views.snapshot, name="snapshot"),
    path("change-log/", change_log, name="change_log"),
    path("join/", views.join_request, name="join"),
    path("region-ids/reserve/", views.region_id_reserve, name="region_id_reserve"),
    path("region-ids/release/", views.region_id_release, name="region_id_release"),
]
