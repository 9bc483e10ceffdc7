"""Public marketplace pages: the catalogue and product pages (no sign-in needed to browse)."""

from django.urls import path

from tenant_apps.marketplace import catalogue_views as views

urlpatterns: list = [
    path("", views.market_catalogue, name="market-catalogue"),
    path("p/<int:pk>/", views.market_product, name="market-product"),
    path("p/<int:pk>/thumbnail/", views.market_thumbnail, name="market-thumbnail"),
    path("p/<int:pk>/media/<int:media_pk>/", views.market_media, name="market-media"),
]
