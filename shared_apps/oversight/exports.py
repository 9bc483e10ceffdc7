"""The console list as an XLSX workbook: one row per city with its rolled-up figures (typed cells: counts are
numbers, amounts have two places, text is never a formula). Reads the same queryset as the page, every match."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shared_apps.ui.xlsx import XLSX as XLSX  # the view names the content type and the file through this module
from shared_apps.ui.xlsx import Sheet, workbook, workbook_bytes
from shared_apps.ui.xlsx import download_name as download_name

# (label, TenantFigures field) after the city's own columns; amounts are Decimal and get the money format.
FIGURE_COLUMNS = (
    (gettext_lazy("待办"), "tasks_open"),
    (gettext_lazy("超期待办"), "tasks_overdue"),
    (gettext_lazy("已提交申请"), "applications_submitted"),
    (gettext_lazy("组织"), "organisations"),
    (gettext_lazy("企业"), "enterprises"),
    (gettext_lazy("已认证企业"), "certified_enterprises"),
    (gettext_lazy("服务商"), "providers"),
    (gettext_lazy("用户"), "members"),
    (gettext_lazy("试点企业"), "pilot_enterprises"),
    (gettext_lazy("验收结论"), "acceptances_concluded"),
    (gettext_lazy("验收通过"), "acceptances_accepted"),
    (gettext_lazy("认定投资（元）"), "recognised_investment"),
    (gettext_lazy("公示补贴（元）"), "subsidy_published"),
    (gettext_lazy("已拨付补贴（元）"), "subsidy_disbursed"),
    (gettext_lazy("申报服务商"), "ecosystem_providers_declared"),
    (gettext_lazy("入盟服务商"), "ecosystem_providers_approved"),
    (gettext_lazy("通过产品"), "ecosystem_products_approved"),
    (gettext_lazy("培育申报"), "cultivation_declared"),
    (gettext_lazy("有效认定"), "cultivation_recognised"),
    (gettext_lazy("在售商品"), "listed_products"),
    (gettext_lazy("订单"), "orders"),
    (gettext_lazy("已支付（元）"), "paid_amount"),
    (gettext_lazy("发放服务券"), "vouchers_issued"),
    (gettext_lazy("已核销服务券"), "vouchers_redeemed"),
    (gettext_lazy("核销金额（元）"), "vouchers_redeemed_amount"),
)
CHUNK = 500


def cities_workbook(tenants) -> bytes:
    book = workbook()
    # ui.xlsx names columns A–Z: widths for the first 26, the rest keep the default width.
    sheet = Sheet(book, _("城市试点一览"), ([34, 12, 8, 12, 8] + [10] * len(FIGURE_COLUMNS))[:26])
    sheet.header(
        [_("平台"), _("标识"), _("状态"), _("省份"), _("批次")]
        + [str(label) for label, _field in FIGURE_COLUMNS]
        + [_("统计时间")]
    )
    for tenant in tenants.iterator(chunk_size=CHUNK):
        figures = getattr(tenant, "figures", None)
        values = [tenant.name, tenant.schema_name, tenant.get_status_display()]
        if figures is None:
            values += ["", ""] + [None] * len(FIGURE_COLUMNS) + [_("尚未汇总")]
        else:
            values += [figures.province, figures.batch]
            values += [_figure_value(getattr(figures, field)) for _label, field in FIGURE_COLUMNS]
            values.append(figures.computed_at)
        sheet.row(values)
    return workbook_bytes(book)


def _figure_value(value):
    return value.quantize(Decimal("0.01")) if isinstance(value, Decimal) else value
