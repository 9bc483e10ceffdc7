"""One answer, for pages and APIs alike, to 'may this person use this module here?'."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from tenant_apps.organisations.selectors import current_membership
from tenants.modules import ensure_module


def check_module_access(request, code: str):
    """The module is on here (else 404), the person's roles use it and, for a sub-account, it was granted (else
    403). Returns (module, membership)."""
    module = ensure_module(request, code)
    membership = current_membership(request.user)
    if membership is None or not membership.has_role(*module.roles) or not membership.can_use_module(code):
        raise PermissionDenied(_("您的账号没有使用该功能的权限，请联系单位主账号授权。"))
    return module, membership
