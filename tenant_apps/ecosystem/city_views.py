"""The anchor unit's and the city's pages in the workbench (/workbench/ecosystem/).

- 产业生态联合体 (`ecosystem-alliance`): the anchor unit's members (joined, pooled products), its pool, the members who
  left, how many confirmations wait in 待我审批; 移出联合体 with a reason; XLSX of members and pool.
- 生态总览 (`ecosystem-overview`): for operations, the bureau and the tenant admin — counts per anchor unit, every
  declaration and product across units (filters: unit, state, name), each linked to the engine's application page;
  one unit's alliance page (`ecosystem-unit`) where the city may also 移出; XLSX of both lists.

Reviews themselves stay in the engine's inbox and application page. Thin views: reads through `selectors`, the one
write through `alliances.member_leave`; a refusal lands next to its field and the page answers with its status."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shared_apps.ui.pagination import paginate
from shared_apps.ui.tables import Column, Table
from tenant_apps.ecosystem import alliances, common, exports, selectors
from tenant_apps.ecosystem.models import Status
from tenant_apps.organisations.access import check_module_access
from tenants.errors import DomainError, attach_error

MODULE = "ecosystem"
LEAVE_REASON_MAX = 200

MEMBERS = Table(
    columns=(
        Column(gettext_lazy("服务商"), "organisation.name", wrap=True, primary=True, name="title"),
        Column(gettext_lazy("统一社会信用代码"), "organisation.uscc", width="13em"),
        Column(gettext_lazy("加入时间"), "joined_at", format="datetime", width="9.5em"),
        Column(gettext_lazy("入池产品数"), "products", align="end", width="6em"),
        Column(gettext_lazy("操作"), template="ecosystem/city/cells/member_actions.html", width="22em",
               name="actions"),
    ),
    empty=gettext_lazy("联合体暂无成员。服务商申报经本单位确认后加入联合体。"),
    row_attrs=lambda member: {"data-member": member.pk},
)  # fmt: skip

POOL = Table(
    columns=(
        Column(gettext_lazy("产品/服务名称"), template="ecosystem/city/cells/pool_product.html", wrap=True,
               primary=True, name="title"),
        Column(gettext_lazy("服务商"), "product.organisation.name", wrap=True),
        Column(gettext_lazy("产品/服务类别"), lambda entry: exports.categories(entry.product), wrap=True),
        Column(gettext_lazy("报价（元）"), lambda entry: exports.price_range(entry.product), width="14em"),
        Column(gettext_lazy("入池时间"), "added_at", format="datetime", width="9.5em"),
    ),
    empty=gettext_lazy("产品池暂无产品。联合体成员的产品审核通过后进入产品池。"),
    row_attrs=lambda entry: {"data-pool-entry": entry.pk, "data-product": entry.product_id},
)  # fmt: skip

FORMER = Table(
    columns=(
        Column(gettext_lazy("服务商"), "organisation.name", wrap=True, primary=True, name="title"),
        Column(gettext_lazy("加入时间"), "joined_at", format="datetime", width="9.5em"),
        Column(gettext_lazy("退出时间"), "left_at", format="datetime", width="9.5em"),
        Column(gettext_lazy("退出原因"), "left_reason", wrap=True),
    ),
    empty=gettext_lazy("暂无退出记录。"),
    row_attrs=lambda member: {"data-former": member.pk},
)

UNITS = Table(
    columns=(
        Column(gettext_lazy("数字化牵引单位"), template="ecosystem/city/cells/unit_name.html", wrap=True,
               primary=True, name="title"),
        Column(gettext_lazy("联合体成员"), "member_count", align="end", width="6em"),
        Column(gettext_lazy("入池产品"), "pooled_count", align="end", width="6em"),
        Column(gettext_lazy("申报审核中"), "declarations_in_review", align="end", width="6em"),
        Column(gettext_lazy("申报已通过"), "declarations_approved", align="end", width="6em"),
        Column(gettext_lazy("产品审核中"), "products_in_review", align="end", width="6em"),
        Column(gettext_lazy("产品已通过"), "products_approved", align="end", width="6em"),
    ),
    empty=gettext_lazy("本市还没有数字化牵引单位，请在城市配置中添加。"),
    row_attrs=lambda unit: {"data-unit": unit.pk},
)  # fmt: skip

STATE_COLUMN = Column(gettext_lazy("审核状态"), template="ecosystem/city/cells/status.html", width="7em",
                      name="state")  # fmt: skip
STAGE_COLUMN = Column(gettext_lazy("当前环节"), lambda row: exports.stage_name(row.application) or "—", width="9em")
SUBMITTED_COLUMN = Column(gettext_lazy("提交时间"), "application.submitted_at", format="datetime", width="9.5em")
DETAIL_COLUMN = Column(gettext_lazy("操作"), template="ecosystem/city/cells/detail.html", width="5em", name="actions")

DECLARATIONS = Table(
    columns=(
        Column(gettext_lazy("服务商"), "organisation.name", wrap=True, primary=True, name="title"),
        Column(gettext_lazy("数字化牵引单位"), "anchor_unit.name", wrap=True),
        Column(gettext_lazy("申报类型"), lambda row: _("首次申报") if row.is_first else _("再次申报"), width="6em"),
        STATE_COLUMN,
        STAGE_COLUMN,
        SUBMITTED_COLUMN,
        DETAIL_COLUMN,
    ),
    empty=gettext_lazy("没有符合条件的服务商申报。"),
    row_attrs=lambda declaration: {"data-declaration": declaration.pk},
)

PRODUCTS = Table(
    columns=(
        Column(gettext_lazy("产品/服务名称"), "name", wrap=True, primary=True, name="title"),
        Column(gettext_lazy("服务商"), "organisation.name", wrap=True),
        Column(gettext_lazy("审核数字化牵引单位"), "anchor_unit.name", wrap=True),
        Column(gettext_lazy("所在产品池"), lambda row: "、".join(e.anchor_unit.name for e in row.open_pools) or "—",
               wrap=True),
        STATE_COLUMN,
        STAGE_COLUMN,
        SUBMITTED_COLUMN,
        DETAIL_COLUMN,
    ),
    empty=gettext_lazy("没有符合条件的产品申报。"),
    row_attrs=lambda product: {"data-product": product.pk},
)  # fmt: skip

ALLIANCE_TABS = (
    ("members", gettext_lazy("联合体成员")),
    ("pool", gettext_lazy("产品池")),
    ("former", gettext_lazy("退出记录")),
)
OVERVIEW_TABS = (("declarations", gettext_lazy("服务商申报")), ("products", gettext_lazy("产品申报")))


# --- Forms ------------------------------------------------------------------------------------------------------------
class LeaveForm(forms.Form):
    """移出联合体: a reason is required (by the form and again by the service, whose refusal lands here too)."""

    reason = forms.CharField(
        label=gettext_lazy("移出原因"),
        error_messages={"required": gettext_lazy("请填写移出原因。")},  # the service's own words
        max_length=LEAVE_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": LEAVE_REASON_MAX}),
        help_text=gettext_lazy("移出后，该服务商在本联合体产品池中的产品一并移出；其他牵引单位的产品池不受影响。"),
    )


class OverviewFilterForm(forms.Form):
    unit = forms.TypedChoiceField(label=gettext_lazy("数字化牵引单位"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=gettext_lazy("审核状态"), required=False)
    q = forms.CharField(label=gettext_lazy("名称"), required=False, max_length=selectors.MAX_QUERY_LENGTH)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("全部"))]
        self.fields["unit"].choices = everything + selectors.unit_choices()
        self.fields["status"].choices = everything + [
            (code, label) for code, label in Status.choices if code in selectors.CITY_STATUSES
        ]
        self.fields["q"].widget.attrs.update({"placeholder": _("服务商或产品名称"), "type": "search"})

    def filters(self) -> selectors.CityFilters:
        """The valid part of what was asked (an invalid value is ignored, with its message shown)."""
        if self.is_bound:
            self.is_valid()
        data = self.cleaned_data if self.is_bound else {}
        valid = {name: value for name, value in data.items() if name not in self.errors}
        return selectors.CityFilters(
            unit=valid.get("unit"), status=valid.get("status") or "", q=(valid.get("q") or "").strip()
        )


# --- Who ----------------------------------------------------------------------------------------------------------------
def _member(request):
    return check_module_access(request, MODULE)


def _refuse_without_unit(membership) -> None:
    """403 with what to do: an anchor-unit account not linked yet, or another role."""
    if membership.has_role("anchor_unit"):
        raise PermissionDenied(_("您的单位尚未关联牵引单位，请联系城市管理员。"))
    raise PermissionDenied(_("仅数字化牵引单位可以查看本单位的产业生态联合体。"))


def _anchor(request):
    """The anchor unit this person acts for."""
    _module, membership = _member(request)
    unit = selectors.own_unit(membership)
    if unit is None:
        _refuse_without_unit(membership)
    return membership, unit


def _city(request):
    _module, membership = _member(request)
    if not common.is_city(membership):
        raise PermissionDenied(_("仅运营人员、市工信局和城市管理员可以查看生态总览。"))
    return membership


def _download(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.XLSX)
    response["Content-Disposition"] = content_disposition_header(True, name)  # RFC 5987 for the Chinese name
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def _stamp() -> str:
    return timezone.localdate().strftime("%Y%m%d")


def _tab(request, tabs) -> str:
    tab = request.GET.get("tab", "")
    return tab if tab in dict(tabs) else tabs[0][0]


# --- The alliance page (the anchor unit's, or one unit's for the city) ---------------------------------------------------
def _alliance_page(request, membership, unit, *, for_city: bool):
    tab = _tab(request, ALLIANCE_TABS)
    rows, table = {
        "members": (selectors.alliance_members, MEMBERS),
        "pool": (selectors.alliance_pool, POOL),
        "former": (selectors.former_members, FORMER),
    }[tab]
    context = {
        "unit": unit,
        "for_city": for_city,
        "summary": selectors.alliance_summary(unit),
        "pending": None if for_city else selectors.pending_confirmations(membership),
        "tab": tab,
        "tabs": [{"code": code, "label": label, "current": code == tab} for code, label in ALLIANCE_TABS],
        "page": paginate(request, rows(unit)),
        "table": table,
        "export_url": reverse("ecosystem-unit-export", args=[unit.pk])
        if for_city
        else reverse("ecosystem-alliance-export"),
    }
    return render(request, "ecosystem/city/alliance.html", context)


@login_required
def alliance(request):
    """产业生态联合体: the anchor unit's members, pool and history; the city is sent to its overview."""
    _module, membership = _member(request)
    unit = selectors.own_unit(membership)
    if unit is None:
        if common.is_city(membership):
            return redirect("ecosystem-overview")
        _refuse_without_unit(membership)
    return _alliance_page(request, membership, unit, for_city=False)


