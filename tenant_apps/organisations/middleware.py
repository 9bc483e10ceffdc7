"""Wagtail's admin follows the membership of this tenant: signed-in people without CMS access get 403 here."""

from django.core.exceptions import PermissionDenied
from django.db import connection
from django_tenants.utils import get_public_schema_name

CMS_PREFIX = "/cms/"
OPEN_PATHS = ("/cms/login/", "/cms/logout/", "/cms/password_reset/")


class TenantCmsAccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.path.startswith(CMS_PREFIX)
            and not request.path.startswith(OPEN_PATHS)
            and connection.schema_name != get_public_schema_name()
            and request.user.is_authenticated
            and not request.user.has_perm("wagtailadmin.access_admin")
        ):
            raise PermissionDenied("您没有本城市平台的内容管理权限。")
        return self.get_response(request)
