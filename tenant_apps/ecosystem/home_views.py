"""The module's home: each role lands on the page of its job."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from tenant_apps.ecosystem import common
from tenant_apps.organisations.access import check_module_access

MODULE = "ecosystem"


@login_required
def ecosystem_home(request):
    _module, membership = check_module_access(request, MODULE)
    if membership.has_role("provider"):
        return redirect("ecosystem-declarations")
    if membership.has_role("anchor_unit"):
        return redirect("ecosystem-alliance")
    if common.is_city(membership):
        return redirect("ecosystem-overview")
    return redirect("inbox")
