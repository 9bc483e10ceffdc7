"""What a cultivation declaration shows on the engine's application page (reviewers and the enterprise alike):
the enterprise's cultivation info, the tier and window, the indicators with their values and evidence links (the
downloads go through `access.py`), and the self-assessment it carried; and where the enterprise re-edits it."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from tenant_apps.cultivation import declarations
from tenant_apps.cultivation.kinds import DECLARATION
from tenant_apps.cultivation.models import Declaration
from tenant_apps.workflow.registry import Section, register_content, register_edit_url


def evidence_url(declaration_pk: int, evidence_pk: int) -> str:
    return reverse("cultivation-evidence-file", args=[declaration_pk, evidence_pk])


def _evidence_links(declaration: Declaration, code: str, evidence: list) -> str:
    items = [e for e in evidence if e.indicator == code]
    if not items:
        return ""
    return format_html_join("、", '<a href="{}">{}</a>', ((evidence_url(declaration.pk, e.pk), e.original_name)
                                                        for e in items))  # fmt: skip


def assessment_of(declaration: Declaration):
    """The assessment recorded on submission; before that, the latest (what submission would record)."""
    return declaration.assessment or declarations.latest_assessment(declaration.organisation)


def indicator_rows(declaration: Declaration, *, links: bool = True) -> list[tuple[str, str]]:
    evidence = list(declaration.evidence.all())
    rows = []
    for indicator in declaration.tier.indicators:
        code = indicator["code"]
        value = declaration.data.get(code) or "—"
        files = _evidence_links(declaration, code, evidence) if links and indicator.get("evidence") else ""
        if files:
            value = format_html("{}<br>{}{}", value, _("证明材料："), files)
        elif indicator.get("evidence"):
            value = format_html("{}<br>{}", value, _("证明材料：未上传"))
        rows.append((indicator["label"], value))
    return rows


def declaration_sections(declaration: Declaration) -> list[Section]:
    organisation = declaration.organisation
    info = getattr(organisation, "cultivation_info", None)
    window = declaration.window
    assessment = assessment_of(declaration)
    sections = [
        Section(
            _("企业信息"),
            [
                (_("企业名称"), organisation.name),
                (_("统一社会信用代码"), organisation.uscc or "—"),
                (_("注册地"), info.region.full_name if info else "—"),
                (_("所属行业类别"), info.get_sector_display() if info else "—"),
                (_("主营业务"), info.main_business if info else "—"),
            ],
        ),
        Section(
            _("申报信息"),
            [
                (_("申报层级"), declaration.tier.name),
                (_("申报批次"), window.name),
                (_("申报地区"), window.region.name if window.region else _("全部地区")),
                (_("申报时间"), f"{window.opens_on:%Y-%m-%d} 至 {window.closes_on:%Y-%m-%d}"),
            ],
        ),
        Section(_("申报指标"), indicator_rows(declaration) or [(_("指标"), "—")]),
        Section(
            _("数字化水平评测"),
            [
                (_("数字化水平等级"), _("%(n)s 级") % {"n": assessment.level} if assessment else _("未评测")),
                (_("总分"), str(assessment.score) if assessment else "—"),
                (_("评测时间"), f"{assessment.created_at:%Y-%m-%d}" if assessment else "—"),
            ],
        ),
    ]
    return sections


def declaration_content(application) -> list[Section]:
    declaration = (
        Declaration.objects.select_related(
            "organisation", "organisation__cultivation_info", "organisation__cultivation_info__region", "tier",
            "window", "window__region", "assessment",
        )
        .prefetch_related("evidence")
        .filter(application=application)
        .first()
    )  # fmt: skip
    return declaration_sections(declaration) if declaration else []


def edit_url(application) -> str | None:
    declaration = Declaration.objects.filter(application=application).only("pk").first()
    if declaration is None:
        return None
    try:
        return reverse("cultivation-declaration-edit", args=[declaration.pk])
    except NoReverseMatch:
        return None


def register() -> None:
    register_content(DECLARATION, declaration_content)
    register_edit_url(DECLARATION, edit_url)
