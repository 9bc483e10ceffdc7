"""/api/v1/ecosystem/: anchor units, declarations, products, pools, alliance members, changes, public products."""

from django.urls import path

from tenant_apps.ecosystem import api

urlpatterns = [
    path("anchor-units/", api.AnchorUnitListView.as_view(), name="api-ecosystem-anchor-units"),
    path("declarations/", api.DeclarationListView.as_view(), name="api-ecosystem-declarations"),
    path("declarations/<int:pk>/", api.DeclarationDetailView.as_view(), name="api-ecosystem-declaration"),
    path("declarations/<int:pk>/submit/", api.DeclarationSubmitView.as_view(), name="api-ecosystem-declaration-submit"),
    path(
        "declarations/<int:pk>/problems/",
        api.DeclarationProblemsView.as_view(),
        name="api-ecosystem-declaration-problems",
    ),
    path("products/", api.ProductListView.as_view(), name="api-ecosystem-products"),
    path("products/<int:pk>/", api.ProductDetailView.as_view(), name="api-ecosystem-product"),
    path("products/<int:pk>/submit/", api.ProductSubmitView.as_view(), name="api-ecosystem-product-submit"),
    path("products/<int:pk>/problems/", api.ProductProblemsView.as_view(), name="api-ecosystem-product-problems"),
    path("pools/", api.PoolListView.as_view(), name="api-ecosystem-pools"),
    path("members/", api.MemberListView.as_view(), name="api-ecosystem-members"),
    path("members/<int:pk>/leave/", api.MemberLeaveView.as_view(), name="api-ecosystem-member-leave"),
    path("changes/", api.ChangeListView.as_view(), name="api-ecosystem-changes"),
    path("changes/<int:pk>/", api.ChangeDetailView.as_view(), name="api-ecosystem-change"),
    path("changes/<int:pk>/submit/", api.ChangeSubmitView.as_view(), name="api-ecosystem-change-submit"),
    path("public/products/", api.PublicProductListView.as_view(), name="api-ecosystem-public-products"),
    path("public/products/<int:pk>/", api.PublicProductDetailView.as_view(), name="api-ecosystem-public-product"),
]
