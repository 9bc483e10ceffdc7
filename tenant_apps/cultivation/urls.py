"""梯度培育 in the workbench (/workbench/cultivation/): the enterprise's home, self-assessment, declarations,
information, major changes, re-reviews and messages; the administrators' pages by level."""

from django.urls import include, path

urlpatterns = [
    path("", include("tenant_apps.cultivation.declaration_urls")),  # home, 企业申报信息, administrators' pages
    path("assessment/", include("tenant_apps.cultivation.assessment_urls")),
    path("", include("tenant_apps.cultivation.enterprise_urls")),  # 企业信息, 重大变更, 认证到期管理
    path("messages/", include("tenant_apps.cultivation.message_urls")),
]
