"""What the host of a suspended or archived city answers, on every path (tenants.middleware routes it here).

Suspended answers 503 (Service Unavailable: temporary, so search engines keep the portal and clients retry later;
no Retry-After, since a suspension has no planned end). Archived answers 410 (Gone: the pilot is over and clients
should stop calling; a superuser can still restore it). Pages get a notice naming the state and the reason; the API
gets its one refusal shape. Nothing of the city's data is deleted; nothing of it is read either.

The city's own URLs stay included behind the catch-all, so templates that reverse them (error pages) still render,
while no request can resolve to them."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import include, path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from tenants.errors import error_body
from tenants.models import Tenant

STATUS_CODES = {Tenant.Status.SUSPENDED: 503, Tenant.Status.ARCHIVED: 410}


def closed_notice(tenant: Tenant) -> str:
    if tenant.status == Tenant.Status.ARCHIVED:
        return _("%(name)s已归档，平台停止服务，数据已封存保留。") % {"name": tenant.name}
    return _("%(name)s已暂停服务，暂不能登录或办理业务，数据均已保留。") % {"name": tenant.name}


@csrf_exempt  # a sign-in form posted to a closed city gets the notice, not a CSRF failure page
def tenant_closed(request):
    tenant = request.tenant
    status = STATUS_CODES.get(tenant.status, 503)
    message = closed_notice(tenant)
    if request.path.startswith("/api/"):
        errors = {"non_field_errors": [message]}
        if tenant.status_reason:
            errors["reason"] = [tenant.status_reason]
        response = JsonResponse(error_body(f"tenant.{tenant.status}", message, errors), status=status)
    else:
        # A bare page without the request: no context processor reads the city's menus, memberships or messages.
        html = render_to_string("errors/tenant_closed.html", {"tenant": tenant, "message": message, "code": status})
        response = HttpResponse(html, status=status)
    response["Cache-Control"] = "no-store"  # a resumed city is open again at once, not after a proxy's cache expires
    response._has_been_logged = True  # an answer the national center chose, not a server fault: no error log line
    return response


urlpatterns = [
    re_path(r"^.*$", tenant_closed, name="tenant-closed"),
    path("", include(settings.ROOT_URLCONF)),
]
