from portal.generic.urls import object_routes
from regions import views

app_name = "regions"

urlpatterns = [
    *object_routes(
        "regions",
        "region",
        views.RegionListView,
        views.RegionDetailView,
        views.RegionEditView,
        views.RegionDeleteView,
        pk="int",
    ),
]
