"""The voucher module's workbench pages (/workbench/vouchers/): the hub, the enterprise's and provider's pages,
and operations' pages."""

from django.urls import include, path

urlpatterns = [
    path("", include("tenant_apps.vouchers.urls_enterprise")),
    path("manage/", include("tenant_apps.vouchers.urls_ops")),
]
