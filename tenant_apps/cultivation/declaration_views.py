"""The enterprise's cultivation pages (/workbench/cultivation/): its home (latest messages, the digital level, the
declaration entry), 企业申报信息 (each tier with the open windows admitting it or why not, and the history of its
declarations) and the declaration form (the tier's indicators and their evidence, 保存 and 提交).

Thin views: writes go through `declarations`, reads through `selectors` / `access`; a refusal lands next to its
field and the page answers with the service's status, the form as typed. The engine's application page (审核进度)
is the detail page; 下载 is the declaration as a PDF (`exports`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shared_apps.ui.pagination import paginate
from shared_apps.ui.tables import Column, Table
from tenant_apps.cultivation import access, common, declarations, exports, recognitions, selectors
from tenant_apps.cultivation import messages as cultivation_messages
from tenant_apps.cultivation.declaration_forms import DeclarationForm, HistoryFilterForm, StartForm
from tenant_apps.cultivation.declaration_kinds import assessment_of, evidence_url
from tenant_apps.cultivation.navigation import enterprise_tabs
from tenant_apps.cultivation.page_access import enterprise_member, fetch, url_or_none
from tenant_apps.organisations.access import check_module_access
from tenant_apps.workflow.models import Application
from tenant_apps.workflow.selectors import latest_return
from tenants.errors import DomainError

HISTORY = Table(
    columns=(
        Column(gettext_lazy("申报层级"), "tier.name", primary=True, name="title", width="8em"),
        Column(gettext_lazy("申报批次"), lambda row: row.window.name, wrap=True),
        Column(gettext_lazy("提交时间"), "application.submitted_at", format="datetime", width="9.5em"),
        Column(gettext_lazy("审核状态"), template="cultivation/declarations/cells/state.html", width="6em",
               name="state"),
        Column(gettext_lazy("当前审核层级"), lambda row: selectors.stage_name(row.application) or "—", width="8em"),
        Column(gettext_lazy("审核意见"), lambda row: row.opinion or "—", wrap=True, name="opinion"),
        Column(gettext_lazy("操作"), template="cultivation/declarations/cells/actions.html", name="actions"),
    ),
    empty=gettext_lazy("没有符合条件的申报。"),
    row_attrs=lambda row: {"data-declaration": row.pk, "data-state": row.application.state},
)  # fmt: skip


# --- Home ----------------------------------------------------------------------------------------------------------
@login_required
def enterprise_home(request):
    membership, organisation = enterprise_member(request)
    info = common.info_of(organisation)
    context = {
        "tabs": enterprise_tabs("home"),
        "organisation": organisation,
        "info": info,
        "info_url": url_or_none("cultivation-info"),
        "messages_list": cultivation_messages.latest_messages(organisation),
        "messages_url": url_or_none("cultivation-messages"),
        "assessment": declarations.latest_assessment(organisation),
        "assessment_url": url_or_none("cultivation-assessment"),
        "live": selectors.enterprise_declarations(membership).filter(application__state__in=declarations.LIVE_STATES)[
            :5
        ],
        # The recognitions in force, nearest expiry first (with the way to 复核 when it is near).
        "recognitions": recognitions.in_force(organisation),
        "rereviews_url": url_or_none("cultivation-rereviews"),
    }
    return render(request, "cultivation/declarations/home.html", context)


# --- 企业申报信息 ------------------------------------------------------------------------------------------------------
def _tiers(organisation) -> list[dict]:
    rows = declarations.declarable(organisation)
    has_info = common.info_of(organisation) is not None
    for row in rows:
        if has_info and not row["windows"]:
            row["closed"] = _("所在地区暂未开放%(tier)s申报。") % {"tier": row["tier"].name}
        row["needs_assessment"] = (
            row["tier"].requires_assessment and declarations.latest_assessment(organisation) is None
        )
    return rows


def _list(request, membership, organisation, *, refusal: str = "", status: int = 200):
    form = HistoryFilterForm(request.GET or None)
    filters = form.filters()
    page = paginate(request, selectors.enterprise_declarations(membership, filters))
    context = {
        "tabs": enterprise_tabs("declarations"),
        "organisation": organisation,
        "info": common.info_of(organisation),
        "info_url": url_or_none("cultivation-info"),
        "assessment_url": url_or_none("cultivation-assessment"),
        "tiers": _tiers(organisation),
        "filters": form,
        "page": page,
        "table": HISTORY,
        "refusal": refusal,
    }
    return render(request, "cultivation/declarations/list.html", context, status=status)


@login_required
def declaration_list(request):
    membership, organisation = enterprise_member(request)
    return _list(request, membership, organisation)


@login_required
def declaration_start(request):
    """申请 (POST tier + window): a new declaration in the chosen window, then its form."""
    membership, organisation = enterprise_member(request)
    if request.method != "POST":
        return redirect("cultivation-declarations")
    form = StartForm(request.POST)
    if not form.is_valid():
        return _list(request, membership, organisation, refusal=_("请选择申报批次。"), status=400)
    try:
        declaration = declarations.declaration_start(
            membership=membership, tier_code=form.cleaned_data["tier"], window_id=form.cleaned_data["window"]
        )
    except DomainError as error:
        return _list(request, membership, organisation, refusal=error.message, status=error.status)
    return redirect("cultivation-declaration-edit", pk=declaration.pk)


@login_required
def declaration_delete(request, pk: int):
    membership, organisation = enterprise_member(request)
    declaration = fetch(declarations.access_declaration, membership, pk)
    if request.method != "POST":
        return redirect("cultivation-declarations")
    try:
        declarations.declaration_delete(membership=membership, declaration=declaration)
    except DomainError as error:
        return _list(request, membership, organisation, refusal=error.message, status=error.status)
    messages.success(request, _("申报已删除。"))
    return redirect("cultivation-declarations")


@login_required
def declaration_pdf(request, pk: int):
    """下载: the declaration as a PDF, for whoever reads it (the enterprise, its divisions' staff, the admin)."""
    _module, membership = check_module_access(request, common.MODULE)
    try:
        declaration = access.read_declaration(membership, pk)
    except DomainError as error:
        raise Http404(error.message) from None
    response = HttpResponse(exports.declaration_pdf(declaration), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, exports.download_name(declaration))
    return response


# --- The form ------------------------------------------------------------------------------------------------------
def _render(request, declaration, form, *, problems=None, status: int = 200):
    evidence = {}
    for item in declaration.evidence.all():
        evidence.setdefault(item.indicator, []).append(
            {"pk": item.pk, "name": item.original_name, "url": evidence_url(declaration.pk, item.pk)}
        )
    groups = form.groups()
    for group in groups:
        group["uploaded"] = evidence.get(group["indicator"]["code"], [])
    application = declaration.application
    returned = latest_return(application)
    context = {
        "tabs": enterprise_tabs("declarations"),
        "declaration": declaration,
        "application": application,
        "form": form,
        "groups": groups,
        "problems": problems or [],
        "returned": returned,
        "assessment": assessment_of(declaration),
        "assessment_url": url_or_none("cultivation-assessment"),
        "window_open": common.window_is_open(declaration.window),
    }
    return render(request, "cultivation/declarations/edit.html", context, status=status)


def _refused_submission(request, membership, pk: int, error: DomainError):
    """提交 refused: the page again as saved, every problem on its field, the rest listed on top."""
    declaration = fetch(declarations.access_declaration, membership, pk)
    form = DeclarationForm(declaration=declaration)
    problems = declarations.declaration_problems(declaration) or [{"field": error.field, "message": error.message}]
    on_top = [p for p in problems if not form.place(p["field"], p["message"])]
    return _render(request, declaration, form, problems=on_top, status=error.status)


@login_required
def declaration_edit(request, pk: int):
    membership, _organisation = enterprise_member(request)
    declaration = fetch(declarations.access_declaration, membership, pk)
    if declaration.application.applicant_id != request.user.pk:
        messages.error(request, _("只有申请人可以修改。"))
        return redirect("cultivation-declarations")
    if declaration.application.state not in Application.EDITABLE_STATES:
        if request.method == "POST":
            messages.error(request, _("审核中或已办结的申报不能修改。"))
        return redirect("application-detail", pk=declaration.application_id)
    if request.method != "POST":
        form = DeclarationForm(declaration=declaration)
        problems = []
        if request.GET.get("check"):
            problems = [
                p for p in declarations.declaration_problems(declaration) if not form.place(p["field"], p["message"])
            ]
        return _render(request, declaration, form, problems=problems)
    form = DeclarationForm(request.POST, request.FILES, declaration=declaration)
    if not form.is_valid():
        return _render(request, declaration, form, status=400)
    uploads = form.uploads()
    try:
        saved = declarations.declaration_save(
            membership=membership,
            declaration=declaration,
            data=form.data_for_service(),
            files=uploads,
            expected_version=form.cleaned_data.get("version"),
        )
        remove = request.POST.get("remove_evidence") or ""
        if remove.isdigit():
            declarations.evidence_remove(membership=membership, declaration=saved, evidence_id=int(remove))
    except DomainError as error:
        upload = (error.code or "").startswith("upload.")
        if not form.place(error.field, error.message, upload=upload):
            form.add_error(None, error.message)
        return _render(request, fetch(declarations.access_declaration, membership, pk), form, status=error.status)
    if request.POST.get("do") == "submit":
        try:
            declarations.declaration_submit(
                membership=membership, declaration=saved, expected_version=saved.application.version
            )
        except DomainError as error:
            return _refused_submission(request, membership, pk, error)
        messages.success(request, _("申报已提交，请等待所在区县主管部门审核。"))
        return redirect("cultivation-declarations")
    messages.success(request, _("材料已删除。") if remove.isdigit() else _("已保存。"))
    return redirect("cultivation-declaration-edit", pk=pk)
