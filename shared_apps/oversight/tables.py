"""The console's lists, declared once (ui.tables; drawn by `{% data_table %}`): on a phone each row is a card and
each value carries its column's label, as in the workbench. Rows are the views' pairs: (tenant, its address) and
(audit entry, its city's name). The cities' figures come from their latest roll-up (TenantFigures), fetched with the
tenants in one join, so adding a column adds no query."""

import functools
import html

from django.urls import reverse
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from shared_apps.ui.states import tone_for
from shared_apps.ui.tables import Column, Table, formatted, resolve
from tenants.models import Tenant


def _figures(row):
    """The city's latest roll-up, or None before the first one (the reverse one-to-one raises AttributeError)."""
    return getattr(row[0], "figures", None)


def _figure(name: str):
    def value(row):
        figures = _figures(row)
        return getattr(figures, name) if figures is not None else None

    return value


def _amount(label, name: str) -> Column:
    """A figure in 元, drawn as the seeds' order pages draw money (12,345.60)."""
    return Column(label, _figure(name), align="end", name=name, format="money")


def _enterprises(row):
    figures = _figures(row)
    return f"{figures.enterprises}（{figures.certified_enterprises}）" if figures is not None else None


def _computed_at(row):
    from django.utils import timezone
    from django.utils.dateformat import format as date_format

    figures = _figures(row)
    if figures is None:
        return _("尚未汇总")
    return date_format(timezone.localtime(figures.computed_at), "Y-m-d H:i")


def _paid(row):
    figures = _figures(row)
    return f"{figures.paid_amount:,.2f}" if figures is not None else None


# --- Cells drawn in Python: 50 rows × 35 columns through a template each took most of the page (bench/console.py).
@functools.lru_cache(maxsize=64)
def _constant(language: str, key: str) -> str:
    """What every row repeats, built once per language: the link text, the detail address pattern, status tags."""
    if key == "visit":
        return format_html(
            '<a class="console-visit" href="{{url}}" title="{}">{}</a>', gettext("访问该城市平台"), gettext("访问")
        )
    if key == "detail":
        return reverse("console-tenant-detail", args=["__schema__"])
    status = key.removeprefix("status:")
    return format_html(
        '<span class="tag tag-{}" data-state="{}">{}</span>',
        tone_for(status),
        status,
        dict(Tenant.Status.choices).get(status, status),
    )


@functools.lru_cache(maxsize=256)
def _text(language: str, message: str) -> str:
    """gettext once per language and message (the catalogue lookup runs through its fallbacks on every call)."""
    return gettext(message)


def _cell(value) -> str:
    """A cell's HTML: counts as they are, safe strings kept, everything else escaped; None or '' is —."""
    if hasattr(value, "__html__"):  # drawn cells, empty ones included (as the kit's template cells are)
        return value.__html__()
    if value is None or value == "":
        return "—"
    if isinstance(value, int):
        return str(value)
    return html.escape(str(value))


def _city_name(row) -> SafeString:
    tenant, url = row
    language = get_language()
    return format_html(
        '<a href="{}">{}</a> {}',
        _constant(language, "detail").replace("__schema__", tenant.schema_name),
        tenant.name,
        mark_safe(_constant(language, "visit").replace("{url}", conditional_escape(url))),
    )


def _city_status(row) -> SafeString:
    return mark_safe(_constant(get_language(), f"status:{row[0].status}"))


def _overdue(row) -> SafeString | None:
    figures = _figures(row)
    if figures is None:
        return None
    if not figures.tasks_overdue:
        return mark_safe("0")
    return format_html('<strong class="console-overdue">{}</strong>', figures.tasks_overdue)


def _ecosystem_units(row) -> SafeString:
    figures = _figures(row)
    if figures is None or not figures.ecosystem_units:
        return mark_safe("")
    text = _text(get_language(), "%(name)s · 成员 %(members)s · 产品 %(products)s")
    return format_html(
        '<div class="ecosystem-units">{}</div>',
        format_html_join(
            "",
            '<div data-unit="{}">{}</div>',
            ((unit.get("code", ""), text % {k: unit.get(k, "") for k in ("name", "members", "products")})
             for unit in figures.ecosystem_units),
        ),
    )  # fmt: skip


def _cultivation_breakdown(row) -> SafeString:
    figures = _figures(row)
    breakdown = figures.cultivation_breakdown if figures is not None else None
    if not breakdown or not breakdown.get("tiers"):
        return mark_safe("")
    language = get_language()
    tier_text = _text(language, "%(name)s · 申报 %(declared)s · 认定 %(recognised)s")
    region_text = _text(language, "%(name)s · 认定 %(recognised)s")
    parts = [
        format_html('<div data-tier="{}">{}</div>', tier.get("code", ""), tier_text % {
            k: tier.get(k, "") for k in ("name", "declared", "recognised")})
        for tier in breakdown["tiers"]
    ]  # fmt: skip
    parts += [
        format_html('<div data-region="{}">{}</div>', region.get("code", ""), region_text % {
            k: region.get(k, "") for k in ("name", "recognised")})
        for region in breakdown.get("regions", [])
    ]  # fmt: skip
    if breakdown.get("levels"):
        levels = "".join(f" {level}级 {n}" for level, n in breakdown["levels"].items())
        parts.append(format_html("<div data-levels>{}{}</div>", _text(language, "评测等级"), levels))
    return format_html('<div class="cultivation-breakdown">{}</div>', mark_safe("".join(parts)))


