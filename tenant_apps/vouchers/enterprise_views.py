"""The enterprise's voucher pages (/workbench/vouchers/…): 服务券活动 (list, an activity's page, 立即抢券, 立即申请)
and 服务券查询 (my vouchers, my requests, a voucher's history). Thin: services write, selectors read; a refusal
comes back as a message on the activity page with the status the service chose (403, 409, 429…), never a 500."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shared_apps.ui.pagination import paginate
from shared_apps.ui.tables import Column, Table
from tenant_apps.organisations.access import check_module_access
from tenant_apps.organisations.models import Organisation
from tenant_apps.vouchers import issuing, requests, selectors
from tenant_apps.vouchers.access import MODULE
from tenant_apps.vouchers.enterprise_forms import ApplyForm, WalletFilterForm
from tenant_apps.vouchers.public_views import activity_id_of_type, render_activity, render_activity_list
from tenants.errors import DomainError, attach_error


def _member(request):
    _module, membership = check_module_access(request, MODULE)
    return membership


def _enterprise(request):
    """The caller's membership when their organisation is an enterprise (certified or not: an uncertified one
    simply holds nothing yet); a 403 page for providers and operations."""
    membership = _member(request)
    organisation = membership.organisation
    if organisation is None or organisation.kind != Organisation.Kind.ENTERPRISE:
        raise PermissionDenied(_("仅企业用户可以查看服务券。"))
    return membership


def _validity(voucher) -> str:
    return f"{voucher.valid_from:%Y-%m-%d} {_('至')} {voucher.valid_to:%Y-%m-%d}"


# 服务券查询
WALLET = Table(
    columns=(
        Column(
            gettext_lazy("服务券名称"),
            template="vouchers/wallet/cells/name.html",
            wrap=True,
            primary=True,
            name="title",
        ),
        Column(gettext_lazy("券号"), "number", width="11em"),
        Column(gettext_lazy("余额（元）"), "balance", align="end", width="8em", format="money", name="balance"),
        Column(gettext_lazy("面值（元）"), "face_value", align="end", width="8em", format="money"),
        Column(gettext_lazy("有效期"), _validity, width="12em"),
        Column(gettext_lazy("状态"), template="vouchers/wallet/cells/state.html", width="6em", name="state"),
        Column(gettext_lazy("计费模式"), "type.get_billing_mode_display", width="6em"),
        Column(gettext_lazy("操作"), template="vouchers/wallet/cells/actions.html", width="7em", name="actions"),
    ),
    empty=gettext_lazy("暂无服务券。可在“服务券活动”中抢券或申请。"),
    row_attrs=lambda voucher: {"data-voucher": voucher.pk},
)

# 申请记录
REQUESTS = Table(
    columns=(
        Column(gettext_lazy("服务券名称"), "type.name", wrap=True, primary=True, name="title"),
        Column(gettext_lazy("活动"), "type.activity.name", wrap=True),
        Column(gettext_lazy("申请说明"), lambda r: r.reason or "—", wrap=True),
        Column(gettext_lazy("申请时间"), "created_at", format="datetime", width="9.5em"),
        Column(gettext_lazy("状态"), template="vouchers/wallet/cells/request_state.html", width="6em", name="state"),
        Column(
            gettext_lazy("操作"), template="vouchers/wallet/cells/request_actions.html", width="9em", name="actions"
        ),
    ),
    empty=gettext_lazy("暂无服务券申请记录。"),
    row_attrs=lambda request: {"data-request": request.pk},
)

# A voucher's history
HISTORY = Table(
    columns=(
        Column(gettext_lazy("时间"), "created_at", format="datetime", width="9.5em"),
        Column(gettext_lazy("类型"), "get_kind_display", width="5em", name="kind"),
        Column(gettext_lazy("金额（元）"), lambda e: f"{e.amount:+,.2f}", align="end", width="9em", name="amount"),
        Column(gettext_lazy("变动后余额（元）"), "balance_after", align="end", width="9em", format="money"),
        Column(gettext_lazy("订单"), template="vouchers/wallet/cells/order.html", width="11em", name="order"),
        Column(gettext_lazy("说明"), lambda e: e.note or "—", wrap=True),
    ),
    empty=gettext_lazy("暂无记录。"),
    row_attrs=lambda entry: {"data-entry": entry.pk, "data-kind": entry.kind},
)


# --- 服务券活动 ------------------------------------------------------------------------------------------------------
@login_required
def activities(request):
    """服务券活动 in the workbench (the same list as /vouchers/)."""
    _member(request)
    return render_activity_list(request, public=False)


@login_required
def activity(request, activity_id: int):
    """An activity's page in the workbench: the types, the enterprise's status per type, 立即抢券 / 立即申请."""
    return render_activity(request, activity_id, membership=_member(request), public=False)


def _refused(request, membership, type_id: int, *, message: str = "", status: int = 400, forms=None):
    """The refusal as a message on the activity page (the typed reason kept), with the service's status."""
    activity_id = activity_id_of_type(type_id)
    if activity_id is None:  # the type is not on show (unknown, unpublished, over)
        raise Http404(message)
    return render_activity(
        request, activity_id, membership=membership, public=False, forms=forms, error=message, status=status
    )


