"""Operations' exports: an activity's issuance and redemption figures (XLSX: the figures, then every voucher issued)
and settlement statements (XLSX and PDF).

Text in the workbooks is always written as text (`shared_apps.ui.xlsx`, shared with the pilots' exports): a company
called "=HYPERLINK(…)" stays a name, never a formula, and characters XML cannot carry are dropped. PDFs use the
platform's embedded CJK font (workflow.documents, ADR 0017) and pass every string through `_para`, which escapes
ReportLab's mini-markup."""

from __future__ import annotations

import io
from decimal import Decimal
from html import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from shared_apps.ui.xlsx import XLSX as XLSX  # the views name the content type and the file through this module
from shared_apps.ui.xlsx import Sheet, workbook, workbook_bytes
from shared_apps.ui.xlsx import download_name as download_name
from tenant_apps.vouchers import ops_selectors, selectors
from tenant_apps.workflow.documents import BODY, FONT, MARGIN, TITLE, pdf_font

VOUCHER_CHUNK = 2000


FIGURE_COLUMNS = (
    ("name", gettext_lazy("服务券名称")),
    ("face_value", gettext_lazy("面值（元）")),
    ("stock_total", gettext_lazy("发放总量")),
    ("stock_left", gettext_lazy("剩余")),
    ("issued", gettext_lazy("已发放")),
    ("grabbed", gettext_lazy("抢券")),
    ("applied", gettext_lazy("申请")),
    ("holders", gettext_lazy("领取企业数")),
    ("issued_value", gettext_lazy("发放面值（元）")),
    ("deducted", gettext_lazy("已抵扣（元）")),
    ("orders", gettext_lazy("使用订单数")),
    ("expired", gettext_lazy("已过期（元）")),
    ("outstanding", gettext_lazy("未使用余额（元）")),
)
# Summed in the totals row. 领取企业数 is not: an enterprise holding two types of the activity counts once per type.
SUMMED = ("stock_total", "stock_left", "issued", "grabbed", "applied", "issued_value", "deducted", "orders", "expired",
          "outstanding")  # fmt: skip


def figure_value(row: dict, key: str):
    if key == "name":
        return row["type"].name
    if key == "face_value":
        return row["type"].face_value
    return row[key]


def figure_totals(rows: list[dict]) -> dict:
    """The activity's totals of the summed columns (amounts stay Decimal, counts int)."""
    return {key: sum(row[key] for row in rows) for key in SUMMED}


def figures_xlsx(activity, rows: list[dict]) -> bytes:
    book = workbook()
    sheet = Sheet(book, _("发放与使用"), [24, 12, 10, 10, 10, 8, 8, 12, 16, 16, 12, 14, 16])
    sheet.header([str(label) for _key, label in FIGURE_COLUMNS])
    for row in rows:
        sheet.row([figure_value(row, key) for key, _label in FIGURE_COLUMNS])
    if rows:
        totals = figure_totals(rows)
        sheet.row([_("合计")] + [totals.get(key, "") for key, _label in FIGURE_COLUMNS[1:]], bold=True)
    vouchers = Sheet(book, _("发放明细"), [22, 32, 22, 12, 12, 10, 18, 10])
    vouchers.header(
        [
            _("券号"),
            _("企业"),
            _("服务券名称"),
            _("面值（元）"),
            _("余额（元）"),
            _("领取方式"),
            _("领取时间"),
            _("状态"),
        ]
    )
    today = timezone.localdate()
    for voucher in ops_selectors.activity_vouchers(activity).iterator(chunk_size=VOUCHER_CHUNK):
        vouchers.row(
            [
                voucher.number,
                voucher.organisation.name,
                voucher.name,
                voucher.face_value,
                voucher.balance,
                voucher.get_source_display(),
                voucher.issued_at,
                selectors.voucher_state(voucher, today)[1],
            ]
        )
    return workbook_bytes(book)


LINE_LABELS = (
    gettext_lazy("订单编号"),
    gettext_lazy("买方"),
    gettext_lazy("服务券名称"),
    gettext_lazy("券号"),
    gettext_lazy("订单金额（元）"),
    gettext_lazy("抵扣金额（元）"),
    gettext_lazy("支付凭证审核通过日期"),
)


