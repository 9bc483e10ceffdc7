"""URLs of the marketplace's catalogue pages (workbench and public)."""

from django.urls import path

from tenant_apps.marketplace import catalogue_views as views

urlpatterns: list = [
    path("taxonomy/", views.taxonomy_list, name="market-taxonomy"),
    path("taxonomy/<slug:kind>/new/", views.taxonomy_edit, name="market-taxonomy-create"),
    path("taxonomy/<slug:kind>/<int:pk>/edit/", views.taxonomy_edit, name="market-taxonomy-edit"),
    path(
        "taxonomy/<slug:kind>/<int:pk>/deactivate/",
        views.taxonomy_toggle,
        {"active": False},
        name="market-taxonomy-deactivate",
    ),
    path(
        "taxonomy/<slug:kind>/<int:pk>/activate/",
        views.taxonomy_toggle,
        {"active": True},
        name="market-taxonomy-activate",
    ),
]