def table_rows(rows, table: Table) -> SafeString:
    """The `<tbody>` rows `{% data_table %}` draws (same classes, `data-label` for the phone cards), built in one
    pass in Python: the kit's template costs about 0.1 ms a cell, and the console draws 1,750 cells a page."""
    columns = [
        (
            column,
            format_html(
                ' data-label="{}" class="{}{}{}{}"',
                column.label,
                "cell-wrap" if column.wrap else "cell-nowrap",
                f" cell-{column.name}" if column.name else "",
                f" align-{column.align}" if column.align else "",
                " cell-primary" if column.primary else "",
            ),
        )
        for column in table.columns
    ]
    parts = []
    for row in rows:
        attrs = table.row_attrs(row) if table.row_attrs else {}
        parts.append(format_html("<tr{}>", format_html_join("", ' {}="{}"', attrs.items())))
        for column, cell_attrs in columns:
            value = resolve(row, column.value)
            if column.format:
                value = formatted(value, column.format)
            parts.append(f"<td{cell_attrs}>{_cell(value)}</td>")
        parts.append("</tr>")
    return mark_safe("".join(parts))


# 城市试点一览
CITIES = Table(
    columns=(
        Column(_("平台"), _city_name, wrap=True, primary=True, name="name"),
        Column(_("标识"), lambda row: row[0].schema_name, name="schema"),
        Column(_("状态"), _city_status, name="state"),
        Column(_("省份"), _figure("province"), name="province"),
        Column(_("批次"), _figure("batch"), name="batch"),
        # The review backlog: open tasks and those past their deadline (the rows a national officer chases).
        Column(_("待办"), _figure("tasks_open"), align="end", name="tasks_open"),
        Column(_("超期"), _overdue, align="end", name="tasks_overdue"),
        Column(_("组织"), _figure("organisations"), align="end", name="organisations"),
        Column(_("企业（已认证）"), _enterprises, align="end", name="enterprises"),
        Column(_("服务商"), _figure("providers"), align="end", name="providers"),
        Column(_("用户"), _figure("members"), align="end", name="members"),
        # Pilots: counts, then amounts in 元 to the fen (the tenants' figures are; 万元 would round them away).
        Column(_("试点企业"), _figure("pilot_enterprises"), align="end", name="pilot_enterprises"),
        Column(_("验收结论"), _figure("acceptances_concluded"), align="end", name="acceptances_concluded"),
        Column(_("验收通过"), _figure("acceptances_accepted"), align="end", name="acceptances_accepted"),
        _amount(_("认定投资（元）"), "recognised_investment"),
        _amount(_("公示补贴（元）"), "subsidy_published"),
        _amount(_("已拨付（元）"), "subsidy_disbursed"),
        # Ecosystems: providers that declared, providers in an alliance, approved products, then per anchor unit.
        Column(
            _("申报服务商"), _figure("ecosystem_providers_declared"), align="end", name="ecosystem_providers_declared"
        ),
        Column(
            _("入盟服务商"), _figure("ecosystem_providers_approved"), align="end", name="ecosystem_providers_approved"
        ),
        Column(_("通过产品"), _figure("ecosystem_products_approved"), align="end", name="ecosystem_products_approved"),
        Column(
            _("牵引单位（成员 · 产品）"),
            _ecosystem_units,
            wrap=True,
            width="16em",
            name="ecosystem_units",
        ),
        # Cultivation: declarations, recognitions in force, then per tier and the self-assessment levels.
        Column(_("培育申报"), _figure("cultivation_declared"), align="end", name="cultivation_declared"),
        Column(_("有效认定"), _figure("cultivation_recognised"), align="end", name="cultivation_recognised"),
        Column(
            _("认定分项 · 评测等级"),
            _cultivation_breakdown,
            wrap=True,
            width="16em",
            name="cultivation_breakdown",
        ),
        Column(_("在售商品"), _figure("listed_products"), align="end", name="listed_products"),
        Column(_("订单"), _figure("orders"), align="end", name="orders"),
        Column(_("已支付（元）"), _paid, align="end", name="paid"),
        Column(_("发放服务券"), _figure("vouchers_issued"), align="end", name="vouchers_issued"),
        Column(_("已核销"), _figure("vouchers_redeemed"), align="end", name="vouchers_redeemed"),
        Column(_("统计时间"), _computed_at, name="computed"),
    ),
    empty=_("还没有城市。"),
    row_attrs=lambda row: {"data-schema": row[0].schema_name},
)

# 审计日志
AUDIT = Table(
    columns=(
        Column(_("时间"), template="console/cells/audit_time.html", name="time"),
        Column(_("城市"), lambda row: row[1], name="city"),
        Column(_("操作人"), lambda row: row[0].actor.username if row[0].actor else _("系统"), name="actor"),
        Column(_("操作"), lambda row: row[0].get_action_display(), name="action"),
        Column(_("对象"), lambda row: f"{row[0].target_type_label} · {row[0].target_label}", wrap=True, name="target"),
        Column(_("变更内容"), template="console/cells/audit_changes.html", wrap=True, name="changes"),
        Column(_("IP 地址"), lambda row: row[0].ip or "", name="ip"),
    ),
    empty=_("没有记录。"),
    row_attrs=lambda row: {"data-schema": row[0].schema_name, "data-action": row[0].action},
)
