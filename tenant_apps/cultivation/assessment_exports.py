"""An assessment's result as people read it — its level, section scores and answers — and as a PDF. The PDF goes
through the review engine's document helpers (`workflow.documents`): the embedded Chinese font, and every string
escaped on its way into ReportLab (section names and options come from a loaded file)."""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenant_apps.cultivation.assessment_charts import radar_drawing

LEVEL_LABELS = {1: gettext_lazy("一级"), 2: gettext_lazy("二级"), 3: gettext_lazy("三级"), 4: gettext_lazy("四级")}
_NOT_IN_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f\s]')


def level_label(level: int | None) -> str:
    return str(LEVEL_LABELS[level]) if level in LEVEL_LABELS else "—"


def answer_rows(assessment) -> list[dict]:
    """Per section of the questionnaire the assessment used: each question, the option text(s) chosen and the
    points they scored (multiple choice capped as scored)."""
    from tenant_apps.cultivation.questionnaire_services import question_max

    answers = assessment.answers if isinstance(assessment.answers, dict) else {}
    sections = []
    for section in assessment.questionnaire.definition.get("sections", []):
        rows = []
        for question in section.get("questions", []):
            options = {str(o["code"]): o for o in question["options"]}
            given = answers.get(question["code"])
            chosen = [str(c) for c in (given if isinstance(given, list) else [given]) if c not in (None, "")]
            picked = [options[c] for c in dict.fromkeys(chosen) if c in options]
            points = min(sum(Decimal(str(o["score"])) for o in picked), question_max(question)) if picked else 0
            rows.append(
                {
                    "code": question["code"],
                    "text": question["text"],
                    "answer": "；".join(str(o["text"]) for o in picked) or "—",
                    "points": points,
                    "max": question_max(question),
                }
            )
        sections.append({"code": section["code"], "name": section["name"], "rows": rows})
    return sections


def download_name(assessment) -> str:
    when = timezone.localtime(assessment.created_at).strftime("%Y%m%d")
    name = f"{_('数字化水平评测结果')}-{assessment.organisation.name[:60]}-{when}"
    return f"{_NOT_IN_FILENAME.sub('_', name)}.pdf"


def assessment_pdf(assessment, *, is_latest: bool) -> bytes:
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer

    from tenant_apps.workflow.documents import BODY, TITLE, para, pdf_document, pdf_font, table

    when = timezone.localtime(assessment.created_at).strftime("%Y-%m-%d %H:%M")
    counts = (
        _("本次结果为最新一次评测，作为专精特新中小企业认定标准第 5 项指标“数字化水平”的评价依据。")
        if is_latest
        else _("本次结果已被之后的评测取代；认定时以最新一次评测结果为准。")
    )
    story = [
        para(_("中小企业数字化水平评测结果"), TITLE),
        para(_("企业名称") + "：" + assessment.organisation.name),
        para(_("评测表") + "：" + str(assessment.questionnaire)),
        para(_("评测时间") + "：" + when),
        para(_("总分") + "：" + f"{assessment.score}" + " / 100"),
        para(_("数字化水平等级") + "：" + level_label(assessment.level)),
        para(counts, BODY),
        Spacer(1, 4 * mm),
        radar_drawing(assessment.section_scores, font=pdf_font()),
        Spacer(1, 4 * mm),
        table(
            [[_("评测维度"), _("得分"), _("满分")]]
            + [[s.get("name", ""), s.get("score", ""), s.get("max", "")] for s in assessment.section_scores],
            [90 * mm, 40 * mm, 40 * mm],
        ),
    ]
    for section in answer_rows(assessment):
        story += [
            Spacer(1, 5 * mm),
            para(section["name"], BODY),
            table(
                [[_("题目"), _("作答"), _("得分")]]
                + [[row["text"], row["answer"], f"{row['points']}/{row['max']}"] for row in section["rows"]],
                [80 * mm, 66 * mm, 24 * mm],
            ),
        ]
    return pdf_document(story, _("数字化水平评测结果") + " " + assessment.organisation.name)
