"""The rules the admission and acceptance forms share: both have the same basic situation, needs and projects with
result indicators (the acceptance's projects also hold providers), a benchmark answer and typed material, and both
are submitted the same way. Each form passes its own code area (`admission`, `acceptance`), so refusals keep the
form's codes and dotted field paths."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from tenants.cleaning import Cleaner
from tenants.errors import DomainError, not_found

NEEDS_MAX, PROJECTS_MAX, INDICATORS_MAX = 20, 20, 10
PROJECT_FIELDS = ("name", "starts_on", "ends_on", "content", "investment", "level_before", "level_after")
INDICATOR_FIELDS = (("name", "指标名称", 30), ("unit", "单位", 10), ("before", "改造前", 20), ("after", "改造后", 20))
# What submission needs of each project, in the order of the form.
PROJECT_REQUIRED = (
    ("starts_on", "开始日期"),
    ("ends_on", "结束日期"),
    ("content", "改造内容"),
    ("investment", None),  # the form's own label (项目投资 in 万元, 项目总投资 in 元)
    ("level_before", "改造前数字化水平"),
    ("level_after", "改造后数字化水平"),
)


def sheets_of(model, membership):
    """The caller's own organisation's admissions or acceptances (`model`), the application joined."""
    organisation = getattr(membership, "organisation", None)
    if organisation is None or not membership.is_active:
        return model.objects.none()
    return model.objects.filter(organisation_id=organisation.pk).select_related("application")


def access(queryset, pk, *, message, code):
    """The row `pk` of `queryset` (what the caller may see); 404 (`message`, `code`) for missing and forbidden
    alike, a malformed id included."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = 0
    row = queryset.filter(pk=pk).first() if pk else None
    if row is None:
        raise not_found(message, code=code)
    return row


def blank(row: dict, nested=()) -> bool:
    """A row with nothing typed (its nested lists empty too): skipped rather than refused."""
    return not any(str(v or "").strip() for k, v in row.items() if k not in nested) and not any(
        row.get(k) for k in nested
    )


def too_many(area: str, field: str, message) -> DomainError:
    return DomainError(message, code=f"{area}.too_many", field=field)


def needs_clean(rows, cleaner: Cleaner) -> list[dict]:
    rows = [r for r in (rows or []) if not blank(r)]
    if len(rows) > NEEDS_MAX:
        raise too_many(cleaner.area, "needs", _("改造需求最多 %(max)s 项。") % {"max": NEEDS_MAX})
    return [
        {
            "kind": cleaner.text(
                r.get("kind"), field=f"needs.{i}.kind", label=_("需求类型"), max_length=30, required=True
            ),
            "description": cleaner.text(
                r.get("description"), field=f"needs.{i}.description", label=_("需求描述"), max_length=500, required=True
            ),
            "analysis": cleaner.text(
                r.get("analysis"),
                field=f"needs.{i}.analysis",
                label=_("问题及需求分析"),
                max_length=1000,
                required=False,
            ),
        }
        for i, r in enumerate(rows)
    ]


def projects_clean(rows, cleaner: Cleaner, *, investment, nested=("indicators",), extra=None) -> list[dict]:
    """Projects with their indicators; `investment(value, field)` cleans the amount in the form's unit and
    `extra(row, path) -> dict` adds what only one form has (the acceptance's providers)."""
    rows = [r for r in (rows or []) if not blank(r, nested=nested)]
    if len(rows) > PROJECTS_MAX:
        raise too_many(cleaner.area, "projects", _("改造项目最多 %(max)s 个。") % {"max": PROJECTS_MAX})
    cleaned = []
    for i, r in enumerate(rows):
        p = f"projects.{i}"
        project = {
            "name": cleaner.text(r.get("name"), field=f"{p}.name", label=_("项目名称"), max_length=60, required=True),
            "starts_on": cleaner.date(r.get("starts_on"), field=f"{p}.starts_on", label=_("开始日期")),
            "ends_on": cleaner.date(r.get("ends_on"), field=f"{p}.ends_on", label=_("结束日期")),
            "content": cleaner.text(
                r.get("content"), field=f"{p}.content", label=_("改造内容"), max_length=2000, required=False
            ),
            "investment": investment(r.get("investment"), f"{p}.investment"),
            "level_before": cleaner.level(
                r.get("level_before"), field=f"{p}.level_before", label=_("改造前数字化水平")
            ),
            "level_after": cleaner.level(r.get("level_after"), field=f"{p}.level_after", label=_("改造后数字化水平")),
        }
        if project["starts_on"] and project["ends_on"] and project["ends_on"] < project["starts_on"]:
            raise DomainError(_("结束日期不能早于开始日期。"), code=f"{cleaner.area}.period", field=f"{p}.ends_on")
        indicators = [x for x in (r.get("indicators") or []) if not blank(x)]
        if len(indicators) > INDICATORS_MAX:
            raise too_many(
                cleaner.area, f"{p}.indicators", _("每个项目最多 %(max)s 个成效指标。") % {"max": INDICATORS_MAX}
            )
        project["indicators"] = [
            {
                key: cleaner.text(
                    x.get(key), field=f"{p}.indicators.{j}.{key}", label=_(label), max_length=size, required=False
                )
                for key, label, size in INDICATOR_FIELDS
            }
            for j, x in enumerate(indicators)
        ]
        if extra is not None:
            project.update(extra(r, p))
        cleaned.append(project)
    return cleaned


