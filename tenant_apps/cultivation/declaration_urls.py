"""Home, 企业申报信息 and the administrators' pages."""

from django.urls import path

from tenant_apps.cultivation import admin_views, declaration_views, file_views, home_views

urlpatterns = [
    path("", home_views.cultivation_home, name="cultivation-home"),
    path("enterprise/", declaration_views.enterprise_home, name="cultivation-enterprise-home"),
    path("declarations/", declaration_views.declaration_list, name="cultivation-declarations"),
    path("declarations/start/", declaration_views.declaration_start, name="cultivation-declaration-start"),
    path("declarations/<int:pk>/", declaration_views.declaration_edit, name="cultivation-declaration-edit"),
    path("declarations/<int:pk>/delete/", declaration_views.declaration_delete, name="cultivation-declaration-delete"),
    path("declarations/<int:pk>/pdf/", declaration_views.declaration_pdf, name="cultivation-declaration-pdf"),
    path(
        "declarations/<int:pk>/evidence/<int:evidence_pk>/", file_views.evidence_file, name="cultivation-evidence-file"
    ),
    path("admin/", admin_views.admin_declarations, name="cultivation-admin"),
    path("admin/declarations/<int:pk>/", admin_views.admin_declaration, name="cultivation-admin-declaration"),
    path("admin/recognitions/", admin_views.admin_recognitions, name="cultivation-admin-recognitions"),
    path("admin/recognitions/<int:pk>/revoke/", admin_views.recognition_revoke, name="cultivation-recognition-revoke"),
]
