"""Operations' voucher pages (/workbench/vouchers/manage/…): activities and their voucher types, the issuance and
redemption figures (XLSX), the deduction rule, and settlement statements (XLSX, PDF). Operations act; the city's
administrators may read. Thin: services write (`activities`, `rules`, `settlements`), selectors read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shared_apps.ui.pagination import paginate
from shared_apps.ui.tables import Column, Table
from tenant_apps.organisations.selectors import current_membership
from tenant_apps.vouchers import access, activities, exports, ops_selectors, rules, selectors, settlements
from tenant_apps.vouchers import ops_forms as forms
from tenants.errors import DomainError, attach_error
from tenants.modules import ensure_module

SETTLEMENT_TONES = {"draft": "warning", "confirmed": "success"}


def _ops(request, *, write: bool = False):
    """The caller's membership when they run vouchers here (ops; tenant admins to read); a 403 page otherwise.
    The module switched off answers 404 first."""
    ensure_module(request, access.MODULE)
    membership = current_membership(request.user)
    if membership is not None and not membership.can_use_module(access.MODULE):
        membership = None
    try:
        access.ops_of(membership, write=write)
    except DomainError as error:
        raise PermissionDenied(error.message) from None
    return membership


def _can_write(membership) -> bool:
    return membership.has_role("ops")


def _download(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name)  # RFC 5987 for the Chinese name
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


# --- Activities --------------------------------------------------------------------------------------------------------
ACTIVITIES = Table(
    columns=(
        Column(gettext_lazy("活动名称"), template="vouchers/ops/cells/activity_name.html", wrap=True, primary=True,
               name="title"),
        Column(gettext_lazy("开始时间"), "starts_at", format="datetime", width="9.5em"),
        Column(gettext_lazy("结束时间"), "ends_at", format="datetime", width="9.5em"),
        Column(gettext_lazy("状态"), template="vouchers/ops/cells/activity_state.html", width="6em", name="state"),
        Column(gettext_lazy("服务券类型"), "type_count", align="end", width="6em"),
        Column(gettext_lazy("操作"), template="vouchers/ops/cells/activity_actions.html", width="7em", name="actions"),
    ),
    empty=gettext_lazy("暂无服务券活动。"),
    row_attrs=lambda activity: {"data-activity": activity.pk},
)  # fmt: skip


@login_required
def activity_list(request):
    """活动管理: every activity with its state (草稿 / 已上架 / 已结束) and number of voucher types."""
    membership = _ops(request)
    filters = forms.ActivityFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    page = paginate(request, ops_selectors.activity_list(state=data.get("state", ""), q=data.get("q", "")))
    page.object_list = list(page.object_list)
    for activity in page.object_list:
        activity.state_label = ops_selectors.ACTIVITY_STATES[activity.state_code]
        activity.state_tone = ops_selectors.ACTIVITY_TONES[activity.state_code]
    context = {"page": page, "table": ACTIVITIES, "filters": filters, "can_write": _can_write(membership)}
    return render(request, "vouchers/ops/activities.html", context)


@login_required
def activity_edit(request, pk: int | None = None):
    """新建活动 / 编辑活动."""
    membership = _ops(request, write=True)
    activity = activities.activity_of(pk) if pk is not None else None
    initial = forms.ActivityForm.initial_of(activity) if activity else None
    form = forms.ActivityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = activities.activity_save(
                actor=membership.user,
                data=form.service_data(),
                activity=activity,
                industry_ids=form.industry_ids(),
                expected_version=form.cleaned_data.get("version"),
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            messages.success(request, _("活动已保存。") if activity else _("活动已创建，请添加服务券后上架。"))
            return redirect("voucher-ops-activity", saved.pk)
    context = {"form": form, "activity": activity}
    return render(request, "vouchers/ops/activity_form.html", context, status=400 if form.errors else 200)


def _issued(row) -> str:
    return f"{row['issued']}（{row['grabbed']}/{row['applied']}）"


# 发放与使用: one row per voucher type (selectors.activity_figures), then the activity's totals.
FIGURES = Table(
    columns=(
        Column(gettext_lazy("服务券"), "type.name", wrap=True, primary=True, name="title"),
        Column(gettext_lazy("发放总量"), "stock_total", align="end", name="stock_total"),
        Column(gettext_lazy("剩余"), "stock_left", align="end", name="stock_left"),
        Column(gettext_lazy("已发放（抢券/申请）"), _issued, align="end", name="issued"),
        Column(gettext_lazy("领取企业数"), "holders", align="end", name="holders"),
        Column(gettext_lazy("发放面值（元）"), "issued_value", align="end", format="money", name="issued_value"),
        Column(gettext_lazy("已抵扣（元）"), "deducted", align="end", format="money", name="deducted"),
        Column(gettext_lazy("使用订单数"), "orders", align="end", name="orders"),
        Column(gettext_lazy("已过期（元）"), "expired", align="end", format="money", name="expired"),
        Column(gettext_lazy("未使用余额（元）"), "outstanding", align="end", format="money", name="outstanding"),
    ),
    empty=gettext_lazy("尚未添加服务券。"),
    row_attrs=lambda row: {"data-type": getattr(row["type"], "pk", "total")},
)


def _figures_context(activity) -> dict:
    rows = selectors.activity_figures(activity)
    if len(rows) > 1:
        rows = [*rows, {"type": {"name": _("合计")}, "holders": None, **exports.figure_totals(rows)}]
    return {"figures": rows, "figures_table": FIGURES}


def _validity(vtype) -> str:
    if vtype.valid_days:
        return _("领取后 %(n)s 天") % {"n": vtype.valid_days}
    return f"{vtype.valid_from:%Y-%m-%d} — {vtype.valid_to:%Y-%m-%d}"


_TYPE_COLUMNS = (
    Column(gettext_lazy("服务券名称"), "name", wrap=True, primary=True, name="title"),
    Column(gettext_lazy("面值（元）"), "face_value", align="end", format="money", width="8em"),
    Column(gettext_lazy("领取方式"), template="vouchers/ops/cells/type_method.html", width="10em"),
    Column(gettext_lazy("有效期"), _validity, width="12em"),
    Column(gettext_lazy("剩余/总量"), lambda t: f"{t.stock_left} / {t.stock_total}", align="end", name="stock"),
    Column(gettext_lazy("每家限领"), "per_enterprise_limit", align="end", width="5em"),
    Column(gettext_lazy("适用范围"), template="vouchers/ops/cells/type_scope.html", wrap=True),
)
TYPES = Table(
    columns=_TYPE_COLUMNS,
    empty=gettext_lazy("尚未添加服务券，添加后才能上架。"),
    row_attrs=lambda vtype: {"data-type": vtype.pk, "data-stock": vtype.stock_left},
)
TYPES_FOR_WRITERS = Table(
    columns=(
        *_TYPE_COLUMNS,
        Column(gettext_lazy("操作"), template="vouchers/ops/cells/type_actions.html", width="4em", name="actions"),
    ),
    empty=TYPES.empty,
    row_attrs=TYPES.row_attrs,
)


@login_required
def activity_detail(request, pk: int):
    """An activity: its facts, its voucher types with stock, 上架 / 下架, and the figures of issuance and use."""
    membership = _ops(request)
    activity = activities.activity_of(pk)
    if request.method == "POST":
        _ops(request, write=True)
        do = request.POST.get("do", "")
        if do in ("publish", "unpublish"):
            try:
                activities.activity_publish(activity=activity, published=do == "publish")
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("活动已上架。") if do == "publish" else _("活动已下架。"))
        return redirect("voucher-ops-activity", activity.pk)
    state = ops_selectors.activity_state(activity)
    context = {
        "activity": activity,
        "industries": list(activity.industries.all()),
        "types": list(ops_selectors.activity_types(activity)),
        "state_code": state,
        "state_label": ops_selectors.ACTIVITY_STATES[state],
        "state_tone": ops_selectors.ACTIVITY_TONES[state],
        "can_write": _can_write(membership),
        "types_table": TYPES_FOR_WRITERS if _can_write(membership) else TYPES,
        **_figures_context(activity),
    }
    return render(request, "vouchers/ops/activity_detail.html", context)


@login_required
def type_edit(request, activity_pk: int, type_pk: int | None = None):
    """添加服务券 / 编辑服务券 of an activity."""
    _ops(request, write=True)
    activity = activities.activity_of(activity_pk)
    vtype = ops_selectors.activity_type(activity, type_pk) if type_pk is not None else None
    initial = forms.VoucherTypeForm.initial_of(vtype) if vtype else None
    form = forms.VoucherTypeForm(request.POST or None, initial=initial, vtype=vtype)
    if request.method == "POST" and form.is_valid():
        try:
            activities.type_save(
                activity=activity,
                data=form.service_data(),
                vtype=vtype,
                catalogue_ids=form.ids("catalogues"),
                category_ids=form.ids("categories"),
                provider_ids=form.ids("providers"),
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            messages.success(request, _("服务券已保存。"))
            return redirect("voucher-ops-activity", activity.pk)
    issued = (vtype.stock_total - vtype.stock_left) if vtype else 0
    context = {"form": form, "activity": activity, "vtype": vtype, "issued": issued}
    return render(request, "vouchers/ops/type_form.html", context, status=400 if form.errors else 200)


@login_required
def figures_xlsx(request, pk: int):
    """The activity's figures per voucher type, and every voucher it issued, as a workbook."""
    _ops(request)
    activity = activities.activity_of(pk)
    content = exports.figures_xlsx(activity, selectors.activity_figures(activity))
    stamp = timezone.localdate().strftime("%Y%m%d")
    return _download(
        content, exports.XLSX, exports.download_name(activity.name, _("发放与使用"), stamp, extension="xlsx")
    )


