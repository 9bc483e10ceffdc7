"""Questionnaires as data and the scoring of an assessment.

A definition (`Questionnaire.definition`, a bundled `questionnaires/<sector>.json`, or a file the tenant admin
loads) is checked whole before it is stored: a bad file is refused with every problem listed, never half-loaded.
Scoring: each question's chosen option(s) score points (multiple-choice questions add up, capped at the question's
`max` when it has one, else at the sum of its positive options); a section's score is its points over its maximum, times its weight; the total (0–100)
falls into the level whose `min` it reaches last."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from tenant_apps.cultivation import lock_objects
from tenant_apps.cultivation.models import Questionnaire, Sector
from tenants.errors import DomainError

LEVELS = (1, 2, 3, 4)
# A question's code is a form field's name and a key of the API's answers: letters, digits and _, no clash with the
# form's own fields.
CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")
RESERVED_CODES = {"questionnaire", "csrfmiddlewaretoken"}


def _number(value) -> Decimal | None:
    """A finite number given as a number (not a bool, not text), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    number = Decimal(str(value))
    return number if number.is_finite() else None


def question_max(question: dict) -> Decimal:
    """The most a question can score: its best option; for a multiple-choice question the sum of its positive
    options, capped by its `max` when it has one (e.g. six systems at 2 points, full marks from the fourth)."""
    scores = [Decimal(str(option["score"])) for option in question["options"]]
    if not question.get("multiple"):
        return max(scores)
    best = sum(s for s in scores if s > 0)
    cap = question.get("max")
    return min(best, Decimal(str(cap))) if cap is not None else best


def _question_errors(question, at: str, codes: set) -> list[str]:
    if not isinstance(question, dict) or not question.get("code") or not str(question.get("text", "")).strip():
        return [_("%(at)s缺少 code 或 text。") % {"at": at}]
    errors = []
    code = question["code"]
    if not isinstance(code, str) or not CODE.match(code) or code in RESERVED_CODES:
        errors.append(_("%(at)s的编码须以字母开头，只含字母、数字和下划线。") % {"at": at})
    elif code in codes:
        errors.append(_("题目编码 %(code)s 重复。") % {"code": code})
    codes.add(str(code))
    options = question.get("options")
    if not isinstance(options, list) or len(options) < 2:
        return [*errors, _("%(at)s至少需要两个选项。") % {"at": at}]
    if not all(isinstance(o, dict) and str(o.get("text", "")).strip() for o in options):
        errors.append(_("%(at)s的每个选项都须有 code 和 text。") % {"at": at})
        return errors
    option_codes = [o.get("code") for o in options]
    if None in option_codes or "" in option_codes or len(set(map(str, option_codes))) != len(options):
        errors.append(_("%(at)s的选项编码缺失或重复。") % {"at": at})
    if any(_number(o.get("score")) is None for o in options):
        errors.append(_("%(at)s的选项分值须为数字。") % {"at": at})
    elif max(_number(o["score"]) for o in options) <= 0:
        errors.append(_("%(at)s至少需要一个得分大于 0 的选项。") % {"at": at})
    if "max" in question:
        cap = _number(question["max"])
        if not question.get("multiple"):
            errors.append(_("%(at)s：只有多选题可以设置得分上限（max）。") % {"at": at})
        elif cap is None or cap <= 0:
            errors.append(_("%(at)s的得分上限（max）须为大于 0 的数字。") % {"at": at})
    return errors


