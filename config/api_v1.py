"""Every tenant API endpoint under /api/v1/ (the host picks the tenant)."""

from django.urls import path

from shared_apps.directory.api import CompanyLookupView
from tenant_apps.onboarding.api import RegistrationAccountView, RegistrationDraftView
from tenant_apps.portal.api import TenantProfileView

urlpatterns = [
    path("tenant/", TenantProfileView.as_view(), name="api-tenant-profile"),
    path("directory/companies/", CompanyLookupView.as_view(), name="api-company-lookup"),
    path("registration/", RegistrationAccountView.as_view(), name="api-registration"),
    path("registration/draft/", RegistrationDraftView.as_view(), name="api-registration-draft"),
]