def indicator_dicts(project) -> list[dict]:
    return [{"name": x.name, "unit": x.unit, "before": x.before, "after": x.after} for x in project.indicators.all()]


def project_dict(project) -> dict:
    """A saved project's shared fields and indicators, as the cleaners return them (the defect rules read these)."""
    return {**{name: getattr(project, name) for name in PROJECT_FIELDS}, "indicators": indicator_dicts(project)}


@dataclass(frozen=True)
class Rules:
    """What each form cleans and stores its own way (its service's functions)."""

    basic_clean: Callable  # (data, organisation) -> dict
    needs_clean: Callable  # (rows) -> list[dict]
    projects_clean: Callable  # (rows) -> list[dict]
    store_projects: Callable  # (sheet, cleaned projects) -> None


def save_sections(sheet, rules: Rules, membership, expected_version, *, basic, needs, projects, benchmark) -> None:
    """The part of 保存 both forms share, once their files are checked (None: the section was not sent): 一, 二 and
    三 cleaned by the form's `rules`, then the application touched (a stale form refused), 一 and 四 on the row, 二
    replaced and 三 stored the form's way."""
    from tenant_apps.workflow.services import application_touch

    cleaned_basic = rules.basic_clean(basic, membership.organisation) if basic is not None else None
    cleaned_needs = rules.needs_clean(needs) if needs is not None else None
    cleaned_projects = rules.projects_clean(projects) if projects is not None else None
    sheet.application = application_touch(
        application=sheet.application, actor=membership.user, expected_version=expected_version
    )
    if cleaned_basic is not None:
        sheet.basic = cleaned_basic
    if benchmark is not None:
        sheet.benchmark = benchmark if benchmark in (True, False) else None
    sheet.save()
    if cleaned_needs is not None:
        rows = sheet.needs
        rows.all().delete()
        rows.model.objects.bulk_create(
            [rows.model(**{rows.field.name: sheet}, position=i, **row) for i, row in enumerate(cleaned_needs)]
        )
    if cleaned_projects is not None:
        rules.store_projects(sheet, cleaned_projects)


def missing(sheet, projects: list[dict], *, basic_fields, investment_label, needs_message, projects_message, files):
    """What submission still needs of the shared sections, as (field, message), in the order of the form: the
    required basic fields, a need, a project and each project's required fields, the benchmark answer and the
    required material (`files`: the kinds, a TextChoices of labels)."""
    problems = []
    for code, label, _max, required, _fixed in basic_fields:
        if required and not str(sheet.basic.get(code, "")).strip():
            problems.append((f"basic.{code}", _("请填写%(label)s。") % {"label": label}))
    if not sheet.needs.exists():
        problems.append(("needs", needs_message))
    if not projects:
        problems.append(("projects", projects_message))
    for i, p in enumerate(projects):
        for key, label in PROJECT_REQUIRED:
            if p[key] in (None, ""):
                label = investment_label if label is None else _(label)
                problems.append(
                    (f"projects.{i}.{key}", _("项目%(n)s：请填写%(label)s。") % {"n": i + 1, "label": label})
                )
    if sheet.benchmark is None:
        problems.append(("benchmark", _("请选择是否愿意参与标杆样板打造。")))
    present = set(sheet.files.values_list("kind", flat=True))
    choices, required = files
    for kind in required:
        if kind not in present:
            problems.append((f"files.{kind}", _("请上传%(label)s。") % {"label": choices(kind).label}))
    return problems


def submit(sheet, *, membership, expected_version, area: str, problems, defect_results):
    """提交: the sheet's application, checked (the first missing item, then the first blocking defect finding, each
    raised on its field), handed to the engine (first submission or resubmission)."""
    from tenant_apps.workflow.services import application_submit, application_touch

    sheet.application = application_touch(
        application=sheet.application, actor=membership.user, expected_version=expected_version
    )
    missing_now = problems(sheet)
    if missing_now:
        field, message = missing_now[0]
        raise DomainError(message, code=f"{area}.incomplete", field=field)
    for result in defect_results(sheet):
        blocking = [f for f in result.findings if f.blocking]
        if blocking:
            raise DomainError(blocking[0].message, code=f"{area}.defect.{result.code}", field=blocking[0].field)
    sheet.application = application_submit(application=sheet.application, actor=membership.user)
    return sheet