@login_required
def unit_alliance(request, pk: int):
    """One unit's alliance as the city sees it (it may also 移出 a member there)."""
    membership = _city(request)
    return _alliance_page(request, membership, selectors.unit_for_city(pk), for_city=True)


@login_required
def member_leave(request, pk: int):
    """移出联合体: GET asks for the reason, POST closes the membership and this unit's pool entries of the provider."""
    _module, membership = _member(request)
    own, city = selectors.own_unit(membership), common.is_city(membership)
    if own is None and not city:
        _refuse_without_unit(membership)  # before anything about the member: nothing to probe
    member = selectors.member_to_manage(membership, pk)
    for_city = city and (own is None or own.pk != member.anchor_unit_id)
    back = reverse("ecosystem-unit", args=[member.anchor_unit_id]) if for_city else reverse("ecosystem-alliance")
    form = LeaveForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                alliances.member_leave(membership=membership, member_pk=member.pk, reason=form.cleaned_data["reason"])
            except DomainError as error:
                attach_error(form, error)
                status = error.status
            else:
                messages.success(
                    request,
                    _("已将“%(name)s”移出联合体，其产品已移出本单位产品池。") % {"name": member.organisation.name},
                )
                return redirect(back)
        else:
            status = 400
    context = {"member": member, "form": form, "back": back, "for_city": for_city}
    return render(request, "ecosystem/city/member_leave.html", context, status=status)


