"""URLs of 专家管理 under /workbench/market/ (module `experts`), and the public photo of an expert on a product."""

from django.urls import path

from tenant_apps.marketplace import expert_views

urlpatterns = [
    path("experts/", expert_views.expert_list, name="market-experts"),
    path("experts/new/", expert_views.expert_create, name="market-expert-create"),
    path("experts/<int:pk>/", expert_views.expert_detail, name="market-expert"),
    path("experts/<int:pk>/delete/", expert_views.expert_delete, name="market-expert-delete"),
    path("experts/<int:pk>/photo/", expert_views.expert_photo, name="market-expert-photo"),
    path(
        "products/<int:listing_pk>/experts/<int:pk>/photo/",
        expert_views.listed_expert_photo,
        name="market-listed-expert-photo",
    ),
]
