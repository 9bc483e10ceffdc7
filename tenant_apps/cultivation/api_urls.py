"""/api/v1/cultivation/: one routes module per area."""

from django.urls import include, path

urlpatterns = [
    path("", include("tenant_apps.cultivation.api_assessment_urls")),
    path("", include("tenant_apps.cultivation.api_declaration_urls")),
    path("", include("tenant_apps.cultivation.api_enterprise_urls")),
    path("", include("tenant_apps.cultivation.api_message_urls")),
]