def definition_errors(definition) -> list[str]:
    """Every problem of a definition, in Chinese (empty when it can be loaded). Never raises, whatever the JSON."""
    if not isinstance(definition, dict):
        return [_("评测表须为 JSON 对象。")]
    errors = []
    if definition.get("sector") not in Sector.values:
        errors.append(_("sector 须为 %(allowed)s 之一。") % {"allowed": "、".join(Sector.values)})
    if not str(definition.get("title", "")).strip():
        errors.append(_("请填写评测表名称（title）。"))
    elif len(str(definition["title"])) > Questionnaire._meta.get_field("title").max_length:
        errors.append(_("评测表名称（title）不能超过 100 个字。"))
    sections = definition.get("sections")
    if not isinstance(sections, list) or not sections:
        errors.append(_("评测表至少需要一个部分（sections）。"))
        sections = []
    weight_total, codes, section_codes = Decimal(0), set(), set()
    for s_index, section in enumerate(sections, start=1):
        where = _("第 %(n)d 部分") % {"n": s_index}
        if not isinstance(section, dict) or not section.get("code") or not str(section.get("name", "")).strip():
            errors.append(_("%(where)s缺少 code 或 name。") % {"where": where})
            continue
        if str(section["code"]) in section_codes:
            errors.append(_("部分编码 %(code)s 重复。") % {"code": section["code"]})
        section_codes.add(str(section["code"]))
        weight = _number(section.get("weight"))
        if weight is None or weight <= 0:
            errors.append(_("%(where)s的权重（weight）须为大于 0 的数字。") % {"where": where})
        else:
            weight_total += weight
        questions = section.get("questions")
        if not isinstance(questions, list) or not questions:
            errors.append(_("%(where)s没有题目。") % {"where": where})
            continue
        for q_index, question in enumerate(questions, start=1):
            at = _("%(where)s第 %(n)d 题") % {"where": where, "n": q_index}
            errors.extend(_question_errors(question, at, codes))
    if sections and weight_total != 100:
        errors.append(_("各部分权重之和须为 100（现为 %(total)s）。") % {"total": weight_total})
    levels = definition.get("levels")
    if not isinstance(levels, list) or [lv.get("level") if isinstance(lv, dict) else None for lv in levels] != list(
        LEVELS
    ):
        errors.append(_("levels 须依次给出 1 至 4 级及各级最低分（min）。"))
    else:
        mins = [_number(lv.get("min")) for lv in levels]
        if None in mins or mins != sorted(mins) or mins[0] != 0 or mins[-1] > 100:
            errors.append(_("各级最低分须从 0 开始递增，且不超过 100。"))
    return errors


def unanswered(definition: dict, answers: dict) -> list[str]:
    """The codes of the questions `answers` leaves without an answer, in the questionnaire's order."""
    answers = answers if isinstance(answers, dict) else {}
    return [
        question["code"]
        for section in definition["sections"]
        for question in section["questions"]
        if answers.get(question["code"]) in (None, "", [])
    ]


@transaction.atomic
def questionnaire_load(definition: dict) -> Questionnaire:
    """Store a definition as the sector's new active version (the previous one stays for the assessments that
    used it). Refused whole, with every problem, when it does not check."""
    errors = definition_errors(definition)
    if errors:
        raise DomainError("；".join(errors), code="cultivation.questionnaire_invalid", field="definition")
    sector = definition["sector"]
    latest = lock_objects.latest_questionnaire_lock(sector)
    Questionnaire.objects.filter(sector=sector, is_active=True).update(is_active=False)
    return Questionnaire.objects.create(
        sector=sector,
        version=(latest.version + 1) if latest else 1,
        title=definition["title"],
        definition={"sections": definition["sections"], "levels": definition["levels"]},
        is_active=True,
    )


def score(definition: dict, answers: dict) -> tuple[list[dict], Decimal, int]:
    """(section scores, total 0–100, level) for answers `{question_code: option_code | [option_codes]}`. Every
    question must be answered; an unknown option is refused on its question."""
    answers = answers if isinstance(answers, dict) else {}
    missing, sections, total = [], [], Decimal(0)
    for section in definition["sections"]:
        points, best = Decimal(0), Decimal(0)
        for question in section["questions"]:
            options = {str(o["code"]): Decimal(str(o["score"])) for o in question["options"]}
            given = answers.get(question["code"])
            chosen = given if isinstance(given, list) else ([given] if given not in (None, "") else [])
            if not all(isinstance(code, str) for code in chosen):
                raise DomainError(_("所选选项无效。"), code="cultivation.bad_option", field=question["code"])
            if not chosen:
                missing.append(question["code"])
                continue
            if any(code not in options for code in chosen) or (len(chosen) > 1 and not question.get("multiple")):
                raise DomainError(_("所选选项无效。"), code="cultivation.bad_option", field=question["code"])
            most = question_max(question)
            points += min(sum(options[code] for code in set(chosen)), most)
            best += most
        weight = Decimal(str(section["weight"]))
        value = (points / best * weight) if best else Decimal(0)
        value = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        sections.append({"code": section["code"], "name": section["name"], "score": str(value), "max": str(weight)})
        total += value
    if missing:
        raise DomainError(
            _("还有 %(n)d 道题未作答。") % {"n": len(missing)}, code="cultivation.unanswered", field=missing[0]
        )
    level = max(lv["level"] for lv in definition["levels"] if total >= Decimal(str(lv["min"])))
    return sections, total, level
