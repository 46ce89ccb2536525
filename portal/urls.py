"""Every URL of a region portal."""

from allauth.urls import build_provider_urlpatterns
from django.contrib import admin
from django.urls import include, path

from console import urls as console_urls
from identity.sso import views as sso_views
from portal import views
from portal.cloudstack.views import client_api
from regions import urls as regions_urls
from regions import views as region_views
from regions.federation import urls as federation_urls

urlpatterns = [
    path("health/", region_views.health, name="health"),
    # the console's dashboard and wizard and the federation's pages share the regions
    # namespace (regions:dashboard, regions:federation)
    path(
        "",
        include(
            (
                console_urls.urlpatterns + regions_urls.urlpatterns + federation_urls.urlpatterns,
                "regions",
            )
        ),
    ),
    path("zones/", include("zones.urls")),
    path("identity/", include("identity.urls")),
    path("settings/", include("regions.configuration.urls")),
    path("changes/", include("regions.federation.change_log.urls")),
    # allauth's sign-in pages and the single sign-on providers' login and callback routes
    # (/accounts/sso/region-<id>/...), without its social-account pages (/accounts/3rdparty/:
    # connections, signup, errors): users are never linked to an outside account nor made by
    # signing in, and single sign-on shows its own error pages (identity/sso/adapters.py).
    path(
        "accounts/",
        include([path("", include("allauth.account.urls")), *build_provider_urlpatterns()]),
    ),
    path("sso/", include("identity.sso.page_urls")),
    # This region's OpenID Connect provider; its authorization endpoint goes through ours.
    path("identity/o/authorize", sso_views.authorize),
    path("", include("allauth.idp.urls")),
    path("api/", include("portal.api.urls")),
    path("client/api", client_api, name="cloudstack-api"),
    path("admin/", admin.site.urls),
]

handler404 = views.page_not_found
