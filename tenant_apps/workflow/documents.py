"""Generated documents: the review progress (审核进度) as a PDF, and the application form to print, stamp and
upload back (DOCX and PDF), all with Chinese text.

PDFs embed (a subset of) Pilot Sans SC, our build of Noto Sans SC at regular weight with ☐/☑ added
(`platform/static/fonts/`, ADR 0017): no font has to be on the reader's machine and nothing is fetched at run time.
DOCX files name fonts that every Chinese Windows Office has (宋体 and 黑体 for text, Segoe UI Symbol for ☐/☑); Word,
WPS and LibreOffice substitute what a machine lacks.

Every string here may come from a person (titles, organisation names, opinions). ReportLab's `Paragraph` parses
its text as mini-markup, so `a <b> c` or a stray `&` would raise; Word files are XML, where control characters are
illegal. So no text reaches a document except through `_plain` (DOCX) or `_para`/`_cell` (PDF), never raw.
"""

from __future__ import annotations

import functools
import io
import re
from html import escape

from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT = "PilotSansSC"
FONT_FILE = "fonts/PilotSansSC-Regular.ttf"  # a static file: platform/static/fonts/, with its OFL licence
TITLE = ParagraphStyle("title", fontName=FONT, fontSize=16, leading=22, spaceAfter=6)
BODY = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=14)
ISSUER = ParagraphStyle("issuer", parent=BODY, fontSize=11, leading=16, alignment=TA_CENTER)
MARGIN = 20 * mm  # A4 less two margins: 170 mm, the width every table here is laid out for
FORM_TITLE = ParagraphStyle("form-title", parent=TITLE, fontSize=20, leading=28, alignment=TA_CENTER, spaceAfter=4)

# The DOCX's fonts: names Chinese Windows Office (and WPS) has; elsewhere the reader substitutes its own.
DOCX_LATIN, DOCX_SONG, DOCX_HEI, DOCX_SYMBOL = "Times New Roman", "宋体", "黑体", "Segoe UI Symbol"


@functools.cache
def pdf_font() -> str:
    """Register the vendored TrueType font with ReportLab once per process (ReportLab embeds only the glyphs a
    document uses). STSong-Light, a CID font the PDF only names, was the fallback readers often lacked."""
    path = finders.find(FONT_FILE)
    if not path:
        raise ImproperlyConfigured(f"static file {FONT_FILE} is missing (ADR 0017)")
    pdfmetrics.registerFont(TTFont(FONT, path))
    return FONT


# Characters XML 1.0 forbids (C0 controls except tab/newline/CR, lone surrogates, U+FFFE/U+FFFF): python-docx
# refuses them and they mean nothing on paper.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# What a download's file name may not carry (Windows forbids these; `/` and `\` are path separators anywhere).
_NOT_IN_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


def _plain(value) -> str:
    """Text as it may go into any document: a string, without characters XML cannot carry."""
    return _NOT_XML.sub("", str(value if value is not None else ""))


def para(text, style: ParagraphStyle = BODY) -> Paragraph:
    """A Paragraph showing `text` literally: markup characters escaped, line breaks kept."""
    pdf_font()  # the style names it: registered before ReportLab parses the paragraph
    lines = _plain(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return Paragraph("<br/>".join(escape(line, quote=False) for line in lines), style)


def _cell(text) -> Paragraph:
    return para(text or "—")


def table(rows: list[list], widths: list[float], *, header: bool = True) -> Table:
    """A grid; with `header` the first row is shaded and repeats on each page, else the first column is shaded
    (a form's labels)."""
    # splitInRow: a long opinion makes a row taller than a page; without it ReportLab raises LayoutError.
    table = Table(
        [[_cell(value) for value in row] for row in rows], colWidths=widths, repeatRows=int(header), splitInRow=1
    )
    shaded = ((0, 0), (-1, 0)) if header else ((0, 0), (0, -1))
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT),  # the cell style's own font: Helvetica unless told
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", *shaded, colors.HexColor("#eef2ff")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def pdf_document(story: list, title: str) -> bytes:
    buffer = io.BytesIO()
    font = pdf_font()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        title=_plain(title),
        author="pilot-platform",
        lang="zh-CN",
        initialFontName=font,  # else the canvas names Helvetica, a font the PDF would not embed
    ).build(story)
    return buffer.getvalue()


