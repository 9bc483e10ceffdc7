"""API routes of the marketplace's listings (the provider's side)."""

from django.urls import path

from tenant_apps.marketplace import api_listings as api

urlpatterns = [
    path("listings/", api.ListingListView.as_view(), name="api-market-listings"),
    path("listings/<int:pk>/", api.ListingDetailView.as_view(), name="api-market-listing"),
    path(
        "listings/<int:pk>/<slug:action>/",
        api.ListingActionView.as_view(),
        name="api-market-listing-action",
    ),
]
