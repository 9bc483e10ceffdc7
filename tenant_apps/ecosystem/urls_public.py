"""Public pages (included at /ecosystem/ on the tenant host): 上架产品 and the anchor units with their alliances. No
sign-in needed; a city that has not switched the module on answers 404."""

from django.urls import path

from tenant_apps.ecosystem import public_views as views

urlpatterns = [
    path("products/", views.public_products, name="ecosystem-public-products"),
    path("products/<int:pk>/", views.public_product, name="ecosystem-public-product"),
    path("anchor-units/", views.public_units, name="ecosystem-public-units"),
]
