"""API routes of the marketplace's catalogue."""

from django.urls import path

from tenant_apps.marketplace import api_catalogue as api

urlpatterns: list = [
    path("catalogue/", api.CatalogueListView.as_view(), name="api-market-catalogue"),
    path("catalogue/<int:pk>/", api.CatalogueDetailView.as_view(), name="api-market-catalogue-detail"),
    path("taxonomy/", api.TaxonomyView.as_view(), name="api-market-taxonomy"),
    path("taxonomy/<slug:kind>/", api.TaxonomyCreateView.as_view(), name="api-market-taxonomy-create"),
    path("taxonomy/<slug:kind>/<int:pk>/", api.TaxonomyItemView.as_view(), name="api-market-taxonomy-item"),
]