@login_required
def alliance_export(request):
    _membership, unit = _anchor(request)
    return _download(exports.alliance_xlsx(unit), exports.download_name(unit.name, _("产业生态联合体"), _stamp()))


@login_required
def unit_export(request, pk: int):
    _city(request)
    unit = selectors.unit_for_city(pk)
    return _download(exports.alliance_xlsx(unit), exports.download_name(unit.name, _("产业生态联合体"), _stamp()))


# --- The city's overview --------------------------------------------------------------------------------------------------
@login_required
def overview(request):
    """生态总览: counts per unit, then every declaration or product across units (tabs), filtered and paginated."""
    membership = _city(request)
    tab = _tab(request, OVERVIEW_TABS)
    form = OverviewFilterForm(request.GET or None)
    filters = form.filters()
    if tab == "products":
        rows, table = selectors.city_products(membership, filters), PRODUCTS
    else:
        rows, table = selectors.city_declarations(membership, filters), DECLARATIONS
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("tab", None)
    context = {
        "units": list(selectors.unit_rows()),
        "units_table": UNITS,
        "form": form,
        "tab": tab,
        "tabs": [{"code": code, "label": label, "current": code == tab} for code, label in OVERVIEW_TABS],
        "filter_query": query.urlencode(),
        "page": paginate(request, rows),
        "table": table,
    }
    return render(request, "ecosystem/city/overview.html", context)


@login_required
def overview_export(request):
    membership = _city(request)
    filters = OverviewFilterForm(request.GET or None).filters()
    return _download(exports.overview_xlsx(membership, filters), exports.download_name(_("生态总览"), _stamp()))
