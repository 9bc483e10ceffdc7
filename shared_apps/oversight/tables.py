"""The console's lists, declared once (ui.tables; drawn by `{% data_table %}`): on a phone each row is a card and
each value carries its column's label, as in the workbench. Rows are the views' pairs: (tenant, its address) and
(audit entry, its city's name). The cities' figures come from their latest roll-up (TenantFigures), fetched with the
tenants in one join, so adding a column adds no query."""

from django.utils.translation import gettext_lazy as _

from shared_apps.ui.tables import Column, Table


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


# 城市试点一览
CITIES = Table(
    columns=(
        Column(_("平台"), template="console/cells/city_name.html", wrap=True, primary=True, name="name"),
        Column(_("标识"), lambda row: row[0].schema_name, name="schema"),
        Column(_("状态"), template="console/cells/city_status.html", name="state"),
        Column(_("组织"), _figure("organisations"), align="end", name="organisations"),
        Column(_("企业（已认证）"), _enterprises, align="end", name="enterprises"),
        Column(_("服务商"), _figure("providers"), align="end", name="providers"),
        Column(_("用户"), _figure("members"), align="end", name="members"),
        # Pilots: counts, then amounts in 元 to the fen (the tenants' figures are; 万元 would round them away).
        Column(_("试点企业"), _figure("pilot_enterprises"), align="end", name="pilot_enterprises"),
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
            template="console/cells/ecosystem_units.html",
            wrap=True,
            width="16em",
            name="ecosystem_units",
        ),
        # Cultivation: declarations, recognitions in force, then per tier and the self-assessment levels.
        Column(_("培育申报"), _figure("cultivation_declared"), align="end", name="cultivation_declared"),
        Column(_("有效认定"), _figure("cultivation_recognised"), align="end", name="cultivation_recognised"),
        Column(
            _("认定分项 · 评测等级"),
            template="console/cells/cultivation_breakdown.html",
            wrap=True,
            width="16em",
            name="cultivation_breakdown",
        ),
        Column(_("在售商品"), _figure("listed_products"), align="end", name="listed_products"),
        Column(_("订单"), _figure("orders"), align="end", name="orders"),
        Column(_("已支付（元）"), _paid, align="end", name="paid"),
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
