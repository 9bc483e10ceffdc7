"""Generated documents: the review progress (审核进度) as a PDF, and the application form to print, stamp and
upload back (DOCX and PDF), all with Chinese text.

ReportLab's built-in CID font STSong-Light needs no font file; PDF readers on Chinese systems supply the glyphs.

Every string here may come from a person (titles, organisation names, opinions). ReportLab's `Paragraph` parses
its text as mini-markup, so `a <b> c` or a stray `&` would raise; Word files are XML, where control characters are
illegal. So no text reaches a document except through `_plain` (DOCX) or `_para`/`_cell` (PDF), never raw.
"""

from __future__ import annotations

import io
import re
from html import escape

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


# Characters XML 1.0 forbids (C0 controls except tab/newline/CR, lone surrogates, U+FFFE/U+FFFF): python-docx
# refuses them and they mean nothing on paper.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _plain(value) -> str:
    """Text as it may go into any document: a string, without characters XML cannot carry."""
    return _NOT_XML.sub("", str(value if value is not None else ""))


def _para(text, style: ParagraphStyle = BODY) -> Paragraph:
    """A Paragraph showing `text` literally: markup characters escaped, line breaks kept."""
    lines = _plain(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return Paragraph("<br/>".join(escape(line, quote=False) for line in lines), style)


def _cell(text) -> Paragraph:
    return _para(text or "—")


def _table(rows: list[list], widths: list[float]) -> Table:
    # splitInRow: a long opinion makes a row taller than a page; without it ReportLab raises LayoutError.
    table = Table([[_cell(value) for value in row] for row in rows], colWidths=widths, repeatRows=1, splitInRow=1)
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
        _para(_("审核进度") + "：" + application.title, TITLE),
        _para(
            _("申请人")
            + "："
            + (application.organisation.name if application.organisation else application.applicant.username)
        ),
        _para(_("状态") + "：" + str(application.get_state_display())),
        _para(_("提交时间") + "：" + when(application.submitted_at)),
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
        _para(_("工单日志"), TITLE),
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
    SimpleDocTemplate(buffer, pagesize=A4, title=_plain(application.title), author="pilot-platform").build(story)
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
    document.add_heading(_plain(application.title), level=1)
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in form_rows(application):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = _plain(label), _plain(value)
    document.add_paragraph("")
    for checked, text in form_pledges(application):
        document.add_paragraph(_plain(f"{CHECKED if checked else UNCHECKED} {text}"))
    document.add_paragraph("")
    document.add_paragraph(_("单位（盖章）：") + "                    " + _("日期：") + "        年    月    日")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def application_form_pdf(application) -> bytes:
    story = [
        _para(application.title, TITLE),
        _table([[label, value] for label, value in form_rows(application)], [50 * mm, 120 * mm]),
    ]
    story.append(Spacer(1, 6 * mm))
    for checked, text in form_pledges(application):
        story.append(_para(f"{CHECKED if checked else UNCHECKED} {text}"))
    story += [Spacer(1, 12 * mm), _para(_("单位（盖章）：") + "　" * 12 + _("日期：") + "　　年　　月　　日")]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=_plain(application.title)).build(story)
    return buffer.getvalue()
