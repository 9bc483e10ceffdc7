"""The admission module's API under /api/v1/pilots/ (module `admission`: 404 where a tenant has it off)."""

from django.urls import include, path

from tenant_apps.pilots import api_admissions as api

urlpatterns = [
    path("admissions/", api.AdmissionListView.as_view(), name="api-pilots-admissions"),
    path("admissions/<int:pk>/", api.AdmissionDetailView.as_view(), name="api-pilots-admission"),
    path("admissions/<int:pk>/files/<slug:kind>/", api.AdmissionFileView.as_view(), name="api-pilots-admission-file"),
    path("admissions/<int:pk>/submit/", api.AdmissionSubmitView.as_view(), name="api-pilots-admission-submit"),
    path("pilot-enterprises/", api.PilotEnterpriseListView.as_view(), name="api-pilots-enterprises"),
    path("pilot-status/", api.PilotStatusView.as_view(), name="api-pilots-status"),
    path("acceptances/", include("tenant_apps.pilots.api_acceptance_urls")),
    path("investment/", include("tenant_apps.pilots.api_investment_urls")),
    path("onsite/", include("tenant_apps.pilots.api_onsite_urls")),
    path("recognition/", include("tenant_apps.pilots.api_recognition_urls")),
    path("publicity/", include("tenant_apps.pilots.api_publicity_urls")),
]
