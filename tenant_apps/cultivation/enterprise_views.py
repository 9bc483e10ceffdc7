"""企业信息, 信息更新, 企业重大变更 and 认证到期管理 in the workbench (/workbench/cultivation/…). Thin views: writes go
through `enterprise`, a refusal lands next to its field with the form as typed (400, or the service's 409). The
engine's application page (审核进度) is each submission's 详情."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shared_apps.ui.pagination import paginate
from shared_apps.ui.tables import Column, Table
from tenant_apps.cultivation import common, enterprise
from tenant_apps.cultivation.enterprise_forms import ChangeFilterForm, ChangeForm, InfoForm, ReReviewForm
from tenant_apps.cultivation.models import MajorChange
from tenant_apps.cultivation.navigation import enterprise_tabs
from tenant_apps.cultivation.page_access import enterprise_member, fetch
from tenants.errors import DomainError, attach_error

CHANGES = Table(
    columns=(
        Column(gettext_lazy("变更类型"), "get_change_type_display", width="11em", name="type"),
        Column(gettext_lazy("变更前"), "before_shown", wrap=True),
        Column(gettext_lazy("变更后"), "after_shown", wrap=True, primary=True, name="title"),
        Column(gettext_lazy("创建时间"), "created_at", format="datetime", width="9.5em"),
        Column(gettext_lazy("提交时间"), "application.submitted_at", format="datetime", width="9.5em"),
        Column(gettext_lazy("审核状态"), template="cultivation/enterprise/cells/state.html", width="6em"),
        Column(gettext_lazy("操作"), template="cultivation/enterprise/cells/change_actions.html", name="actions"),
    ),
    empty=gettext_lazy("暂无变更记录。"),
    row_attrs=lambda change: {"data-change": change.pk},
)
RECOGNITIONS = Table(
    columns=(
        Column(gettext_lazy("认定层级"), "tier.name", primary=True, name="title"),
        Column(gettext_lazy("证书编号"), "certificate_no"),
        Column(gettext_lazy("有效期起"), "valid_from", format="date", width="7em"),
        Column(gettext_lazy("有效期止"), "valid_to", format="date", width="7em"),
        Column(gettext_lazy("状态"), template="cultivation/enterprise/cells/recognition_state.html", width="6em"),
        Column(gettext_lazy("复核"), template="cultivation/enterprise/cells/recognition_actions.html", wrap=True),
    ),
    empty=gettext_lazy("暂无认定。"),
    row_attrs=lambda recognition: {"data-recognition": recognition.pk},
)
REREVIEWS = Table(
    columns=(
        Column(gettext_lazy("认定层级"), "recognition.tier.name", primary=True, name="title"),
        Column(gettext_lazy("证书编号"), "recognition.certificate_no"),
        Column(gettext_lazy("提交时间"), "application.submitted_at", format="datetime", width="9.5em"),
        Column(gettext_lazy("审核状态"), template="cultivation/enterprise/cells/state.html", width="6em"),
        Column(gettext_lazy("操作"), template="cultivation/enterprise/cells/rereview_actions.html", name="actions"),
    ),
    empty=gettext_lazy("暂无复核记录。"),
    row_attrs=lambda rereview: {"data-rereview": rereview.pk},
)


# --- Shared ----------------------------------------------------------------------------------------------------------


def _page(request, template: str, context: dict, *, tab: str, status: int = 200):
    return render(
        request, f"cultivation/enterprise/{template}", {"tabs": enterprise_tabs(tab), **context}, status=status
    )


# --- 企业信息 ---------------------------------------------------------------------------------------------------------
def _update_history(updates) -> list[dict]:
    codes = [u.before.get("region") for u in updates] + [u.after.get("region") for u in updates]
    regions = enterprise.region_names(codes)
    history = []
    for update in updates:
        differences = [
            {
                "label": label,
                "before": enterprise.shown(field, update.before.get(field), regions),
                "after": enterprise.shown(field, update.after.get(field), regions),
            }
            for field, label in enterprise.INFO_FIELDS.items()
            if field in update.after and update.before.get(field, "") != update.after.get(field, "")
        ]
        history.append({"update": update, "differences": differences})
    return history


def _info_page(request, organisation, *, refusal: str = "", status: int = 200):
    info = common.info_of(organisation)
    recognised = common.is_recognised(organisation)
    page = paginate(request, enterprise.updates_of(organisation).order_by("-created_at", "-id"))
    context = {
        "organisation": organisation,
        "info": info,
        "rows": enterprise.info_rows(organisation, info),
        "recognised": recognised,
        "update_open": recognised and bool(enterprise.update_windows(info)) if info else False,
        "update_note": enterprise.update_closed_note(info),
        "open_update": enterprise.open_update(organisation),
        "page": page,
        "history": _update_history(page.object_list),
        "refusal": refusal,
    }
    return _page(request, "info.html", context, tab="info", status=status)


@login_required
def info_page(request):
    _membership, organisation = enterprise_member(request)
    return _info_page(request, organisation)


def _info_form(request, form, *, update: bool, status: int = 200, **extra):
    context = {"form": form, "update": update, **extra}
    return _page(request, "info_form.html", context, tab="info", status=status)


@login_required
def info_edit(request):
    membership, organisation = enterprise_member(request)
    if common.is_recognised(organisation):
        if request.method == "POST":
            return _info_page(request, organisation, refusal=_("已认定企业不能直接编辑企业信息。"), status=409)
        messages.error(request, _("已认定企业不能直接编辑企业信息，请在开放期内进行信息更新。"))
        return redirect("cultivation-info")
    info = common.info_of(organisation)
    values = enterprise.snapshot(info) if info else {}
    if request.method != "POST":
        return _info_form(request, InfoForm(values=values), update=False)
    form = InfoForm(request.POST, values=values)
    if not form.is_valid():
        return _info_form(request, form, update=False, status=400)
    try:
        enterprise.info_save(membership=membership, data=form.service_data())
    except DomainError as error:
        attach_error(form, error)
        return _info_form(request, form, update=False, status=error.status)
    messages.success(request, _("企业信息已保存。"))
    return redirect("cultivation-info")


@login_required
def info_update(request):
    """信息更新: the open window's form (the returned update's values when one waits to be resubmitted)."""
    membership, organisation = enterprise_member(request)
    info = common.info_of(organisation)
    if info is None:
        return redirect("cultivation-info-edit")
    if not common.is_recognised(organisation):
        messages.info(request, _("未认定的企业可直接编辑企业信息。"))
        return redirect("cultivation-info-edit")
    current = enterprise.open_update(organisation)
    if current is not None and not enterprise.change_editable(current):
        return _info_page(request, organisation, refusal=_("已有一项信息更新正在审核中，请等待审核结果。"), status=409)
    if not enterprise.update_windows(info):
        refusal = _("当前不在信息更新开放期内。") + enterprise.update_closed_note(info)
        return _info_page(request, organisation, refusal=refusal, status=409)
    values = current.after if current else enterprise.snapshot(info, enterprise.UPDATE_FIELDS)
    application = current.application if current else None
    extra = {"current": current, "opinion": _latest_opinion(current)}
    if request.method != "POST":
        return _info_form(request, InfoForm(values=values, update=True, application=application), update=True, **extra)
    form = InfoForm(request.POST, values=values, update=True, application=application)
    if not form.is_valid():
        return _info_form(request, form, update=True, status=400, **extra)
    try:
        enterprise.update_submit(
            membership=membership, data=form.service_data(), expected_version=form.cleaned_data.get("version")
        )
    except DomainError as error:
        attach_error(form, error)
        return _info_form(request, form, update=True, status=error.status, **extra)
    messages.success(request, _("信息更新已提交，请等待区县审核。"))
    return redirect("cultivation-info")


def _latest_opinion(submission) -> str:
    if submission is None or submission.application.state != "returned":
        return ""
    return enterprise._opinion(submission.application)


# --- 企业重大变更 -----------------------------------------------------------------------------------------------------
def _shown_values(changes) -> None:
    """Region codes as names, on the rows of one page (one query)."""
    regions = enterprise.region_names(
        [c.before for c in changes if c.change_type == MajorChange.Type.REGION]
        + [c.after for c in changes if c.change_type == MajorChange.Type.REGION]
    )
    for change in changes:
        mapped = change.change_type == MajorChange.Type.REGION
        change.before_shown = (regions.get(change.before, change.before) if mapped else change.before) or "—"
        change.after_shown = (regions.get(change.after, change.after) if mapped else change.after) or "—"
        change.editable = enterprise.change_editable(change)
        change.deletable = enterprise.change_deletable(change)


def _change_list(request, organisation, *, refusal: str = "", status: int = 200):
    filters = ChangeFilterForm(request.GET or None)
    page = paginate(request, enterprise.changes_of(organisation, **filters.filters()))
    _shown_values(page.object_list)
    context = {"filters": filters, "page": page, "table": CHANGES, "refusal": refusal}
    return _page(request, "changes.html", context, tab="changes", status=status)


@login_required
def change_list(request):
    _membership, organisation = enterprise_member(request)
    return _change_list(request, organisation)


def _change_form(request, form, organisation, *, change=None, status: int = 200):
    info = common.info_of(organisation)
    context = {
        "form": form,
        "change": change,
        "current": enterprise.info_rows(organisation, info)[:4] if info else [],
        "opinion": _latest_opinion(change),
    }
    return _page(request, "change_form.html", context, tab="changes", status=status)


def _change_post(request, membership, organisation, change=None):
    values = {"change_type": change.change_type, "before": change.before, "after": change.after} if change else {}
    form = ChangeForm(request.POST, values=values, application=change.application if change else None)
    if not form.is_valid():
        return _change_form(request, form, organisation, change=change, status=400)
    submit = request.POST.get("do") == "submit"
    try:
        saved = enterprise.change_save(
            membership=membership,
            data=form.service_data(),
            change=change,
            submit=submit,
            expected_version=form.cleaned_data.get("version"),
        )
    except DomainError as error:
        attach_error(form, error)
        return _change_form(request, form, organisation, change=change, status=error.status)
    if submit:
        messages.success(request, _("重大变更已提交，请等待审核。"))
        return redirect("cultivation-changes")
    messages.success(request, _("已暂存。"))
    return redirect("cultivation-change-edit", pk=saved.pk)


@login_required
def change_new(request):
    membership, organisation = enterprise_member(request)
    if common.info_of(organisation) is None:
        messages.error(request, _("请先在“企业信息”中完善注册地、所属行业等基本信息。"))
        return redirect("cultivation-info")
    if request.method == "POST":
        return _change_post(request, membership, organisation)
    change_type = request.GET.get("type", "")
    values = {}
    if change_type in MajorChange.Type.values:
        before = enterprise.change_current(organisation, common.info_of(organisation), change_type)
        values = {"change_type": change_type, "before": before}
    return _change_form(request, ChangeForm(values=values), organisation)


@login_required
def change_edit(request, pk: int):
    membership, organisation = enterprise_member(request)
    change = fetch(enterprise.access_change, membership, pk)
    if change.application.applicant_id != request.user.pk or not enterprise.change_editable(change):
        if request.method == "POST":
            messages.error(request, _("审核中或已办结的变更不能修改。"))
        return redirect("application-detail", pk=change.application_id)
    if request.method == "POST":
        return _change_post(request, membership, organisation, change)
    values = {
        "change_type": change.change_type,
        "before": change.before,
        "after": change.after,
        "reason": change.reason,
    }
    form = ChangeForm(values=values, application=change.application)
    return _change_form(request, form, organisation, change=change)


@login_required
def change_delete(request, pk: int):
    membership, organisation = enterprise_member(request)
    change = fetch(enterprise.access_change, membership, pk)
    if request.method != "POST":
        return redirect("cultivation-changes")
    try:
        enterprise.change_delete(membership=membership, change=change)
    except DomainError as error:
        return _change_list(request, organisation, refusal=error.message, status=error.status)
    messages.success(request, _("变更已删除。"))
    return redirect("cultivation-changes")


# --- 认证到期管理 -----------------------------------------------------------------------------------------------------
@login_required
def rereview_list(request):
    _membership, organisation = enterprise_member(request)
    today = timezone.localdate()
    recognitions = list(enterprise.recognitions_of(organisation).order_by("-valid_to", "-id"))
    for recognition in recognitions:
        recognition.refusal = enterprise.rereview_refusal(recognition, today=today)
    page = paginate(request, enterprise.rereviews_of(organisation))
    for rereview in page.object_list:
        rereview.editable = enterprise.change_editable(rereview)
    context = {
        "recognitions": recognitions,
        "recognition_table": RECOGNITIONS,
        "page": page,
        "table": REREVIEWS,
        "days": enterprise.REREVIEW_DAYS,
    }
    return _page(request, "rereviews.html", context, tab="rereviews")


def _rereview_form(request, form, recognition, *, rereview=None, status: int = 200):
    rows = [
        (_("认定层级"), recognition.tier.name),
        (_("证书编号"), recognition.certificate_no),
        (_("有效期"), f"{recognition.valid_from:%Y-%m-%d} — {recognition.valid_to:%Y-%m-%d}"),
        (_("状态"), recognition.get_status_display()),
    ]
    context = {"form": form, "recognition_rows": rows, "rereview": rereview, "opinion": _latest_opinion(rereview)}
    return _page(request, "rereview_form.html", context, tab="rereviews", status=status)


def _rereview_post(request, membership, recognition, rereview=None):
    form = ReReviewForm(request.POST, application=rereview.application if rereview else None)
    if not form.is_valid():
        return _rereview_form(request, form, recognition, rereview=rereview, status=400)
    try:
        enterprise.rereview_submit(
            membership=membership,
            statement=form.cleaned_data.get("statement") or "",
            recognition=recognition,
            rereview=rereview,
            expected_version=form.cleaned_data.get("version"),
        )
    except DomainError as error:
        attach_error(form, error)
        return _rereview_form(request, form, recognition, rereview=rereview, status=error.status)
    messages.success(request, _("复核申请已提交，请等待审核。"))
    return redirect("cultivation-rereviews")


@login_required
def rereview_new(request, recognition_pk: int):
    membership, _organisation = enterprise_member(request)
    recognition = fetch(enterprise.access_recognition, membership, recognition_pk)
    if request.method == "POST":
        return _rereview_post(request, membership, recognition)
    refusal = enterprise.rereview_refusal(recognition)
    if refusal:
        messages.error(request, refusal)
        return redirect("cultivation-rereviews")
    return _rereview_form(request, ReReviewForm(), recognition)


@login_required
def rereview_edit(request, pk: int):
    membership, _organisation = enterprise_member(request)
    rereview = fetch(enterprise.access_rereview, membership, pk)
    if rereview.application.applicant_id != request.user.pk or not enterprise.change_editable(rereview):
        return redirect("application-detail", pk=rereview.application_id)
    if request.method == "POST":
        return _rereview_post(request, membership, rereview.recognition, rereview)
    form = ReReviewForm(initial={"statement": rereview.statement}, application=rereview.application)
    return _rereview_form(request, form, rereview.recognition, rereview=rereview)
