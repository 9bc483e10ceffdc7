"""The marketplace's pages, one URL module per area (listings, catalogue, orders, experts)."""

from django.urls import include, path

from tenant_apps.marketplace import hub_views

urlpatterns = [
    path("", hub_views.market_home, name="market-home"),
    path("", include("tenant_apps.marketplace.urls_catalogue")),
    path("", include("tenant_apps.marketplace.urls_listings")),
    path("", include("tenant_apps.marketplace.urls_orders")),
    path("", include("tenant_apps.marketplace.urls_experts")),
]
