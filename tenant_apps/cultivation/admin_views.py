"""The administrators' pages by level (/workbench/cultivation/admin/): the staff of a division (county, city,
province: `Membership.region`) read the declarations and recognitions of enterprises registered in their division's
subtree, the tenant admin all of them (`access.py`).

- 申报与认定 (`cultivation-admin`): counts per tier and state, the declarations (filters: tier, state, division,
  name), each with its current level, latest opinion, 详情 and 下载.
- 认定企业 (`cultivation-admin-recognitions`): validity and status; 撤销 with a reason for the province level and the
  tenant admin (`access.may_revoke`), through `recognitions.recognition_revoke`.

Reviews themselves stay in the engine's inbox (待我审批) and application page."""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shared_apps.ui.pagination import paginate
from shared_apps.ui.tables import Column, Table
from tenant_apps.cultivation import access, common, recognitions, selectors
from tenant_apps.cultivation.declaration_forms import AdminFilterForm, RecognitionFilterForm, RevokeForm
from tenant_apps.cultivation.declaration_kinds import declaration_sections
from tenant_apps.cultivation.navigation import admin_tabs
from tenant_apps.organisations.access import check_module_access
from tenant_apps.workflow.selectors import application_log
from tenants.errors import DomainError, attach_error


def _registered(row) -> str:
    info = getattr(row.organisation, "cultivation_info", None)
    return info.region.name if info else "—"


# Seven columns fit a 1280px screen beside the menu (`cul-list` in static/css/cultivation.css): the window sits
# under the tier and the level holding a declaration under its state.
DECLARATIONS = Table(
    columns=(
        Column(gettext_lazy("企业名称"), "organisation.name", wrap=True, primary=True, name="title"),
        Column(gettext_lazy("注册地"), _registered, width="6em"),
        Column(gettext_lazy("申报层级"), template="cultivation/admin/cells/tier.html", wrap=True, name="tier"),
        Column(gettext_lazy("提交时间"), "application.submitted_at", format="datetime", width="9.5em"),
        Column(gettext_lazy("审核状态"), template="cultivation/admin/cells/state.html", width="6.5em", name="state"),
        Column(gettext_lazy("最新意见"), lambda row: row.opinion or "—", wrap=True, name="opinion"),
        Column(gettext_lazy("操作"), template="cultivation/admin/cells/declaration_actions.html", width="7em",
               name="actions"),
    ),
    empty=gettext_lazy("没有符合条件的申报。"),
    row_attrs=lambda row: {"data-declaration": row.pk, "data-state": row.application.state},
    css="cul-list",
)  # fmt: skip

RECOGNITIONS = Table(
    columns=(
        Column(gettext_lazy("企业名称"), "organisation.name", wrap=True, primary=True, name="title"),
        Column(gettext_lazy("注册地"), _registered, width="7em"),
        Column(gettext_lazy("认定层级"), "tier.name", width="7em"),
        Column(gettext_lazy("证书编号"), "certificate_no", width="13em"),
        Column(gettext_lazy("有效期起"), "valid_from", format="date", width="7em"),
        Column(gettext_lazy("有效期止"), "valid_to", format="date", width="7em"),
        Column(gettext_lazy("状态"), template="cultivation/admin/cells/recognition_status.html", width="6em",
               name="state"),
        Column(gettext_lazy("操作"), template="cultivation/admin/cells/recognition_actions.html", width="6em",
               name="actions"),
    ),
    empty=gettext_lazy("没有符合条件的认定企业。"),
    row_attrs=lambda row: {"data-recognition": row.pk, "data-status": row.status},
    css="cul-list",
)  # fmt: skip


def admin_member(request):
    """The module is on (else 404) and the person administers a division or the tenant (else 403)."""
    _module, membership = check_module_access(request, common.MODULE)
    if not access.is_admin(membership):
        raise PermissionDenied(_("仅各级主管部门人员和平台管理员可以查看。"))
    return membership


def _scope_label(membership) -> str:
    region = access.admin_region(membership)
    if access.sees_all(membership) or region is None:
        return _("全部地区")
    return region.full_name


@login_required
def admin_declarations(request):
    membership = admin_member(request)
    form = AdminFilterForm(request.GET or None, membership=membership)
    page = paginate(request, selectors.admin_declarations(membership, form.filters()))
    context = {
        "tabs": admin_tabs("overview"),
        "scope": _scope_label(membership),
        "counts": selectors.declaration_counts(membership),
        "filters": form,
        "page": page,
        "table": DECLARATIONS,
    }
    return render(request, "cultivation/admin/declarations.html", context)


@login_required
def admin_declaration(request, pk: int):
    """One declaration as its reviewers read it, with the review log (the staff of a level above the one holding it
    read it here before it reaches them)."""
    membership = admin_member(request)
    try:
        declaration = access.read_declaration(membership, pk)
    except DomainError as error:
        raise Http404(error.message) from None
    context = {
        "tabs": admin_tabs("overview"),
        "declaration": declaration,
        "application": declaration.application,
        "sections": declaration_sections(declaration),
        "log": application_log(declaration.application),
        "stage": selectors.stage_name(declaration.application),
    }
    return render(request, "cultivation/admin/declaration.html", context)


def _recognitions(request, membership, *, revoke_form=None, revoking=None, status: int = 200):
    form = RecognitionFilterForm(request.GET or None, membership=membership)
    page = paginate(request, selectors.recognition_rows(membership, form.filters()))
    may_revoke = access.may_revoke(membership)
    wanted = request.GET.get("revoke") or ""
    if revoking is None and may_revoke and wanted.isdigit():  # 撤销 opens the reason form on this page
        try:
            revoking = access.revocable_recognition(membership, int(wanted))
        except DomainError:
            revoking = None
    context = {
        "tabs": admin_tabs("recognitions"),
        "scope": _scope_label(membership),
        "counts": selectors.recognition_counts(membership),
        "filters": form,
        "page": page,
        "table": replace(RECOGNITIONS, extra={"may_revoke": may_revoke}),
        "may_revoke": may_revoke,
        "revoke_form": revoke_form or RevokeForm(),
        "revoking": revoking,
    }
    return render(request, "cultivation/admin/recognitions.html", context, status=status)


@login_required
def admin_recognitions(request):
    return _recognitions(request, admin_member(request))


@login_required
def recognition_revoke(request, pk: int):
    """撤销 (POST reason): province-level staff and the tenant admin; the enterprise is told (取消认定)."""
    membership = admin_member(request)
    try:
        recognition = access.revocable_recognition(membership, pk)
    except DomainError as error:
        if error.status == 404:
            raise Http404(error.message) from None
        raise PermissionDenied(error.message) from None
    if request.method != "POST":
        return redirect("cultivation-admin-recognitions")
    form = RevokeForm(request.POST)
    if not form.is_valid():
        return _recognitions(request, membership, revoke_form=form, revoking=recognition, status=400)
    try:
        recognitions.recognition_revoke(
            membership=membership, recognition=recognition, reason=form.cleaned_data["reason"]
        )
    except DomainError as error:
        attach_error(form, error)
        return _recognitions(request, membership, revoke_form=form, revoking=recognition, status=error.status)
    messages.success(request, _("已撤销“%(name)s”的%(tier)s认定。") % {"name": recognition.organisation.name,
                                                                   "tier": recognition.tier.name})  # fmt: skip
    return redirect("cultivation-admin-recognitions")