# --- The deduction rule ----------------------------------------------------------------------------------------------
@login_required
def rules_page(request):
    """抵扣规则: the cap (a percentage of the order) and the grab throttle."""
    membership = _ops(request)
    current = rules.current_rules()
    form = forms.RulesForm(request.POST or None, initial=forms.RulesForm.initial_of(current))
    if request.method == "POST":
        _ops(request, write=True)
        if form.is_valid():
            try:
                rules.rules_save(actor=membership.user, **form.cleaned_data)
            except DomainError as error:
                attach_error(form, error)
            else:
                messages.success(request, _("抵扣规则已保存，将用于此后新下的订单。"))
                return redirect("voucher-ops-rules")
    context = {
        "form": form,
        "current": current,
        "ratio_label": rules.ratio_label(current.cap_ratio),
        "can_write": _can_write(membership),
    }
    return render(request, "vouchers/ops/rules.html", context, status=400 if form.errors else 200)


# --- Settlements -------------------------------------------------------------------------------------------------------
SETTLEMENTS = Table(
    columns=(
        Column(gettext_lazy("结算单号"), template="vouchers/ops/cells/settlement_number.html", width="11em",
               primary=True),
        Column(gettext_lazy("服务商"), "provider.name", wrap=True, name="title"),
        Column(gettext_lazy("结算期"), lambda s: f"{s.period_start:%Y-%m-%d} — {s.period_end:%Y-%m-%d}",
               width="14em"),
        Column(gettext_lazy("笔数"), "item_count", align="end", width="4em"),
        Column(gettext_lazy("结算金额（元）"), "total", align="end", width="9em", format="money", name="total"),
        Column(gettext_lazy("状态"), template="vouchers/ops/cells/settlement_state.html", width="6em", name="state"),
        Column(gettext_lazy("生成时间"), "created_at", format="datetime", width="9.5em"),
        Column(gettext_lazy("操作"), template="vouchers/ops/cells/settlement_actions.html", width="5em",
               name="actions"),
    ),
    empty=gettext_lazy("暂无结算单。"),
    row_attrs=lambda settlement: {"data-settlement": settlement.pk},
)  # fmt: skip


