"""公示与拨付 in the workbench (/workbench/pilots/acceptance/publicity/) and on the portal (/publicity/).

The bureau: its batches, a new batch from the acceptances at the publicity stage (with their subsidy totals),
publish, record and resolve objections, close; workbooks of admissions, acceptances and a batch. Finance: the
tranches to pay (待拨付 / 已拨付) with a pay form per row. Everyone: published and closed batches on the portal, with
how to object. Thin views: writes through `publicity` / `disbursement`, reads through their selectors; a refusal
lands next to its field and the page answers with the service's status."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shared_apps.ui.pagination import paginate
from shared_apps.ui.tables import Column, Table
from tenant_apps.organisations.access import check_module_access
from tenant_apps.pilots import disbursement, exports, publicity
from tenant_apps.pilots.models import PublicityBatch
from tenants.errors import DomainError, attach_error
from tenants.modules import ensure_module

BATCHES = Table(
    columns=(
        Column(gettext_lazy("公示标题"), template="pilots/publicity/cells/batch_title.html", wrap=True, primary=True,
               name="title"),
        Column(gettext_lazy("状态"), template="pilots/publicity/cells/batch_state.html", width="7em", name="state"),
        Column(gettext_lazy("企业数"), "item_count", align="end", width="5em"),
        Column(gettext_lazy("补贴合计（元）"), "subsidy_total", format="money", align="end", width="10em"),
        Column(gettext_lazy("公示开始"), "starts_on", format="date", width="7.5em"),
        Column(gettext_lazy("公示截止"), "ends_on", format="date", width="7.5em"),
    ),
    empty=gettext_lazy("还没有公示批次。"),
    row_attrs=lambda batch: {"data-batch": batch.pk},
)  # fmt: skip

PUBLIC_BATCHES = Table(
    columns=(
        Column(gettext_lazy("公示标题"), template="pilots/publicity/cells/public_title.html", wrap=True, primary=True,
               name="title"),
        Column(gettext_lazy("公示期"), template="pilots/publicity/cells/period.html", width="14em"),
        Column(gettext_lazy("状态"), template="pilots/publicity/cells/batch_state.html", width="7em", name="state"),
    ),
    empty=gettext_lazy("暂无公示。"),
    row_attrs=lambda batch: {"data-batch": batch.pk},
)  # fmt: skip

PUBLIC_ITEMS = Table(
    columns=(
        Column(gettext_lazy("序号"), "number", align="end", width="4em"),
        Column(gettext_lazy("企业名称"), "enterprise_name", wrap=True, primary=True, name="title"),
        Column(gettext_lazy("项目"), "projects", wrap=True),
        Column(gettext_lazy("认定投资（元）"), "recognised_amount", format="money", align="end", width="10em"),
        Column(gettext_lazy("补贴金额（元）"), "subsidy", format="money", align="end", width="10em"),
    ),
    empty=gettext_lazy("本批次没有公示项目。"),
    row_attrs=lambda item: {"data-item": item.pk},
)

TRANCHES = Table(
    columns=(
        Column(gettext_lazy("企业名称"), "acceptance.organisation.name", wrap=True, primary=True, name="title"),
        Column(gettext_lazy("拨付批次"), "label", width="10em"),
        Column(gettext_lazy("金额（元）"), "amount", format="money", align="end", width="9em"),
        Column(gettext_lazy("拨付情况"), template="pilots/publicity/cells/tranche_state.html", width="14em"),
        Column(gettext_lazy("操作"), template="pilots/publicity/cells/tranche_pay.html", width="26em",
               name="actions"),
    ),
    empty=gettext_lazy("没有符合条件的拨付批次。"),
    row_attrs=lambda tranche: {"data-tranche": tranche.pk},
)  # fmt: skip


# --- Forms ----------------------------------------------------------------------------------------------------------------
class BatchForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("公示标题"), max_length=publicity.TITLE_MAX)
    days = forms.IntegerField(
        label=gettext_lazy("公示天数"),
        min_value=publicity.DAYS_MIN,
        max_value=publicity.DAYS_MAX,
        initial=5,
        help_text=gettext_lazy("自然日，含发布当天；例如 5 天：今天发布，第 5 天为截止日。"),
    )
    acceptances = forms.TypedMultipleChoiceField(
        label=gettext_lazy("公示的验收申请"), coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["acceptances"].choices = [
            (a.pk, f"{a.organisation.name}（{a.subsidy_total:,.2f} 元）") for a in candidates
        ]


class ObjectionForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    received_on = forms.DateField(label=gettext_lazy("收到日期"), widget=forms.DateInput(attrs={"type": "date"}))
    content = forms.CharField(
        label=gettext_lazy("异议内容"), max_length=publicity.TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )


class ResolveForm(forms.Form):
    objection = forms.IntegerField(widget=forms.HiddenInput)
    resolution = forms.CharField(
        label=gettext_lazy("处理结果"), max_length=publicity.TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )


class PayForm(forms.Form):
    tranche = forms.IntegerField(widget=forms.HiddenInput)
    paid_on = forms.DateField(label=gettext_lazy("拨付日期"), widget=forms.DateInput(attrs={"type": "date"}))
    voucher_number = forms.CharField(label=gettext_lazy("凭证号"), max_length=disbursement.VOUCHER_MAX)


# --- Who -------------------------------------------------------------------------------------------------------------------
def _member(request):
    return check_module_access(request, publicity.MODULE)


def _bureau(request):
    module, membership = _member(request)
    if not publicity.is_bureau(membership):
        raise PermissionDenied(_("只有市工信局可以办理公示。"))
    return module, membership


def _download(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.XLSX)
    response["Content-Disposition"] = content_disposition_header(True, name)  # RFC 5987 for the Chinese name
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def _batch_or_404(membership, pk) -> PublicityBatch:
    try:
        return publicity.access_batch(membership, pk)
    except DomainError as error:
        raise Http404(error.message) from None


# --- The bureau's batches -----------------------------------------------------------------------------------------------
@login_required
def batches(request):
    """公示批次: the city's batches, newest first; finance is sent to the payments it handles."""
    module, membership = _member(request)
    if not publicity.is_bureau(membership):
        if disbursement.is_finance(membership):
            return redirect("publicity-payments")
        raise PermissionDenied(_("只有市工信局可以办理公示。"))
    context = {
        "module": module,
        "page": paginate(request, publicity.batches_visible(membership)),
        "table": BATCHES,
        "waiting": publicity.candidates(membership).count(),
    }
    return render(request, "pilots/publicity/batches.html", context)


