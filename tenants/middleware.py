"""Host → tenant routing, with a clean 404 for hosts nobody serves and a notice for cities that are closed."""

from django.db import connection
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name
from wagtail.contrib.redirects.middleware import RedirectMiddleware

from tenants.models import Tenant

CLOSED_URLCONF = "tenants.closed"


class TenantHostMiddleware(TenantMainMiddleware):
    """Like django-tenants' middleware, but the template schema is no host at all, and a suspended or archived city
    keeps its host while every path on it resolves to its notice (tenants.closed): sign-in, workbench, API, CMS
    and admin alike. The city's schema is still selected, so the notice and Django's own error pages read what they
    need; no view of the city runs, so nothing there can be read or changed."""

    def get_tenant(self, domain_model, hostname):
        domain = domain_model.objects.select_related("tenant").get(domain=hostname)
        tenant = domain.tenant
        if tenant.kind == Tenant.Kind.TEMPLATE:
            raise domain_model.DoesNotExist
        return tenant

    def setup_url_routing(self, request, force_public=False):
        super().setup_url_routing(request, force_public)
        tenant = getattr(request, "tenant", None)
        if not force_public and tenant is not None and tenant.is_closed:
            request.urlconf = CLOSED_URLCONF


class TenantOnlyRedirectMiddleware(RedirectMiddleware):
    """Wagtail's redirects live in tenant schemas; on the public host the table does not exist."""

    def process_response(self, request, response):
        if connection.schema_name == get_public_schema_name():
            return response
        return super().process_response(request, response)
