from django.urls import path

from shared_apps.oversight import views

urlpatterns = [
    path("", views.console_home, name="console-home"),
    path("", views.console_home, name="home"),
    path("tenants/new/", views.tenant_create, name="console-tenant-create"),
    path("audit/", views.audit_log, name="console-audit"),
]
