"""Host → tenant routing, with a clean 404 for hosts nobody serves."""

from django.db import connection
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name
from wagtail.contrib.redirects.middleware import RedirectMiddleware

from tenants.models import Tenant


class TenantHostMiddleware(TenantMainMiddleware):
    """Like django-tenants' middleware, but a suspended tenant or the template schema is no host at all."""

    def get_tenant(self, domain_model, hostname):
        domain = domain_model.objects.select_related("tenant").get(domain=hostname)
        tenant = domain.tenant
        if tenant.kind == Tenant.Kind.TEMPLATE or tenant.status != Tenant.Status.ACTIVE:
            raise domain_model.DoesNotExist
        return tenant


class TenantOnlyRedirectMiddleware(RedirectMiddleware):
    """Wagtail's redirects live in tenant schemas; on the public host the table does not exist."""

    def process_response(self, request, response):
        if connection.schema_name == get_public_schema_name():
            return response
        return super().process_response(request, response)
