"""The module's home: each role lands on the page of its job (the enterprise's home is declaration_views)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from tenant_apps.organisations.access import check_module_access

MODULE = "cultivation"


@login_required
def cultivation_home(request):
    _module, membership = check_module_access(request, MODULE)
    if membership.has_role("enterprise"):
        return redirect("cultivation-enterprise-home")
    if membership.region_id or membership.has_role("tenant_admin"):
        return redirect("cultivation-admin")
    return redirect("inbox")
