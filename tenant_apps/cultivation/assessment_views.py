"""数字化水平评测 in the workbench (/workbench/cultivation/assessment/), for the enterprise: the landing page (the
questionnaire of its sector, the latest level — the one that counts — and the history), the form (one page, a
fieldset per section), the result (level, section scores, a radar drawn on the server) and its PDF. Writes go
through `assessments`; unanswered questions are refused next to each question with the answers kept, and a form of
an older questionnaire version is refused with 409 and the current version's form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shared_apps.ui.pagination import paginate
from shared_apps.ui.tables import Column, Table
from tenant_apps.cultivation import assessments, common
from tenant_apps.cultivation.assessment_charts import radar_svg
from tenant_apps.cultivation.assessment_exports import answer_rows, assessment_pdf, download_name, level_label
from tenant_apps.cultivation.assessment_forms import AssessmentForm, kept_answers
from tenant_apps.cultivation.navigation import enterprise_tabs
from tenant_apps.cultivation.page_access import enterprise_member, fetch, url_or_none
from tenants.errors import DomainError

HISTORY = Table(
    columns=(
        Column(gettext_lazy("评测时间"), "created_at", format="datetime", width="10em", primary=True),
        Column(gettext_lazy("评测表"), lambda row: str(row.questionnaire), wrap=True, name="title"),
        Column(gettext_lazy("总分"), "score", width="6em", align="end"),
        Column(gettext_lazy("数字化水平"), lambda row: level_label(row.level), width="7em"),
        Column(gettext_lazy("操作"), template="cultivation/assessment/cells/actions.html", name="actions"),
    ),
    empty=gettext_lazy("尚未进行数字化水平评测。"),
    row_attrs=lambda row: {"data-assessment": row.pk, "data-level": row.level},
)
INDICATOR_NOTE = gettext_lazy(
    "企业可多次评测，系统以最新一次评测结果作为专精特新中小企业认定标准第 5 项指标“数字化水平”的评价依据。"
)


def _blocked(organisation) -> tuple[object, str]:
    """(the questionnaire to answer, None) or (None, why not: no info, or none configured for the sector)."""
    try:
        return assessments.questionnaire_for(organisation), ""
    except DomainError as error:
        return None, error.message


# --- Landing -----------------------------------------------------------------------------------------------------------
@login_required
def assessment_home(request):
    _membership, organisation = enterprise_member(request)
    info = common.info_of(organisation)
    questionnaire, refusal = _blocked(organisation) if info else (None, "")
    page = paginate(request, assessments.assessments_of(organisation))
    latest = assessments.assessments_of(organisation).first()  # the one that counts, whatever page is shown
    context = {
        "tabs": enterprise_tabs("assessment"),
        "info": info,
        "info_url": url_or_none("cultivation-info"),
        "questionnaire": questionnaire,
        "refusal": refusal,
        "latest": latest,
        "latest_level": level_label(latest.level) if latest else "",
        "page": page,
        "table": HISTORY,
        "note": INDICATOR_NOTE,
    }
    return render(request, "cultivation/assessment/home.html", context)


# --- The form ----------------------------------------------------------------------------------------------------------
def _form_page(request, form, *, refusal: str = "", status: int = 200):
    context = {
        "tabs": enterprise_tabs("assessment"),
        "form": form,
        "questionnaire": form.questionnaire_row,
        "unanswered": form.unanswered_fields() if form.is_bound else [],
        "refusal": refusal,
        "note": INDICATOR_NOTE,
    }
    return render(request, "cultivation/assessment/take.html", context, status=status)


@login_required
def assessment_take(request):
    membership, organisation = enterprise_member(request)
    questionnaire, refusal = _blocked(organisation)
    if questionnaire is None:
        messages.warning(request, refusal)
        return redirect("cultivation-assessment")
    if request.method != "POST":
        latest = assessments.assessments_of(organisation).first()
        initial = latest.answers if latest and latest.questionnaire_id == questionnaire.pk else {}
        return _form_page(request, AssessmentForm(questionnaire, initial=initial))
    try:
        assessments.questionnaire_current(organisation, request.POST.get("questionnaire"))
    except DomainError as error:  # answered on an older version: the current one, with what still applies
        form = AssessmentForm(questionnaire, initial=kept_answers(questionnaire, request.POST))
        return _form_page(request, form, refusal=error.message, status=error.status)
    form = AssessmentForm(questionnaire, request.POST)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    try:
        assessment = assessments.assessment_take(
            membership=membership, answers=form.answers(), questionnaire_id=questionnaire.pk
        )
    except DomainError as error:
        if error.field in form.fields and error.field != "questionnaire":
            form.add_error(error.field, error.message)
            return _form_page(request, form, status=error.status)
        return _form_page(request, form, refusal=error.message, status=error.status)
    messages.success(request, _("评测已完成。"))
    return redirect("cultivation-assessment-result", pk=assessment.pk)


# --- Result and PDF ------------------------------------------------------------------------------------------------------
def _is_latest(assessment) -> bool:
    latest = assessments.assessments_of(assessment.organisation_id).values_list("pk", flat=True).first()
    return latest == assessment.pk


@login_required
def assessment_result(request, pk: int):
    membership, _organisation = enterprise_member(request)
    assessment = fetch(assessments.access_assessment, membership, pk)
    context = {
        "tabs": enterprise_tabs("assessment"),
        "assessment": assessment,
        "level": level_label(assessment.level),
        "is_latest": _is_latest(assessment),
        "radar": radar_svg(assessment.section_scores, title=_("各维度得分雷达图")),
        "sections": answer_rows(assessment),
        "note": INDICATOR_NOTE,
    }
    return render(request, "cultivation/assessment/result.html", context)


@login_required
def assessment_pdf_view(request, pk: int):
    membership, _organisation = enterprise_member(request)
    assessment = fetch(assessments.access_assessment, membership, pk)
    response = HttpResponse(
        assessment_pdf(assessment, is_latest=_is_latest(assessment)), content_type="application/pdf"
    )
    response["Content-Disposition"] = content_disposition_header(True, download_name(assessment))
    return response
