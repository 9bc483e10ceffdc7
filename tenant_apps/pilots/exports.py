"""The bureau's and finance's workbooks (XLSX): admissions, acceptances (with recognised, subsidy and paid
amounts) and a publicity batch's items.

Text is always written as text: a company called "=HYPERLINK(…)" stays a name, never a formula (the voucher
exports' guard), and characters XML cannot carry are dropped. Amounts are Decimals with two places; rows are read
in chunks with their prefetches, so the number of statements does not grow with the rows."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill

from tenant_apps.pilots import publicity
from tenant_apps.pilots.models import Acceptance, Admission, Objection, PublicityBatch, PublicityItem, Tranche
from tenant_apps.workflow.models import Application
from tenants.errors import DomainError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_ROLES = ("city_bureau", "finance")
MONEY_FORMAT = "#,##0.00"
HEADER_FILL = PatternFill("solid", fgColor="EEF2FF")
CHUNK = 1000
ZERO = Decimal("0.00")
_NOT_IN_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


def may_export(membership) -> bool:
    return membership is not None and membership.has_role(*EXPORT_ROLES)


def ensure_may_export(membership) -> None:
    if not may_export(membership):
        raise DomainError(_("只有市工信局和财政部门可以导出。"), code="pilots.export_forbidden", status=403)


def download_name(*parts: str, extension: str = "xlsx") -> str:
    name = "-".join(" ".join(str(part).split()) for part in parts if part)
    return f"{_NOT_IN_FILENAME.sub('_', name)[:120] or 'export'}.{extension}"


def _local(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    return value


class _Sheet:
    """A write-only sheet with typed cells: text is text, money has two places, instants are local."""

    def __init__(self, book: Workbook, title: str, widths: list[int]):
        self.sheet = book.create_sheet(title=title[:31])
        for index, width in enumerate(widths):
            self.sheet.column_dimensions[chr(ord("A") + index)].width = width
        self.sheet.freeze_panes = "A2"

    def _cell(self, value, *, header: bool = False, bold: bool = False):
        if isinstance(value, Decimal):
            cell = WriteOnlyCell(self.sheet, value=value)
            cell.number_format = MONEY_FORMAT
        elif isinstance(value, datetime.datetime):
            cell = WriteOnlyCell(self.sheet, value=_local(value))
            cell.number_format = "yyyy-mm-dd hh:mm"
        elif isinstance(value, datetime.date):
            cell = WriteOnlyCell(self.sheet, value=value)
            cell.number_format = "yyyy-mm-dd"
        elif isinstance(value, int) and not isinstance(value, bool):
            cell = WriteOnlyCell(self.sheet, value=value)
        else:
            text = ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))
            cell = WriteOnlyCell(self.sheet, value=text)
            cell.data_type = "s"  # never a formula, whatever it starts with
        if header:
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(vertical="center")
        if header or bold:
            cell.font = Font(bold=True)
        return cell

    def header(self, labels) -> None:
        self.sheet.append([self._cell(label, header=True) for label in labels])

    def row(self, values, *, bold: bool = False) -> None:
        self.sheet.append([self._cell(value, bold=bold) for value in values])


def _bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _stage_name(application: Application) -> str:
    if application.state != Application.State.IN_REVIEW:
        return ""
    stage = application.current_stage or {}
    return str(stage.get("name", ""))


# --- Admissions ------------------------------------------------------------------------------------------------------
def admissions_rows():
    """Submitted admissions (drafts never sent are the enterprise's own business), oldest submission first."""
    return (
        Admission.objects.exclude(application__state=Application.State.DRAFT)
        .select_related("organisation__industry", "application", "pilot")
        .order_by("application__submitted_at", "pk")
    )


def admissions_xlsx() -> bytes:
    book = Workbook(write_only=True)
    sheet = _Sheet(book, _("入库申请"), [32, 22, 24, 10, 18, 12])
    sheet.header([_("企业名称"), _("统一社会信用代码"), _("所属行业"), _("状态"), _("提交时间"), _("入库日期")])
    for admission in admissions_rows().iterator(chunk_size=CHUNK):
        organisation = admission.organisation
        pilot = getattr(admission, "pilot", None)
        sheet.row(
            [
                organisation.name,
                organisation.uscc or "",
                organisation.industry.name if organisation.industry else "",
                admission.application.get_state_display(),
                admission.application.submitted_at,
                pilot.admitted_on if pilot else "",
            ]
        )
    return _bytes(book)


# --- Acceptances -------------------------------------------------------------------------------------------------------
def acceptances_rows():
    """Submitted acceptances with their recognised, subsidy and paid totals (subqueries) and project names."""
    paid = (
        Tranche.objects.filter(acceptance_id=OuterRef("pk"), paid_on__isnull=False)
        .values("acceptance_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    queryset = (
        Acceptance.objects.exclude(application__state=Application.State.DRAFT)
        .select_related("organisation", "application")
        .prefetch_related("projects")
        .annotate(paid_total=Coalesce(paid, Value(ZERO)))
        .order_by("application__submitted_at", "pk")
    )
    return publicity.with_totals(queryset)


def acceptances_xlsx() -> bytes:
    book = Workbook(write_only=True)
    sheet = _Sheet(book, _("验收及补贴申请"), [32, 44, 10, 14, 16, 16, 16])
    sheet.header(
        [
            _("企业名称"),
            _("验收项目"),
            _("状态"),
            _("当前环节"),
            _("认定投资（元）"),
            _("补贴金额（元）"),
            _("已拨付（元）"),
        ]
    )
    totals = [ZERO, ZERO, ZERO]
    for acceptance in acceptances_rows().iterator(chunk_size=CHUNK):
        figures = [acceptance.recognised_total, acceptance.subsidy_total, acceptance.paid_total]
        totals = [a + b for a, b in zip(totals, figures, strict=True)]
        sheet.row(
            [
                acceptance.organisation.name,
                "、".join(p.name for p in acceptance.projects.all()),
                acceptance.application.get_state_display(),
                _stage_name(acceptance.application),
                *figures,
            ]
        )
    sheet.row([_("合计"), "", "", "", *totals], bold=True)
    return _bytes(book)


# --- A publicity batch ---------------------------------------------------------------------------------------------------
def batch_xlsx(batch: PublicityBatch) -> bytes:
    book = Workbook(write_only=True)
    facts = _Sheet(book, _("公示信息"), [14, 48])
    facts.header([_("项目"), _("内容")])
    facts.row([_("公示标题"), batch.title])
    facts.row([_("状态"), batch.get_state_display()])
    facts.row([_("公示天数（自然日）"), batch.days])
    facts.row([_("公示开始"), batch.starts_on or ""])
    facts.row([_("公示截止"), batch.ends_on or ""])
    sheet = _Sheet(book, _("公示名单"), [8, 32, 44, 16, 16, 10, 12])
    sheet.header(
        [_("序号"), _("企业名称"), _("项目"), _("认定投资（元）"), _("补贴金额（元）"), _("异议"), _("未处理异议")]
    )
    items = PublicityItem.objects.filter(batch=batch).order_by("pk")
    items = items.annotate(
        objection_count=Coalesce(
            Objection.objects.filter(item_id=OuterRef("pk")).values("item_id").annotate(n=Count("id")).values("n"), 0
        ),
        has_open=Exists(Objection.objects.filter(item_id=OuterRef("pk"), resolution="")),
    )
    recognised = subsidy = ZERO
    for number, item in enumerate(items, start=1):
        recognised += item.recognised_amount
        subsidy += item.subsidy
        sheet.row(
            [
                number,
                item.enterprise_name,
                item.projects,
                item.recognised_amount,
                item.subsidy,
                item.objection_count,
                _("是") if item.has_open else _("否"),
            ]
        )
    sheet.row([_("合计"), "", "", recognised, subsidy, "", ""], bold=True)
    return _bytes(book)