@login_required
def settlement_list(request):
    """结算管理: statements (filter by provider and state) and 生成结算单 for a period."""
    membership = _ops(request)
    draft_form = forms.SettlementDraftForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        _ops(request, write=True)
        if draft_form.is_valid():
            data = draft_form.cleaned_data
            provider = data.get("provider")
            try:
                made = settlements.settlement_draft(
                    actor=membership.user,
                    provider_id=provider.pk if provider else None,
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                )
            except DomainError as error:
                attach_error(draft_form, error)
            else:
                messages.success(request, _("已生成 %(n)s 张待确认的结算单。") % {"n": len(made)})
                if len(made) == 1:
                    return redirect("voucher-settlement", made[0].pk)
                return redirect("voucher-settlements")
    filters = forms.SettlementFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    provider = data.get("provider")
    page = paginate(
        request, settlements.settlements(provider_id=provider.pk if provider else None, state=data.get("state", ""))
    )
    page.object_list = list(page.object_list)
    for settlement in page.object_list:
        settlement.state_tone = SETTLEMENT_TONES.get(settlement.state, "info")
    context = {
        "page": page,
        "table": SETTLEMENTS,
        "filters": filters,
        "draft_form": draft_form,
        "can_write": _can_write(membership),
    }
    return render(request, "vouchers/ops/settlements.html", context, status=400 if draft_form.errors else 200)