@login_required
def batch_new(request):
    """新建公示批次: choose among the acceptances at the publicity stage (each with its subsidy total)."""
    module, membership = _bureau(request)
    candidates = list(publicity.candidates(membership)[: publicity.ITEMS_MAX])
    form = BatchForm(request.POST or None, candidates=candidates)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                batch = publicity.batch_create(
                    membership=membership,
                    title=form.cleaned_data["title"],
                    days=form.cleaned_data["days"],
                    acceptance_ids=form.cleaned_data["acceptances"],
                )
            except DomainError as error:
                attach_error(form, error)
                status = error.status
            else:
                messages.success(request, _("公示批次已创建，核对后点击“发布”。"))
                return redirect("publicity-batch", pk=batch.pk)
        else:
            status = 400
    context = {"module": module, "form": form, "candidates": candidates}
    return render(request, "pilots/publicity/batch_new.html", context, status=status)


def _batch_context(request, module, membership, batch, *, objection_form=None, resolve_form=None, error="") -> dict:
    items = list(publicity.batch_items(batch))
    for item in items:
        item.open_count = sum(1 for o in item.objections.all() if not o.resolution)
        application = item.acceptance.application
        item.at_publicity = publicity.stage_carries_publicity(application)
    today = timezone.localdate()
    return {
        "module": module,
        "batch": batch,
        "items": items,
        "today": today,
        "can_close": batch.state == PublicityBatch.State.PUBLISHED and batch.ends_on < today,
        "objection_form": objection_form,
        "resolve_form": resolve_form,
        "error": error,
        "new_objection": ObjectionForm(initial={"received_on": today}),
    }


ACTIONS = ("publish", "close", "delete", "object", "resolve")


@login_required
def batch_detail(request, pk: int):
    """A batch: its items and objections; 发布 (draft), 登记异议 / 处理异议, 结束公示 (after the last day)."""
    module, membership = _bureau(request)
    batch = _batch_or_404(membership, pk)
    if request.method != "POST":
        return render(request, "pilots/publicity/batch.html", _batch_context(request, module, membership, batch))
    action = request.POST.get("do", "")
    if action not in ACTIONS:
        return redirect("publicity-batch", pk=batch.pk)
    objection_form = resolve_form = None
    try:
        if action == "publish":
            publicity.batch_publish(membership=membership, batch_id=batch.pk)
            messages.success(request, _("公示已发布，门户网站“公示公告”中可见。"))
        elif action == "close":
            outcome = publicity.batch_close(membership=membership, batch_id=batch.pk)
            messages.success(
                request,
                _("公示已结束：%(approved)s 项通过公示进入资金拨付，%(kept)s 项因异议未处理仍在公示环节。")
                % {"approved": len(outcome["approved"]), "kept": len(outcome["kept"])},
            )
        elif action == "delete":
            publicity.batch_delete(membership=membership, batch_id=batch.pk)
            messages.success(request, _("公示批次已删除。"))
            return redirect("publicity-batches")
        elif action == "object":
            objection_form = ObjectionForm(request.POST)
            if not objection_form.is_valid():
                raise DomainError(_("请按提示填写异议信息。"), code="publicity.invalid")
            data = objection_form.cleaned_data
            publicity.objection_record(
                membership=membership, item_id=data["item"], received_on=data["received_on"], content=data["content"]
            )
            messages.success(request, _("异议已登记。"))
        else:
            resolve_form = ResolveForm(request.POST)
            if not resolve_form.is_valid():
                raise DomainError(_("请填写处理结果。"), code="publicity.invalid", field="resolution")
            data = resolve_form.cleaned_data
            publicity.objection_resolve(
                membership=membership, objection_id=data["objection"], resolution=data["resolution"]
            )
            messages.success(request, _("异议处理结果已登记。"))
    except DomainError as error:
        form = objection_form or resolve_form
        if form is not None and form.is_bound and error.code != "publicity.invalid":
            attach_error(form, error)
        batch = _batch_or_404(membership, pk)
        context = _batch_context(
            request,
            module,
            membership,
            batch,
            objection_form=objection_form,
            resolve_form=resolve_form,
            error=error.message if form is None else "",
        )
        return render(request, "pilots/publicity/batch.html", context, status=error.status)
    return redirect("publicity-batch", pk=batch.pk)


