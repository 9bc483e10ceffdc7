"""The city admin's setup checklist page (tenant_apps.portal.checklist)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from tenant_apps.organisations.roles import Role
from tenant_apps.organisations.selectors import current_membership
from tenant_apps.portal.checklist import setup_checklist, setup_missing


@login_required
def setup_checklist_view(request):
    """初始化清单: what this city still needs, for its administrators only."""
    membership = current_membership(request.user)
    if membership is None or not membership.has_role(Role.TENANT_ADMIN):
        raise PermissionDenied(_("仅城市管理员可查看初始化清单。"))
    items = setup_checklist(request.tenant)
    return render(request, "portal/setup_checklist.html", {"items": items, "missing": setup_missing(items)})
