"""The city's template of the project summary report (项目总结报告, seed 002 §七 注意事项 2): a DOCX the enterprise
fills in and uploads with its acceptance. Blank, or prefilled from an acceptance (project names, periods,
investments, providers and products, digital levels and result indicators), so only the prose is left to write.

Every string here may come from a person (project and provider names): it reaches the document only through the
review engine's DOCX helpers (`workflow.documents._plain` / `_docx_run`), which drop what XML cannot carry, and
python-docx escapes the rest — a name like `<w:t>` or `&` is text."""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tenant_apps.pilots.investment_list import city_short_name, form_projects, money
from tenant_apps.pilots.models import Acceptance, AcceptanceIndicator
from tenant_apps.workflow.documents import DOCX_HEI, DOCX_LATIN, DOCX_SONG, _docx_fonts, _docx_run, _plain

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HEADINGS = (
    gettext_noop("一、项目概况"),
    gettext_noop("二、建设内容"),
    gettext_noop("三、投资情况"),
    gettext_noop("四、实施成效"),
    gettext_noop("五、经验与下一步"),
)
BLANK_TABLE_ROWS = 3


def report_title() -> str:
    return _("%(city)s试点企业数字化改造项目总结报告") % {"city": city_short_name()}


def _guidance() -> dict[str, str]:
    return {
        "一、项目概况": _(
            "（简述企业基本情况、数字化改造前存在的主要问题和改造目标，以及本次申请验收的项目名称、周期和总投资。）"
        ),
        "二、建设内容": _(
            "（逐项说明建设内容、实施过程、数字化服务商及其提供的产品和服务，与申报表、投资清单保持一致。）"
        ),
        "三、投资情况": _(
            "（说明项目投资构成：软件、硬件、服务投入及资金来源，与投资清单、合同、发票、银行回单一致。）"
        ),
        "四、实施成效": _("（对照改造前后的数字化水平和成效指标，说明降本、提质、增效等实际成效，附数据来源。）"),
        "五、经验与下一步": _("（总结可复制推广的经验做法、存在的问题，以及下一步数字化转型计划。）"),
    }


def _period(project) -> str:
    if project.starts_on and project.ends_on:
        return _("%(start)s 至 %(end)s") % {
            "start": project.starts_on.strftime("%Y-%m-%d"),
            "end": project.ends_on.strftime("%Y-%m-%d"),
        }
    return _("未填写")


def _grid(document, headers: list[str], rows: list[list[str]]):
    from docx.enum.table import WD_TABLE_ALIGNMENT

    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        _docx_run(cell.paragraphs[0], text, east_asia=DOCX_HEI, bold=True)
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            _docx_run(cell.paragraphs[0], text)
    return table


def _document():
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)  # A4
    section.left_margin = section.right_margin = Mm(25)
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        _docx_fonts(defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")), latin=DOCX_LATIN, east_asia=DOCX_SONG)
    for style_name in ("Normal", "Table Grid"):
        _docx_fonts(document.styles[style_name].element.get_or_add_rPr(), latin=DOCX_LATIN, east_asia=DOCX_SONG)
    document.styles["Normal"].font.size = Pt(12)
    return document


def summary_report_template(acceptance: Acceptance | None = None) -> bytes:
    """DOCX "<city>试点企业数字化改造项目总结报告" with the report's five headings, prefilled from `acceptance`."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = _document()
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _docx_run(title, report_title(), east_asia=DOCX_HEI, size=20, bold=True)
    projects = form_projects(acceptance) if acceptance is not None else []
    indicators: dict[int, list] = {}
    if projects:
        for indicator in AcceptanceIndicator.objects.filter(project__in=projects).order_by("project", "position", "id"):
            indicators.setdefault(indicator.project_id, []).append(indicator)
    company = acceptance.organisation.name if acceptance is not None else ""
    meta = document.add_paragraph()
    _docx_run(meta, _("企业名称（盖章）：") + (company or "________________________________"))
    _docx_run(document.add_paragraph(), _("报告日期：") + "        年    月    日")

    guidance = _guidance()
    for heading in HEADINGS:
        _docx_run(document.add_paragraph(), _(heading), east_asia=DOCX_HEI, size=14, bold=True)
        if heading == "一、项目概况":
            for n, project in enumerate(projects, start=1):
                line = _("项目%(n)s：%(name)s；项目周期：%(period)s；项目总投资：%(investment)s 元。") % {
                    "n": n,
                    "name": project.name,
                    "period": _period(project),
                    "investment": money(project.investment),
                }
                _docx_run(document.add_paragraph(), line)
        elif heading == "二、建设内容":
            for n, project in enumerate(projects, start=1):
                _docx_run(document.add_paragraph(), f"（{n}）{project.name}", bold=True)
                if project.content:
                    _docx_run(document.add_paragraph(), project.content)
                for provider in project.providers.all():
                    products = "、".join(
                        f"{product.name}（{product.get_kind_display()}）" for product in provider.products.all()
                    )
                    text = _("数字化服务商：%(provider)s") % {"provider": provider.name}
                    if products:
                        text += _("；产品/服务：%(products)s") % {"products": products}
                    _docx_run(document.add_paragraph(), text)
        elif heading == "三、投资情况":
            headers = [_("序号"), _("项目名称"), _("项目周期"), _("项目总投资（元）")]
            rows = [
                [str(n), project.name, _period(project), money(project.investment)]
                for n, project in enumerate(projects, start=1)
            ]
            if rows:
                total = sum((p.investment for p in projects if p.investment is not None), Decimal("0.00"))
                rows.append(["", _("合计"), "", money(total)])
            else:
                rows = [[""] * len(headers) for _n in range(BLANK_TABLE_ROWS)] + [["", _("合计"), "", ""]]
            _grid(document, headers, rows)
        elif heading == "四、实施成效":
            levels = [
                _("%(name)s：数字化水平改造前 %(before)s，改造后 %(after)s。")
                % {
                    "name": project.name,
                    "before": project.get_level_before_display() or _("未填写"),
                    "after": project.get_level_after_display() or _("未填写"),
                }
                for project in projects
            ]
            for line in levels:
                _docx_run(document.add_paragraph(), line)
            rows = [
                [project.name, x.name, x.unit, x.before, x.after]
                for project in projects
                for x in indicators.get(project.pk, [])
            ]
            if rows or not projects:
                headers = [_("项目"), _("成效指标"), _("单位"), _("改造前"), _("改造后")]
                _grid(document, headers, rows or [[""] * len(headers) for _n in range(BLANK_TABLE_ROWS)])
        _docx_run(document.add_paragraph(), guidance[heading])
        document.add_paragraph("")
    _docx_run(
        document.add_paragraph(),
        _("企业（盖章）：") + "                    " + _("日期：") + "        年    月    日",
    )
    document.core_properties.title = _plain(report_title())
    if company:
        document.core_properties.subject = _plain(company)
    document.core_properties.language = "zh-CN"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
