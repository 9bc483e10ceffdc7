"""生态申报 in the workbench (/workbench/ecosystem/): the provider's declarations, products and information changes;
the anchor unit's alliance and pool; the city's overview. The home sends each role to its own page."""

from django.urls import include, path

from tenant_apps.ecosystem import home_views

urlpatterns = [
    path("", home_views.ecosystem_home, name="ecosystem-home"),
    path("", include("tenant_apps.ecosystem.provider_urls")),
    path("", include("tenant_apps.ecosystem.city_urls")),
]
