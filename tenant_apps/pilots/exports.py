"""The bureau's and finance's workbooks (XLSX): admissions, acceptances (with recognised, subsidy and paid
amounts) and a publicity batch's items.

Cells come from `shared_apps.ui.xlsx` (as for the voucher exports): text is always written as text, so a company
called "=HYPERLINK(…)" stays a name, never a formula. Amounts are Decimals with two places; rows are read in chunks
with their prefetches, so the number of statements does not grow with the rows."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from shared_apps.ui.xlsx import XLSX as XLSX  # the views name the content type and the file through this module
from shared_apps.ui.xlsx import Sheet, workbook, workbook_bytes
from shared_apps.ui.xlsx import download_name as download_name
from tenant_apps.pilots import publicity
from tenant_apps.pilots.models import Acceptance, Admission, Objection, PublicityBatch, PublicityItem, Tranche
from tenant_apps.workflow.models import Application
from tenants.errors import DomainError

EXPORT_ROLES = ("city_bureau", "finance")
CHUNK = 1000
ZERO = Decimal("0.00")


def may_export(membership) -> bool:
    return membership is not None and membership.has_role(*EXPORT_ROLES)


def ensure_may_export(membership) -> None:
    if not may_export(membership):
        raise DomainError(_("只有市工信局和财政部门可以导出。"), code="pilots.export_forbidden", status=403)


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
    book = workbook()
    sheet = Sheet(book, _("入库申请"), [32, 22, 24, 10, 18, 12])
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
    return workbook_bytes(book)


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
    book = workbook()
    sheet = Sheet(book, _("验收及补贴申请"), [32, 44, 10, 14, 16, 16, 16])
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
    return workbook_bytes(book)


# --- A publicity batch ---------------------------------------------------------------------------------------------------
def batch_xlsx(batch: PublicityBatch) -> bytes:
    book = workbook()
    facts = Sheet(book, _("公示信息"), [14, 48])
    facts.header([_("项目"), _("内容")])
    facts.row([_("公示标题"), batch.title])
    facts.row([_("状态"), batch.get_state_display()])
    facts.row([_("公示天数（自然日）"), batch.days])
    facts.row([_("公示开始"), batch.starts_on or ""])
    facts.row([_("公示截止"), batch.ends_on or ""])
    sheet = Sheet(book, _("公示名单"), [8, 32, 44, 16, 16, 10, 12])
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
    return workbook_bytes(book)