# --- What names a document: kind, number, applicant ---------------------------------------------------------------
def kind_label(application) -> str:
    """The kind's Chinese name as this city's review chain calls it (企业认证, 试点企业入库申请 …); the code only when
    the chain is gone."""
    from tenant_apps.workflow.models import Flow

    return Flow.objects.filter(kind=application.kind).values_list("name", flat=True).first() or application.kind


def application_number(application) -> str:
    """The application's number on paper: the year it was created and its id, e.g. 2026-000042 (stable, unique
    within the city, and the id people see in the application's address)."""
    if application.pk is None:
        return "—"
    year = timezone.localtime(application.created_at).year if application.created_at else timezone.now().year
    return f"{year}-{application.pk:06d}"


def applicant_name(application) -> str:
    return application.organisation.name if application.organisation else application.applicant.username


def form_title(application) -> str:
    """The form's official title: the kind's name as a 申请表 (企业认证申请表, 试点企业入库申请表)."""
    label = kind_label(application)
    if label.endswith("申请"):
        return _("%(kind)s表") % {"kind": label}
    return _("%(kind)s申请表") % {"kind": label}


def issuer_name() -> str:
    """The platform the form is filed with: this city's 平台名称, else the tenant's name."""
    from tenant_apps.configuration.selectors import tenant_settings

    settings_row = tenant_settings()
    if settings_row is not None and settings_row.display_name:
        return settings_row.display_name
    return getattr(getattr(connection, "tenant", None), "name", "") or ""


def download_name(application, extension: str, suffix: str = "") -> str:
    """`<kind>-<applicant>[-<suffix>].<ext>`, e.g. 企业认证-哈尔滨某某有限公司.pdf: what the browser saves it as.
    Characters no file system takes become `_`; Django's header encodes the rest (RFC 6266 / 5987 `filename*`)."""
    parts = [kind_label(application), _plain(applicant_name(application)).strip()[:60]]
    if suffix:
        parts.append(suffix)
    name = "-".join(" ".join(part.split()) for part in parts if part)
    return f"{_NOT_IN_FILENAME.sub('_', name) or application.pk}.{extension}"