def _activity_page(type_id: int, voucher_id: int | None = None) -> str:
    """Where a claim leads: the activity's page (with a link to the new voucher), or the voucher itself when the
    activity is no longer on show."""
    activity_id = activity_id_of_type(type_id)
    if activity_id is None:
        return reverse("voucher-detail", args=[voucher_id]) if voucher_id else reverse("voucher-wallet")
    url = reverse("voucher-activity", args=[activity_id])
    return f"{url}?got={voucher_id}" if voucher_id else url


@login_required
def grab(request, type_id: int):
    """立即抢券. The page draws an idempotency key into the form: a double submit returns the first voucher."""
    membership = _member(request)
    if request.method != "POST":
        return redirect("voucher-activities")
    try:
        voucher, created = issuing.grab(
            membership=membership, type_id=type_id, claim_key=request.POST.get("idempotency_key", "")
        )
    except DomainError as error:
        return _refused(request, membership, type_id, message=error.message, status=error.status)
    if created:
        text = _("抢券成功：%(name)s（券号 %(number)s）。") % {"name": voucher.name, "number": voucher.number}
        messages.success(request, text)
    else:
        messages.info(request, _("您已领取该服务券（券号 %(number)s）。") % {"number": voucher.number})
    return redirect(_activity_page(voucher.type_id, voucher.pk))


@login_required
def apply(request, type_id: int):
    """立即申请, with an optional reason; the tenant's 服务券申请审核 chain decides."""
    membership = _member(request)
    if request.method != "POST":
        return redirect("voucher-activities")
    form = ApplyForm(request.POST, prefix=f"t{type_id}")
    if not form.is_valid():
        return _refused(request, membership, type_id, forms={type_id: form})
    try:
        requests.request_submit(membership=membership, type_id=type_id, reason=form.cleaned_data["reason"])
    except DomainError as error:
        message = error.message
        if error.field == "reason":  # next to the field, as typed
            attach_error(form, error)
            message = ""
        return _refused(request, membership, type_id, message=message, status=error.status, forms={type_id: form})
    messages.success(request, _("申请已提交，请等待审核。审核进度可在“服务券查询 → 申请记录”中查看。"))
    return redirect(_activity_page(type_id))


# --- 服务券查询 ------------------------------------------------------------------------------------------------------
@login_required
def wallet(request):
    """服务券查询: my vouchers (state filter, paginated) or, on the second tab, my requests."""
    membership = _enterprise(request)
    tab = "requests" if request.GET.get("tab") == "requests" else "vouchers"
    filters = WalletFilterForm(request.GET or None)
    if tab == "requests":
        page = paginate(request, selectors.my_requests(membership))
        table = REQUESTS
    else:
        state = filters.cleaned_data["state"] if filters.is_valid() else ""
        page = paginate(request, selectors.my_vouchers(membership, state=state))
        page.object_list = list(page.object_list)
        for voucher in page.object_list:
            voucher.state_code, voucher.state_label = selectors.voucher_state(voucher)
            voucher.state_tone = selectors.STATE_TONES.get(voucher.state_code, "info")
        table = WALLET
    context = {"page": page, "table": table, "filters": filters, "tab": tab}
    return render(request, "vouchers/wallet/list.html", context)


@login_required
def voucher_detail(request, voucher_id: int):
    """A voucher of the caller's enterprise and its history; 404 for anyone else's."""
    membership = _enterprise(request)
    try:
        voucher = selectors.access_voucher(membership, voucher_id)
    except DomainError:
        raise Http404 from None
    code, label = selectors.voucher_state(voucher)
    page = paginate(request, selectors.voucher_history(voucher))
    context = {
        "voucher": voucher,
        "state_code": code,
        "state_label": label,
        "state_tone": selectors.STATE_TONES.get(code, "info"),
        "validity": _validity(voucher),
        "page": page,
        "table": HISTORY,
    }
    return render(request, "vouchers/wallet/detail.html", context)