# --- Finance: tranches to pay -----------------------------------------------------------------------------------------
@login_required
def payments(request):
    """资金拨付: tranches to pay (or paid), each with its pay form; POST pays one."""
    module, membership = _member(request)
    if not (disbursement.is_finance(membership) or publicity.is_bureau(membership)):
        raise PermissionDenied(_("只有财政部门可以登记资金拨付。"))
    state = request.GET.get("state", disbursement.State.PENDING)
    if state not in (disbursement.State.PENDING, disbursement.State.PAID, "all"):
        state = disbursement.State.PENDING
    failed, status = None, 200
    if request.method == "POST":
        form = PayForm(request.POST)
        try:
            if not form.is_valid():
                raise DomainError(_("请按提示填写拨付信息。"), code="disbursement.invalid")
            data = form.cleaned_data
            disbursement.tranche_pay(
                membership=membership,
                tranche_id=data["tranche"],
                paid_on=data["paid_on"],
                voucher_number=data["voucher_number"],
            )
        except DomainError as error:
            if error.code != "disbursement.invalid":
                attach_error(form, error)
            failed, status = form, error.status
        else:
            messages.success(request, _("拨付已登记。"))
            return redirect(f"{reverse('publicity-payments')}?state={state}")
    queryset = disbursement.tranches_visible(membership, "" if state == "all" else state)
    page = paginate(request, queryset)
    today = timezone.localdate()
    failed_id = failed.data.get("tranche") if failed is not None else None
    for tranche in page.object_list:
        if failed is not None and str(tranche.pk) == str(failed_id):
            tranche.pay_form = failed
        else:
            tranche.pay_form = PayForm(initial={"tranche": tranche.pk, "paid_on": today}, prefix=None)
    context = {
        "module": module,
        "page": page,
        "table": TRANCHES,
        "state": state,
        "states": [
            (disbursement.State.PENDING, _("待拨付")),
            (disbursement.State.PAID, _("已拨付")),
            ("all", _("全部")),
        ],
        "can_pay": disbursement.is_finance(membership),
        "failed": failed,
    }
    return render(request, "pilots/publicity/payments.html", context, status=status)


# --- Workbooks ------------------------------------------------------------------------------------------------------------
def _exporter(request):
    _module, membership = _member(request)
    if not exports.may_export(membership):
        raise PermissionDenied(_("只有市工信局和财政部门可以导出。"))
    return membership


def _stamp() -> str:
    return timezone.localdate().strftime("%Y%m%d")


@login_required
def export_admissions(request):
    _exporter(request)
    return _download(exports.admissions_xlsx(), exports.download_name(_("入库申请"), _stamp()))


@login_required
def export_acceptances(request):
    _exporter(request)
    return _download(exports.acceptances_xlsx(), exports.download_name(_("验收及补贴申请"), _stamp()))


@login_required
def export_batch(request, pk: int):
    _module, membership = _bureau(request)
    batch = _batch_or_404(membership, pk)
    return _download(exports.batch_xlsx(batch), exports.download_name(batch.title, _("公示名单"), _stamp()))


# --- The portal ------------------------------------------------------------------------------------------------------------
def public_batches(request):
    """公示公告 for anyone where the module is on: published and closed batches."""
    ensure_module(request, publicity.MODULE)
    page = paginate(request, publicity.public_batches(), default=10, sizes=(10, 20, 50))
    return render(request, "pilots/publicity/public_list.html", {"page": page, "table": PUBLIC_BATCHES})


def public_batch(request, pk: int):
    """One published or closed batch: its table, the period and how to object; drafts and unknown ids are 404."""
    ensure_module(request, publicity.MODULE)
    try:
        batch = publicity.public_batch(pk)
    except DomainError as error:
        raise Http404(error.message) from None
    items = list(batch.items.order_by("pk"))
    for number, item in enumerate(items, start=1):
        item.number = number
    context = {
        "batch": batch,
        "items": items,
        "table": PUBLIC_ITEMS,
        "contact": publicity.objection_contact(),
        "open": batch.state == PublicityBatch.State.PUBLISHED,
        "recognised_total": sum((i.recognised_amount for i in items), publicity.ZERO),
        "subsidy_total": sum((i.subsidy for i in items), publicity.ZERO),
    }
    return render(request, "pilots/publicity/public_detail.html", context)
