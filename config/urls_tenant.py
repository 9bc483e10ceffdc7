"""URLs of a tenant host (`<tenant>.<base-domain>`)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from tenant_apps.organisations.admin_site import tenant_admin_site

urlpatterns = [
    path("", include("cms.urls")),
    path("", include("tenant_apps.portal.urls")),
    path("accounts/", include("shared_apps.accounts.urls")),
    path("register/", include("tenant_apps.onboarding.urls")),
    path("market/", include("tenant_apps.marketplace.urls_public")),
    path("workbench/market/", include("tenant_apps.marketplace.urls")),
    path("vouchers/", include("tenant_apps.vouchers.urls_public")),
    path("workbench/vouchers/", include("tenant_apps.vouchers.urls")),
    path("workbench/pilots/", include("tenant_apps.pilots.urls")),
    path("publicity/", include("tenant_apps.pilots.publicity_public_urls")),
    path("workbench/ecosystem/", include("tenant_apps.ecosystem.urls")),
    path("ecosystem/", include("tenant_apps.ecosystem.urls_public")),
    path("workbench/cultivation/", include("tenant_apps.cultivation.urls")),
    path("cultivation/", include("tenant_apps.cultivation.urls_public")),
    path("captcha/", include("captcha.urls")),
    path("api/v1/", include("config.api_v1")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's initialiser as a script file: no inline script, so the strict CSP holds.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("django-admin/", tenant_admin_site.urls),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Last: every other path is a page of this tenant's portal tree.
    path("", include(wagtail_urls)),
]
