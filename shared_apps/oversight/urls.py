from django.urls import path

from shared_apps.oversight import lifecycle_views, views

urlpatterns = [
    path("", views.console_home, name="console-home"),
    path("", views.console_home, name="home"),
    path("tenants/new/", views.tenant_create, name="console-tenant-create"),
    path("export.xlsx", views.console_export, name="console-export"),
    path("tenants/<slug:schema_name>/", views.tenant_detail, name="console-tenant-detail"),
    path("audit/", views.audit_log, name="console-audit"),
    path("tenants/<slug:schema_name>/lifecycle/", lifecycle_views.tenant_lifecycle, name="console-tenant-lifecycle"),
]
