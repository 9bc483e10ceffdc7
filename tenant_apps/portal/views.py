"""Portal home, workbench and module pages of a tenant host."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import redirect, render

from tenant_apps.onboarding.selectors import registration_unfinished
from tenant_apps.organisations.access import check_module_access
from tenant_apps.organisations.selectors import current_membership
from tenant_apps.portal import content
from tenant_apps.portal.selectors import can_certify, module_menu, tenant_profile, workbench_menu
from tenant_apps.workflow import tables as workflow_tables
from tenant_apps.workflow.models import Application
from tenant_apps.workflow.policies import reviews
from tenant_apps.workflow.registry import edit_url_for
from tenant_apps.workflow.selectors import awaiting_counts, my_applications, tasks_awaiting, unfinished_applications
from tenants.modules import ensure_module


@login_required
def workbench(request):
    """Home of the workbench, per role: the counts that matter to this person (a reviewer's 待我审批 and what is
    overdue; an applicant's applications, what waits for them to edit, and an upload to do), my applications with
    their next step, what is left to fill in (继续填写), the latest messages and announcements."""
    membership = current_membership(request.user)
    if membership is None:
        return render(request, "portal/workbench.html", {"membership": None}, status=403)
    reviewer = reviews(membership)
    awaiting, mine = tasks_awaiting(membership), my_applications(membership)
    task_counts = awaiting_counts(membership)  # capped as the inbox's count is
    mine_counts = mine.aggregate(
        total=Count("id"),
        in_review=Count("id", filter=Q(state=Application.State.IN_REVIEW)),
        to_edit=Count("id", filter=Q(state__in=Application.EDITABLE_STATES, decided_at__isnull=True)),
    )
    applicant = membership.has_role("enterprise", "provider") or bool(mine_counts["total"])
    notices, notices_url = content.latest_notices(request)
    unfinished = list(unfinished_applications(membership)[:5]) if applicant else []
    return render(
        request,
        "portal/workbench.html",
        {
            "membership": membership,
            "reviewer": reviewer,
            "applicant": applicant,
            "awaiting": list(awaiting[:5]) if reviewer or task_counts["total"] else [],
            "awaiting_count": task_counts["total"],
            "awaiting_capped": task_counts["total_capped"],
            "overdue_count": task_counts["overdue"],
            "overdue_capped": task_counts["overdue_capped"],
            "mine": list(mine[:5]) if applicant else [],
            "mine_count": mine_counts["total"],
            "in_review_count": mine_counts["in_review"],
            "to_edit_count": mine_counts["to_edit"],
            "unfinished": [(application, edit_url_for(application)) for application in unfinished],
            "tasks_table": workflow_tables.TASKS,
            "applications_table": workflow_tables.APPLICATIONS_NEXT_STEP,
            "notices": notices,
            "notices_url": notices_url,
            "continue_registration": registration_unfinished(membership),
            "can_certify": can_certify(membership),
        },
    )


def module_home(request, code: str):
    module = ensure_module(request, code)
    if module.public:  # the module has its own public pages now (the catalogue, the voucher activities)
        return redirect(module.public)
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
    if module.home:  # the module has its own pages now
        return redirect(module.home)
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
