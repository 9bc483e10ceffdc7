"""The marketplace's API under /api/v1/market/, one module per area."""

from django.urls import include, path

urlpatterns = [
    path("", include("tenant_apps.marketplace.api_urls_catalogue")),
    path("", include("tenant_apps.marketplace.api_urls_listings")),
    path("", include("tenant_apps.marketplace.api_urls_orders")),
    path("", include("tenant_apps.marketplace.api_urls_experts")),
]