def settlement_facts(settlement) -> list[tuple[str, str]]:
    def when(value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"

    return [
        (_("结算单号"), settlement.number),
        (_("服务商"), settlement.provider.name),
        (_("结算期"), f"{settlement.period_start:%Y-%m-%d} — {settlement.period_end:%Y-%m-%d}"),
        (_("状态"), str(settlement.get_state_display())),
        (_("结算金额（元）"), f"{settlement.total:,.2f}"),
        (_("生成时间"), when(settlement.created_at)),
        (_("确认人"), settlement.confirmed_by.username if settlement.confirmed_by else "—"),
        (_("确认时间"), when(settlement.confirmed_at)),
    ]


def settlement_xlsx(settlement, lines) -> bytes:
    book = workbook()
    facts = Sheet(book, _("结算单"), [18, 48])
    facts.header([_("项目"), _("内容")])
    for label, value in settlement_facts(settlement):
        facts.row([label, value])
    sheet = Sheet(book, _("结算明细"), [20, 32, 22, 22, 16, 16, 18])
    sheet.header([str(label) for label in LINE_LABELS])
    for line in lines:
        sheet.row(
            [
                line.order_number,
                line.buyer,
                line.voucher_name,
                line.voucher_number,
                line.order_total,
                line.amount,
                timezone.localdate(line.paid_at) if line.paid_at else "",
            ]
        )
    sheet.row(
        [_("合计"), "", "", "", sum((line.order_total for line in lines), Decimal("0.00")), settlement.total, ""],
        bold=True,
    )
    return workbook_bytes(book)


# --- PDF -----------------------------------------------------------------------------------------------------------
SMALL = ParagraphStyle("voucher-small", parent=BODY, fontSize=8.5, leading=11)


def _para(text, style: ParagraphStyle = BODY) -> Paragraph:
    pdf_font()  # registered before ReportLab parses the paragraph
    clean = ILLEGAL_CHARACTERS_RE.sub("", "" if text is None else str(text))
    lines = clean.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return Paragraph("<br/>".join(escape(line, quote=False) for line in lines), style)


def _grid(rows: list[list], widths: list[float], *, header: bool = True, total: bool = False) -> Table:
    table = Table(
        [[_para(value if value not in (None, "") else "—", SMALL) for value in row] for row in rows],
        colWidths=widths,
        repeatRows=int(header),
        splitInRow=1,
    )
    style = [
        ("FONT", (0, 0), (-1, -1), FONT),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0) if header else (0, -1), colors.HexColor("#eef2ff")),
    ]
    if total:
        style.append(("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#f5f5f5")))
    table.setStyle(TableStyle(style))
    return table


def settlement_pdf(settlement, lines) -> bytes:
    money = "{:,.2f}".format
    story = [
        _para(_("服务券结算单"), TITLE),
        _grid([[label, value] for label, value in settlement_facts(settlement)], [40 * mm, 130 * mm], header=False),
        Spacer(1, 6 * mm),
        _grid(
            [[_("订单编号"), _("买方"), _("服务券名称 / 券号"), _("订单金额（元）"), _("抵扣金额（元）"),
              _("支付凭证审核通过日期")]]
            + [
                [
                    line.order_number,
                    line.buyer,
                    f"{line.voucher_name}\n{line.voucher_number}",
                    money(line.order_total),
                    money(line.amount),
                    f"{timezone.localdate(line.paid_at):%Y-%m-%d}" if line.paid_at else "",
                ]
                for line in lines
            ]
            + [[_("合计"), "", _("%(n)s 笔") % {"n": len(lines)}, "", money(settlement.total), ""]],
            [35 * mm, 33 * mm, 36 * mm, 22 * mm, 22 * mm, 22 * mm],
            total=True,
        ),
    ]  # fmt: skip
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        title=ILLEGAL_CHARACTERS_RE.sub("", f"{_('服务券结算单')} {settlement.number}"),
        author="pilot-platform",
        lang="zh-CN",
        initialFontName=pdf_font(),
    ).build(story)
    return buffer.getvalue()
