"""A declaration as a PDF (下载): the enterprise, the tier and window, the indicators with their values and the
evidence names, the self-assessment level, and the review log — through the engine's PDF path
(`workflow.documents`: the vendored Chinese font, every string escaped on its way into ReportLab)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from tenant_apps.cultivation import declaration_kinds
from tenant_apps.cultivation.models import Declaration
from tenant_apps.workflow import documents
from tenant_apps.workflow.selectors import application_log


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def declaration_pdf(declaration: Declaration) -> bytes:
    application = declaration.application
    evidence = list(declaration.evidence.all())
    story = [
        documents.para(_("%(tier)s申报") % {"tier": declaration.tier.name}, documents.TITLE),
        documents.para(_("申请编号") + "：" + documents.application_number(application)),
        documents.para(_("状态") + "：" + str(application.get_state_display())),
        documents.para(_("提交时间") + "：" + _when(application.submitted_at)),
        Spacer(1, 4 * mm),
    ]
    for section in declaration_kinds.declaration_sections(declaration):
        rows = section.rows
        if section.title == _("申报指标"):  # plain text on paper: the evidence by name, no links
            rows = []
            for indicator in declaration.tier.indicators:
                names = "、".join(e.original_name for e in evidence if e.indicator == indicator["code"])
                value = declaration.data.get(indicator["code"]) or "—"
                if indicator.get("evidence"):
                    value = f"{value}\n{_('证明材料：')}{names or _('未上传')}"
                rows.append((indicator["label"], value))
        story += [
            documents.para(section.title, documents.BODY),
            documents.table([[label, value] for label, value in rows], [60 * mm, 110 * mm], header=False),
            Spacer(1, 4 * mm),
        ]
    story += [
        documents.para(_("审核记录"), documents.TITLE),
        documents.table(
            [[_("时间"), _("环节"), _("操作"), _("处理人"), _("意见")]]
            + [
                [
                    _when(e.created_at),
                    e.stage_name,
                    e.get_action_display(),
                    e.actor.username if e.actor else "",
                    e.opinion,
                ]
                for e in application_log(application)
            ],
            [32 * mm, 36 * mm, 22 * mm, 28 * mm, 52 * mm],
        ),  # fmt: skip
    ]
    return documents.pdf_document(story, application.title)


def download_name(declaration: Declaration) -> str:
    return documents.download_name(declaration.application, "pdf", suffix=declaration.tier.name)
