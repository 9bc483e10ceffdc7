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
