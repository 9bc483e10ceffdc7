"""The reviewers' five common defects (seed 002 注意事项 1) as named rules, configured per tenant (`DefectRule`):
checked when the enterprise submits (blocking rules refuse, warnings are shown) and shown to reviewers as ✔/✘.

Each finding names the field it is about (`projects.0.ends_on`), so the form puts the message next to it."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from tenant_apps.pilots.models import DefectRule

# Defaults when a tenant has no row for a rule (every rule on and blocking; names ≥ 6, content ≥ 30 characters).
DEFAULT_THRESHOLDS = {DefectRule.Code.PROJECT_NAME: 6, DefectRule.Code.CONTENT: 30}


@dataclass(frozen=True)
class Finding:
    code: str
    field: str
    message: str
    blocking: bool


@dataclass(frozen=True)
class RuleResult:
    code: str
    label: str
    passed: bool
    blocking: bool
    findings: tuple[Finding, ...]


def active_rules() -> list[DefectRule]:
    """The tenant's rules, with a default (on, blocking) for any code it has no row for."""
    rows = {rule.code: rule for rule in DefectRule.objects.all()}
    rules = []
    for code in DefectRule.Code:
        rule = rows.get(code.value) or DefectRule(code=code.value, threshold=DEFAULT_THRESHOLDS.get(code))
        if rule.threshold is None and code in DEFAULT_THRESHOLDS:
            rule.threshold = DEFAULT_THRESHOLDS[code]
        rules.append(rule)
    return rules


def _check(rule: DefectRule, projects: list[dict], period: tuple) -> list[Finding]:
    start, end = period
    found = []
    for index, project in enumerate(projects):
        number = index + 1
        if rule.code == DefectRule.Code.PERIOD and start and end:
            for name in ("starts_on", "ends_on"):
                day = project.get(name)
                if day and not start <= day <= end:
                    found.append(
                        Finding(
                            rule.code,
                            f"projects.{index}.{name}",
                            _("项目%(n)s的周期超出试点期（%(start)s 至 %(end)s）。")
                            % {"n": number, "start": start.isoformat(), "end": end.isoformat()},
                            rule.blocking,
                        )
                    )
                    break
        elif rule.code == DefectRule.Code.LEVELS:
            before, after = project.get("level_before"), project.get("level_after")
            if before and after and int(before) > int(after):
                found.append(
                    Finding(
                        rule.code,
                        f"projects.{index}.level_after",
                        _("项目%(n)s改造前的数字化水平高于改造后。") % {"n": number},
                        rule.blocking,
                    )
                )
        elif rule.code == DefectRule.Code.INDICATOR_NAME:
            for position, indicator in enumerate(project.get("indicators") or []):
                has_value = any((indicator.get(k) or "").strip() for k in ("before", "after", "unit"))
                if has_value and not (indicator.get("name") or "").strip():
                    found.append(
                        Finding(
                            rule.code,
                            f"projects.{index}.indicators.{position}.name",
                            _("项目%(n)s的第 %(m)s 个成效指标填写了数值，请填写指标名称。")
                            % {"n": number, "m": position + 1},
                            rule.blocking,
                        )
                    )
        elif rule.code == DefectRule.Code.PROJECT_NAME:
            name = (project.get("name") or "").strip()
            if name and len(name) < (rule.threshold or 0):
                found.append(
                    Finding(
                        rule.code,
                        f"projects.{index}.name",
                        _(
                            "项目%(n)s的名称过短（至少 %(min)s 个字），请写明改造对象和内容，例如“冲压车间设备联网与数据采集改造”。"
                        )
                        % {"n": number, "min": rule.threshold},
                        rule.blocking,
                    )
                )
        elif rule.code == DefectRule.Code.CONTENT:
            content = (project.get("content") or "").strip()
            if content and len(content) < (rule.threshold or 0):
                found.append(
                    Finding(
                        rule.code,
                        f"projects.{index}.content",
                        _(
                            "项目%(n)s的改造内容过于简单（至少 %(min)s 个字），请写明改造了什么、用了哪些系统或设备、带来哪些变化。"
                        )
                        % {"n": number, "min": rule.threshold},
                        rule.blocking,
                    )
                )
    return found


def evaluate(projects: list[dict], period: tuple) -> list[RuleResult]:
    """Every enabled rule against the projects (dicts with name, starts_on, ends_on, content, level_before,
    level_after, indicators[...]) and the tenant's pilot period (start, end; None when not configured)."""
    results = []
    for rule in active_rules():
        if not rule.enabled:
            continue
        findings = tuple(_check(rule, projects, period))
        results.append(RuleResult(rule.code, str(rule.get_code_display()), not findings, rule.blocking, findings))
    return results


def pilot_period() -> tuple:
    from tenant_apps.configuration.selectors import tenant_settings

    row = tenant_settings()
    return (row.pilot_start, row.pilot_end) if row else (None, None)
