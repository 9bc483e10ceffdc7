"""URLs of the marketplace's listings pages in the workbench: 我的商品 (provider) and 在售商品管理 (ops)."""

from django.urls import path

from tenant_apps.marketplace import listing_views as views

urlpatterns = [
    path("listings/", views.my_listings_page, name="market-listings"),
    path("listings/new/", views.listing_new, name="market-listing-new"),
    path("listings/<int:pk>/", views.listing_detail, name="market-listing-detail"),
    path("listings/<int:pk>/edit/", views.listing_edit, name="market-listing-edit"),
    path("listings/<int:pk>/edit/autosave/", views.listing_autosave, name="market-listing-autosave"),
    path("listings/<int:pk>/<slug:action>/", views.listing_action, name="market-listing-action"),
    path("versions/<int:version_pk>/thumbnail/", views.version_thumbnail, name="market-version-thumbnail"),
    path("versions/<int:version_pk>/media/<int:media_pk>/", views.version_media, name="market-version-media"),
    path("listed/", views.ops_listings_page, name="market-ops-listings"),
    path("listed/<int:pk>/delist/", views.ops_delist_page, name="market-ops-delist"),
]
