"""Provider pages: 服务商申报, 我的产品, 信息变更 and the ecosystem's file downloads (under /workbench/ecosystem/)."""

from django.urls import path

from tenant_apps.ecosystem import change_views, declaration_views, file_views, product_views

urlpatterns = [
    # 服务商申报
    path("declarations/", declaration_views.declaration_list, name="ecosystem-declarations"),
    path("declarations/new/", declaration_views.declaration_new, name="ecosystem-declaration-new"),
    path("declarations/<int:pk>/", declaration_views.declaration_edit, name="ecosystem-declaration-edit"),
    path("declarations/<int:pk>/delete/", declaration_views.declaration_delete, name="ecosystem-declaration-delete"),
    path(
        "declarations/<int:pk>/products/new/",
        declaration_views.declaration_product_new,
        name="ecosystem-declaration-product-new",
    ),
    path(
        "declarations/<int:pk>/files/<int:file_pk>/",
        file_views.declaration_file,
        name="ecosystem-declaration-file",
    ),
    # 我的产品
    path("products/", product_views.product_list, name="ecosystem-products"),
    path("products/new/", product_views.product_new, name="ecosystem-product-new"),
    path("products/<int:pk>/", product_views.product_edit, name="ecosystem-product-edit"),
    path("products/<int:pk>/submit/", product_views.product_submit, name="ecosystem-product-submit"),
    path("products/<int:pk>/delete/", product_views.product_delete, name="ecosystem-product-delete"),
    path("products/<int:pk>/files/<int:file_pk>/", file_views.product_file, name="ecosystem-product-file"),
    path("products/<int:pk>/cases/<int:case_pk>/contract/", file_views.case_contract, name="ecosystem-case-contract"),
    # 信息变更
    path("changes/", change_views.change_list, name="ecosystem-changes"),
    path("changes/new/", change_views.change_new, name="ecosystem-change-new"),
    path("changes/<int:pk>/", change_views.change_edit, name="ecosystem-change-edit"),
    path("changes/<int:pk>/delete/", change_views.change_delete, name="ecosystem-change-delete"),
]
