"""数字化水平评测: the enterprise answers the active questionnaire of its sector (from its cultivation info); every
completed assessment is kept, and the latest is the one that counts (专精特新 indicator 5, seed FAQ 6)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from tenant_apps.cultivation import common
from tenant_apps.cultivation.models import Assessment, Questionnaire
from tenant_apps.cultivation.questionnaire_services import score
from tenants.errors import DomainError, not_found


def questionnaire_for(organisation) -> Questionnaire:
    """The active questionnaire of the enterprise's sector."""
    info = common.info_required(organisation)
    questionnaire = Questionnaire.objects.filter(sector=info.sector, is_active=True).first()
    if questionnaire is None:
        raise DomainError(
            _("本平台尚未配置“%(sector)s”评测表。") % {"sector": info.get_sector_display()},
            code="cultivation.no_questionnaire",
            status=409,
        )
    return questionnaire


def assessments_of(organisation):
    return Assessment.objects.filter(organisation=organisation).select_related("questionnaire")


def access_assessment(membership, pk) -> Assessment:
    assessment = assessments_of(common.enterprise_of(membership)).filter(pk=pk).first()
    if assessment is None:
        raise not_found(_("该评测记录不存在。"), code="cultivation.assessment_not_found")
    return assessment


def questionnaire_current(organisation, questionnaire_id=None) -> Questionnaire:
    """The questionnaire answers are scored against; a form opened on an older version (the questions may have
    changed since) is refused with 409, so the enterprise answers the current one."""
    questionnaire = questionnaire_for(organisation)
    if questionnaire_id not in (None, "") and str(questionnaire_id) != str(questionnaire.pk):
        raise DomainError(
            _("评测表已更新，请重新作答。"), code="cultivation.questionnaire_changed", status=409, field="questionnaire"
        )
    return questionnaire


@transaction.atomic
def assessment_take(*, membership, answers: dict, questionnaire_id: int | None = None) -> Assessment:
    """Score and keep a completed assessment (refused while any question is unanswered, see `score`)."""
    organisation = common.enterprise_of(membership)
    questionnaire = questionnaire_current(organisation, questionnaire_id)
    sections, total, level = score(questionnaire.definition, answers or {})
    codes = [q["code"] for section in questionnaire.definition["sections"] for q in section["questions"]]
    return Assessment.objects.create(
        organisation=organisation,
        questionnaire=questionnaire,
        answers={code: answers[code] for code in codes},  # what was asked, nothing else a client sent along
        section_scores=sections,
        score=total,
        level=level,
        created_by=membership.user,
    )
