"""Workbooks (XLSX) of the anchor unit's alliance (members, pool) and of the city's overview (per-unit counts,
declarations, products).

Cells come from `shared_apps.ui.xlsx` (as for the pilots' and vouchers' exports): text is always written as text, so
a provider called "=HYPERLINK(…)" stays a name, never a formula; instants are local wall time. Rows are read in
chunks with their prefetches, so the number of statements does not grow with the rows."""

from __future__ import annotations

from django.utils.translation import gettext as _

from shared_apps.ui.xlsx import XLSX as XLSX  # the views name the content type and the file through this module
from shared_apps.ui.xlsx import Sheet, workbook, workbook_bytes
from shared_apps.ui.xlsx import download_name as download_name
from tenant_apps.configuration.models import AnchorUnit
from tenant_apps.ecosystem import selectors
from tenant_apps.ecosystem.models import Product

CHUNK = 1000


def categories(product: Product) -> str:
    labels = [str(Product.Category(code).label) for code in product.categories if code in Product.Category.values]
    if product.category_other:
        labels.append(product.category_other)
    return "、".join(labels)


def price_range(product: Product) -> str:
    low, high = product.price_min, product.price_max
    if low is None and high is None:
        return _("面议")
    return f"{low:,.2f} ～ {high:,.2f}" if low is not None and high is not None else f"{(low or high):,.2f}"


def stage_name(application) -> str:
    if application.state != application.State.IN_REVIEW:
        return ""
    return str((application.current_stage or {}).get("name", ""))


# --- The anchor unit's alliance ------------------------------------------------------------------------------------------
def alliance_xlsx(unit: AnchorUnit) -> bytes:
    book = workbook()
    members = Sheet(book, _("联合体成员"), [36, 24, 18, 12])
    members.header([_("服务商"), _("统一社会信用代码"), _("加入时间"), _("入池产品数")])
    for member in selectors.alliance_members(unit).iterator(chunk_size=CHUNK):
        members.row([member.organisation.name, member.organisation.uscc or "", member.joined_at, member.products])
    pool = Sheet(book, _("产品池"), [30, 36, 30, 26, 18])
    pool.header([_("产品/服务名称"), _("服务商"), _("产品/服务类别"), _("报价（元）"), _("入池时间")])
    for entry in selectors.alliance_pool(unit).iterator(chunk_size=CHUNK):
        product = entry.product
        pool.row([product.name, product.organisation.name, categories(product), price_range(product), entry.added_at])
    return workbook_bytes(book)


# --- The city's overview -----------------------------------------------------------------------------------------------
def overview_xlsx(membership, filters: selectors.CityFilters) -> bytes:
    book = workbook()
    units = Sheet(book, _("各牵引单位统计"), [34, 12, 12, 14, 14, 14, 14])
    units.header(
        [
            _("数字化牵引单位"),
            _("联合体成员"),
            _("入池产品"),
            _("服务商申报审核中"),
            _("服务商申报已通过"),
            _("产品申报审核中"),
            _("产品申报已通过"),
        ]
    )
    for unit in selectors.unit_rows().iterator(chunk_size=CHUNK):
        units.row(
            [
                unit.name,
                unit.member_count,
                unit.pooled_count,
                unit.declarations_in_review,
                unit.declarations_approved,
                unit.products_in_review,
                unit.products_approved,
            ]
        )
    rows = Sheet(book, _("服务商申报"), [36, 24, 34, 10, 12, 14, 18])
    rows.header(
        [
            _("服务商"),
            _("统一社会信用代码"),
            _("数字化牵引单位"),
            _("申报类型"),
            _("审核状态"),
            _("当前环节"),
            _("提交时间"),
        ]
    )
    for declaration in selectors.city_declarations(membership, filters).iterator(chunk_size=CHUNK):
        rows.row(
            [
                declaration.organisation.name,
                declaration.organisation.uscc or "",
                declaration.anchor_unit.name if declaration.anchor_unit else "",
                _("首次申报") if declaration.is_first else _("再次申报"),
                declaration.get_status_display(),
                stage_name(declaration.application),
                declaration.application.submitted_at,
            ]
        )
    items = Sheet(book, _("产品申报"), [30, 36, 30, 26, 34, 34, 12, 14, 18])
    items.header(
        [
            _("产品/服务名称"),
            _("服务商"),
            _("产品/服务类别"),
            _("报价（元）"),
            _("审核数字化牵引单位"),
            _("所在产品池"),
            _("审核状态"),
            _("当前环节"),
            _("提交时间"),
        ]
    )
    for product in selectors.city_products(membership, filters).iterator(chunk_size=CHUNK):
        items.row(
            [
                product.name,
                product.organisation.name,
                categories(product),
                price_range(product),
                product.anchor_unit.name if product.anchor_unit else "",
                "、".join(entry.anchor_unit.name for entry in product.open_pools),
                product.get_status_display(),
                stage_name(product.application),
                product.application.submitted_at,
            ]
        )
    return workbook_bytes(book)
