"""Portal home, workbench and module pages of a tenant host."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from tenant_apps.onboarding.selectors import registration_unfinished
from tenant_apps.organisations.access import check_module_access
from tenant_apps.organisations.selectors import current_membership
from tenant_apps.portal import content
from tenant_apps.portal.selectors import module_menu, tenant_profile, workbench_menu
from tenant_apps.workflow.selectors import my_applications, tasks_awaiting
from tenants.modules import ensure_module


@login_required
def workbench(request):
    """Home of the workbench: who I am here, and the first rows of both inbox tabs with their counts."""
    membership = current_membership(request.user)
    awaiting, mine = tasks_awaiting(membership), my_applications(membership)
    notices, notices_url = content.latest_notices(request)
    return render(
        request,
        "portal/workbench.html",
        {
            "profile": tenant_profile(request.tenant),
            "menu": workbench_menu(request.tenant, membership),
            "membership": membership,
            "awaiting": list(awaiting[:5]),
            "awaiting_count": awaiting.count(),
            "mine": list(mine[:5]),
            "mine_count": mine.count(),
            "notices": notices,
            "notices_url": notices_url,
            "continue_registration": registration_unfinished(membership),
            "can_certify": bool(membership)
            and membership.has_role("enterprise", "provider")
            and not membership.is_sub_account,
        },
        status=200 if membership else 403,
    )


def module_home(request, code: str):
    module = ensure_module(request, code)
    if code == "notices":  # the module's public face is the portal's notices column
        url = content.notices_url(request)
        if url:
            return redirect(url)
    return render(
        request,
        "portal/module.html",
        {"profile": tenant_profile(request.tenant), "menu": module_menu(request.tenant), "module": module},
    )


@login_required
def workbench_module(request, code: str):
    module, membership = check_module_access(request, code)
    return render(
        request,
        "portal/module.html",
        {
            "profile": tenant_profile(request.tenant),
            "menu": workbench_menu(request.tenant, membership),
            "module": module,
            "in_workbench": True,
        },
    )
