"""Generated documents: the review progress (审核进度) of an application as a PDF with Chinese text.

ReportLab's built-in CID font STSong-Light needs no font file; PDF readers on Chinese systems supply the glyphs.
"""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
TITLE = ParagraphStyle("title", fontName=FONT, fontSize=16, leading=22, spaceAfter=6)
BODY = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=14)


def _cell(text) -> Paragraph:
    return Paragraph(str(text or "—"), BODY)


def _table(rows: list[list], widths: list[float]) -> Table:
    table = Table([[_cell(value) for value in row] for row in rows], colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2ff")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def progress_pdf(application, timeline: list[dict], log) -> bytes:
    def when(value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

    story = [
        Paragraph(_("审核进度") + "：" + application.title, TITLE),
        Paragraph(
            _("申请人")
            + "："
            + (application.organisation.name if application.organisation else application.applicant.username),
            BODY,
        ),
        Paragraph(_("状态") + "：" + str(application.get_state_display()), BODY),
        Paragraph(_("提交时间") + "：" + when(application.submitted_at), BODY),
        Spacer(1, 6 * mm),
        _table(
            [[_("环节"), _("状态"), _("处理人"), _("处理时间"), _("意见")]]
            + [
                [
                    row["stage"]["name"],
                    _("审核中")
                    if row["state"] == "current"
                    else (row["entry"].get_action_display() if row["entry"] else _("未开始")),
                    row["entry"].actor.username if row["entry"] and row["entry"].actor else "",
                    when(row["entry"].created_at) if row["entry"] else "",
                    row["entry"].opinion if row["entry"] else "",
                ]
                for row in timeline
            ],
            [40 * mm, 22 * mm, 28 * mm, 32 * mm, 48 * mm],
        ),
        Spacer(1, 6 * mm),
        Paragraph(_("工单日志"), TITLE),
        _table(
            [[_("时间"), _("环节"), _("操作"), _("处理人"), _("意见")]]
            + [
                [
                    when(e.created_at),
                    e.stage_name,
                    e.get_action_display(),
                    e.actor.username if e.actor else "",
                    e.opinion,
                ]
                for e in log
            ],
            [32 * mm, 36 * mm, 22 * mm, 28 * mm, 52 * mm],
        ),
    ]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=application.title, author="pilot-platform").build(story)
    return buffer.getvalue()


# --- The form to print, stamp and upload back -------------------------------------------------------------------
CHECKED, UNCHECKED = "☑", "☐"  # characters, not form controls: they survive Word → PDF printing (Harbin's pain)


def form_rows(application) -> list[tuple[str, str]]:
    """The facts the generated form carries: the organisation's registration data and the application."""
    organisation = application.organisation
    rows = [(_("申请名称"), application.title)]
    if organisation is not None:
        rows += [
            (_("单位名称"), organisation.name),
            (_("统一社会信用代码"), organisation.uscc or ""),
            (_("所属行业"), str(organisation.industry or "")),
            (_("地址"), f"{organisation.region} {organisation.address}".strip()),
            (_("联系人"), organisation.contact_name),
            (_("认证状态"), str(organisation.get_certification_display())),
        ]
    return rows


def form_pledges(application) -> list[tuple[bool, str]]:
    return [
        (True, _("本单位承诺所填报信息及所附材料真实、准确、完整。")),
        (application.organisation is not None, _("本单位已完成平台企业认证。")),
    ]


def application_form_docx(application) -> bytes:
    from docx import Document
    from docx.oxml.ns import qn

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "SimSun"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "SimSun")  # Chinese text in a Chinese font when printed
    document.add_heading(application.title, level=1)
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in form_rows(application):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    document.add_paragraph("")
    for checked, text in form_pledges(application):
        document.add_paragraph(f"{CHECKED if checked else UNCHECKED} {text}")
    document.add_paragraph("")
    document.add_paragraph(_("单位（盖章）：") + "                    " + _("日期：") + "        年    月    日")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def application_form_pdf(application) -> bytes:
    story = [
        Paragraph(application.title, TITLE),
        _table([[label, value] for label, value in form_rows(application)], [50 * mm, 120 * mm]),
    ]
    story.append(Spacer(1, 6 * mm))
    for checked, text in form_pledges(application):
        story.append(Paragraph(f"{CHECKED if checked else UNCHECKED} {text}", BODY))
    story += [Spacer(1, 12 * mm), Paragraph(_("单位（盖章）：") + "　" * 12 + _("日期：") + "　　年　　月　　日", BODY)]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=application.title).build(story)
    return buffer.getvalue()
