"""What the console's charts and the city page draw, shaped from rolled-up rows only (no query here): the payloads
go to the page through `json_script` and `static/js/console-charts.js` draws them with the vendored ECharts."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shared_apps.oversight.models import AuditEntry, TenantFigures, TenantSnapshot

# The trend lines of the console home and the city page: (snapshot column, label).
TREND_LINES = (
    ("certified_enterprises", gettext_lazy("已认证企业")),
    ("pilot_enterprises", gettext_lazy("试点企业")),
    ("acceptances_accepted", gettext_lazy("验收通过")),
    ("cultivation_recognised", gettext_lazy("有效认定")),
    ("tasks_open", gettext_lazy("待办")),
    ("tasks_overdue", gettext_lazy("超期待办")),
)
TREND_COLUMNS = tuple(name for name, _label in TREND_LINES)
# The figures whose change the city page lists (7 and 30 days back), all kept in every snapshot's `figures`.
DELTA_FIGURES = (
    ("enterprises", gettext_lazy("企业")),
    ("certified_enterprises", gettext_lazy("已认证企业")),
    ("pilot_enterprises", gettext_lazy("试点企业")),
    ("acceptances_accepted", gettext_lazy("验收通过")),
    ("ecosystem_providers_approved", gettext_lazy("入盟服务商")),
    ("orders", gettext_lazy("订单")),
    ("vouchers_issued", gettext_lazy("发放服务券")),
    ("cultivation_recognised", gettext_lazy("有效认定")),
    ("applications_submitted", gettext_lazy("已提交申请")),
    ("tasks_open", gettext_lazy("待办")),
    ("tasks_overdue", gettext_lazy("超期待办")),
)


def console_trend_chart(trends: dict) -> dict:
    """A line chart payload: `{"kind": "line", "x": days, "series": [{"name", "data"}]}`."""
    return {
        "kind": "line",
        "x": trends["days"],
        "series": [{"name": str(label), "data": trends["series"][name]} for name, label in TREND_LINES],
        "empty": str(_("还没有每日快照：每天汇总后生成。")),
    }


def funnels(figures: TenantFigures | None) -> list[dict]:
    """The city's pipelines, each a list of steps (label, count): the pilots' from registration to acceptance, the
    ecosystem's and cultivation's where they hold anything."""
    if figures is None:
        return []
    pipelines = [
        (
            _("试点企业流程"),
            [
                (_("注册企业"), figures.enterprises),
                (_("认证企业"), figures.certified_enterprises),
                (_("试点入库"), figures.pilot_enterprises),
                (_("验收结论"), figures.acceptances_concluded),
                (_("验收通过"), figures.acceptances_accepted),
            ],
        ),
        (
            _("生态申报"),
            [
                (_("申报服务商"), figures.ecosystem_providers_declared),
                (_("入盟服务商"), figures.ecosystem_providers_approved),
            ],
        ),
        (
            _("梯度培育"),
            [(_("培育申报"), figures.cultivation_declared), (_("有效认定"), figures.cultivation_recognised)],
        ),
    ]
    result = []
    for index, (title, steps) in enumerate(pipelines):
        if index and not any(count for _label, count in steps):
            continue  # a module the city does not run shows no empty funnel
        top = steps[0][1] or 0
        result.append(
            {
                "title": str(title),
                "steps": [
                    {"label": str(label), "count": count, "percent": round(100 * count / top) if top else None}
                    for label, count in steps
                ],
                "chart": {
                    "kind": "bar",
                    "x": [str(label) for label, _count in steps],
                    "series": [{"name": str(title), "data": [count for _label, count in steps]}],
                },
            }
        )
    return result


def deltas(figures: TenantFigures | None, snapshots: list[TenantSnapshot]) -> list[dict]:
    """Each figure now and its change against the snapshot 7 and 30 days before the latest one (None: no snapshot
    that old yet)."""
    if figures is None:
        return []
    by_day = {snapshot.day: snapshot.figures for snapshot in snapshots}
    latest = max(by_day) if by_day else None

    def back(days: int) -> dict | None:
        if latest is None:
            return None
        target = latest - datetime.timedelta(days=days)
        older = [day for day in by_day if day <= target]
        return by_day[max(older)] if older else None

    week, month = back(7), back(30)
    rows = []
    for name, label in DELTA_FIGURES:
        now = getattr(figures, name)
        rows.append(
            {
                "label": str(label),
                "now": now,
                "week": None if week is None or name not in week else now - int(week[name]),
                "month": None if month is None or name not in month else now - int(month[name]),
            }
        )
    return rows


def tenant_detail(tenant, snapshots: list[TenantSnapshot]) -> dict:
    figures = getattr(tenant, "figures", None)
    trend = {
        "days": [snapshot.day.isoformat() for snapshot in snapshots],
        "series": {name: [getattr(snapshot, name) for snapshot in snapshots] for name, _label in TREND_LINES},
    }
    backlog = sorted(
        (figures.backlog if figures is not None else []),
        key=lambda row: (-row.get("overdue", 0), -row.get("oldest_days", 0)),
    )
    return {
        "funnels": funnels(figures),
        "deltas": deltas(figures, snapshots),
        "backlog": backlog,
        "applications": figures.applications_by_kind if figures is not None else [],
        "trend": console_trend_chart(trend),
    }


def mask(text: str) -> str:
    """A name as the console may show it: its first character, the rest starred (张** , 1**********)."""
    text = (text or "").strip()
    if not text:
        return ""
    return text[0] + "*" * min(max(len(text) - 1, 1), 10)


PERSON_TARGETS = {"accounts.user", "organisations.membership"}


def activity_row(entry: AuditEntry) -> dict:
    """One audit entry for the city page: what changed, when, by whom (masked); a person as target is masked, and
    the changed values are not shown (the audit page, for the staff who need them, shows them)."""
    label = entry.target_label
    if (
        entry.target_type in PERSON_TARGETS
        or entry.action.startswith("sub_account")
        or entry.action
        in {
            AuditEntry.Action.ROLES,
            AuditEntry.Action.GRANT,
        }
    ):
        label = mask(label)
    return {
        "actor": mask(entry.actor.username) if entry.actor else _("系统"),
        "target": f"{entry.target_type_label} · {label}" if label else entry.target_type_label,
        "fields": len(entry.changes or {}),
    }
