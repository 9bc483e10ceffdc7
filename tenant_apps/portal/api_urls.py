from django.urls import path

from tenant_apps.portal.api import TenantProfileView

urlpatterns = [
    path("tenant/", TenantProfileView.as_view(), name="api-tenant-profile"),
]