LINES = Table(
    columns=(
        Column(gettext_lazy("订单编号"), "order_number", width="11em", primary=True, name="order"),
        Column(gettext_lazy("买方"), "buyer", wrap=True, name="title"),
        Column(gettext_lazy("服务券名称/券号"), template="vouchers/ops/cells/line_voucher.html", width="13em"),
        Column(gettext_lazy("订单金额（元）"), "order_total", align="end", format="money", width="9em"),
        Column(gettext_lazy("抵扣金额（元）"), "amount", align="end", format="money", width="9em", name="amount"),
        Column(gettext_lazy("支付凭证审核通过日期"), "paid_at", format="date", width="10em"),
    ),
    empty=gettext_lazy("该结算单没有明细。"),
)


@login_required
def settlement_detail(request, pk: int):
    """A statement: its facts and lines; 确认 (final) and 作废草稿 while it is a draft."""
    membership = _ops(request)
    settlement = settlements.access_settlement(membership, pk)
    if request.method == "POST":
        _ops(request, write=True)
        do = request.POST.get("do", "")
        try:
            if do == "confirm":
                settlements.settlement_confirm(actor=membership.user, settlement_id=settlement.pk)
                messages.success(request, _("结算单已确认。"))
            elif do == "discard":
                number = settlements.settlement_discard(actor=membership.user, settlement_id=settlement.pk)
                messages.success(request, _("结算单 %(number)s 已作废，其中的抵扣可重新结算。") % {"number": number})
                return redirect("voucher-settlements")
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("voucher-settlement", settlement.pk)
    page = paginate(request, settlements.settlement_items(settlement).order_by("deduction__order__paid_at", "pk"))
    page.object_list = [settlements.line_of(item) for item in page.object_list]
    context = {
        "settlement": settlement,
        "facts": exports.settlement_facts(settlement),
        "page": page,
        "lines_table": LINES,
        "total_label": f"{settlement.total:,.2f}",
        "state_tone": SETTLEMENT_TONES.get(settlement.state, "info"),
        "can_write": _can_write(membership),
    }
    return render(request, "vouchers/ops/settlement_detail.html", context)


def _settlement_download(request, pk: int, kind: str):
    membership = _ops(request)
    settlement = settlements.access_settlement(membership, pk)
    lines = settlements.settlement_lines(settlement)
    name = exports.download_name(_("服务券结算单"), settlement.number, settlement.provider.name, extension=kind)
    if kind == "pdf":
        return _download(exports.settlement_pdf(settlement, lines), "application/pdf", name)
    return _download(exports.settlement_xlsx(settlement, lines), exports.XLSX, name)


@login_required
def settlement_xlsx(request, pk: int):
    return _settlement_download(request, pk, "xlsx")


@login_required
def settlement_pdf(request, pk: int):
    return _settlement_download(request, pk, "pdf")