# --- Review progress ------------------------------------------------------------------------------------------------
def progress_pdf(application, timeline: list[dict], log) -> bytes:
    def when(value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

    story = [
        para(_("审核进度") + "：" + application.title, TITLE),
        para(_("申请编号") + "：" + application_number(application)),
        para(_("申请人") + "：" + applicant_name(application)),
        para(_("状态") + "：" + str(application.get_state_display())),
        para(_("提交时间") + "：" + when(application.submitted_at)),
        Spacer(1, 6 * mm),
        table(
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
        para(_("工单日志"), TITLE),
        table(
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
    return pdf_document(story, application.title)


# --- The form to print, stamp and upload back -------------------------------------------------------------------
# Characters, not form controls: they survive Word → PDF printing (Harbin's pain). The PDF font has both glyphs.
CHECKED, UNCHECKED = "☑", "☐"


def form_rows(application) -> list[tuple[str, str]]:
    """The facts the generated form carries: what the kind registered, else the organisation's registration data."""
    from tenant_apps.workflow.registry import form_for

    registered = form_for(application.kind)
    rows = registered[0](application) if registered is not None else None
    if rows is not None:
        return rows
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
    from tenant_apps.workflow.registry import form_for

    registered = form_for(application.kind)
    pledges = registered[1](application) if registered is not None and registered[1] is not None else None
    if pledges is not None:
        return pledges
    return [
        (True, _("本单位承诺所填报信息及所附材料真实、准确、完整。")),
        (application.organisation is not None, _("本单位已完成平台企业认证。")),
    ]


def _form_heading(application) -> dict:
    """What heads the form, in both formats: issuer, official title, number and the date it was printed."""
    return {
        "issuer": issuer_name(),
        "title": form_title(application),
        "number": _("申请编号") + "：" + application_number(application),
        "date": _("打印日期") + "：" + timezone.localdate().strftime("%Y-%m-%d"),
    }


def _docx_fonts(r_pr, *, latin: str, east_asia: str) -> None:
    """Name the fonts of a run or style outright: w:ascii/w:hAnsi/w:cs for Latin, w:eastAsia for Chinese. Theme
    attributes (w:asciiTheme …) would win over the names, so they go."""
    from docx.oxml.ns import qn

    r_fonts = r_pr.get_or_add_rFonts()
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        r_fonts.attrib.pop(qn(attribute), None)
    for attribute, name in (("w:ascii", latin), ("w:hAnsi", latin), ("w:cs", latin), ("w:eastAsia", east_asia)):
        r_fonts.set(qn(attribute), name)


def _docx_run(paragraph, text: str, *, east_asia: str = DOCX_SONG, size: float | None = None, bold: bool = False):
    from docx.shared import Pt

    run = paragraph.add_run(_plain(text))
    if size:
        run.font.size = Pt(size)
    run.bold = bold or None
    _docx_fonts(run._r.get_or_add_rPr(), latin=DOCX_LATIN, east_asia=east_asia)
    return run


def _docx_tick(paragraph, checked: bool):
    """☑/☐ as a character in a symbol font every Windows has; w:hint tells Word to take it from the eastAsia slot,
    which names the same font."""
    from docx.oxml.ns import qn

    run = paragraph.add_run(CHECKED if checked else UNCHECKED)
    r_pr = run._r.get_or_add_rPr()
    _docx_fonts(r_pr, latin=DOCX_SYMBOL, east_asia=DOCX_SYMBOL)
    r_pr.rFonts.set(qn("w:hint"), "eastAsia")
    return run


def application_form_docx(application) -> bytes:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)  # A4, not python-docx's US Letter
    section.left_margin = section.right_margin = Mm(25)

    # Document defaults and the styles used: Chinese text in 宋体/黑体 however a reader's Office is set up.
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        r_pr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        _docx_fonts(r_pr, latin=DOCX_LATIN, east_asia=DOCX_SONG)
    for style_name, east_asia in (("Normal", DOCX_SONG), ("Table Grid", DOCX_SONG)):
        style = document.styles[style_name]
        _docx_fonts(style.element.get_or_add_rPr(), latin=DOCX_LATIN, east_asia=east_asia)
    document.styles["Normal"].font.size = Pt(12)

    heading = _form_heading(application)
    issuer = document.add_paragraph()
    issuer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _docx_run(issuer, heading["issuer"], size=12)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _docx_run(title, heading["title"], east_asia=DOCX_HEI, size=20, bold=True).font.color.rgb = RGBColor(0, 0, 0)
    meta = document.add_paragraph()
    _docx_run(meta, heading["number"] + "        " + heading["date"], size=10.5)

    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = Mm(45), Mm(115)  # the grid (LibreOffice reads it) and each cell (Word does)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for label, value in form_rows(application):
        cells = table.add_row().cells
        cells[0].width, cells[1].width = widths
        _docx_run(cells[0].paragraphs[0], label)
        _docx_run(cells[1].paragraphs[0], value)
    document.add_paragraph("")
    for checked, text in form_pledges(application):
        paragraph = document.add_paragraph()
        _docx_tick(paragraph, checked)
        _docx_run(paragraph, " " + text)
    document.add_paragraph("")
    _docx_run(
        document.add_paragraph(),
        _("单位（盖章）：") + "                    " + _("日期：") + "        年    月    日",
    )
    document.core_properties.title = _plain(heading["title"])
    document.core_properties.subject = _plain(application.title)
    document.core_properties.language = "zh-CN"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def application_form_pdf(application) -> bytes:
    heading = _form_heading(application)
    meta = Table(
        [[para(heading["number"]), para(heading["date"], ParagraphStyle("date", parent=BODY, alignment=2))]],
        colWidths=[85 * mm, 85 * mm],
    )
    meta.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    story = [
        para(heading["issuer"], ISSUER),
        para(heading["title"], FORM_TITLE),
        meta,
        Spacer(1, 2 * mm),
        table([[label, value] for label, value in form_rows(application)], [50 * mm, 120 * mm], header=False),
        Spacer(1, 6 * mm),
    ]
    for checked, text in form_pledges(application):
        story.append(para(f"{CHECKED if checked else UNCHECKED} {text}"))
    # The stamp and date line as cells: ReportLab collapses runs of spaces, and the blanks are for a pen.
    right = ParagraphStyle("right", parent=BODY, alignment=2)
    signature = Table(
        [[para(_("单位（盖章）：")), para(_("日期：")), para("年", right), para("月", right), para("日", right)]],
        colWidths=[95 * mm, 15 * mm, 30 * mm, 15 * mm, 15 * mm],
    )
    signature.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), FONT), ("LEFTPADDING", (0, 0), (0, 0), 0)]))
    story += [Spacer(1, 12 * mm), signature]
    return pdf_document(story, heading["title"] + " " + application_number(application))
