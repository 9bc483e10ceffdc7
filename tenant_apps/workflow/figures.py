"""What the national console shows of this city's reviews: applications handed in per kind and how they ended, the
open tasks, those past their deadline, and the backlog per stage with the age of its oldest task. Aggregates only
(no applicant, no title), a fixed handful of statements whatever the number of rows; registered with
`shared_apps.oversight.services.register_figures` in the app's ready()."""

from __future__ import annotations

from django.db.models import Count, Min, Q
from django.utils import timezone


def console_figures() -> dict:
    from tenant_apps.workflow.models import Application, Flow, Task
    from tenant_apps.workflow.registry import kind_label

    now = timezone.now()
    names = dict(Flow.objects.values_list("kind", "name"))

    def name(kind: str) -> str:
        return str(names.get(kind) or kind_label(kind) or kind)

    states = Application.State
    by_kind = (
        Application.objects.filter(submitted_at__isnull=False)
        .values("kind")
        .annotate(
            submitted=Count("id"),
            in_review=Count("id", filter=Q(state=states.IN_REVIEW)),
            approved=Count("id", filter=Q(state=states.APPROVED)),
            rejected=Count("id", filter=Q(state=states.REJECTED)),
        )
        .order_by("kind")
    )
    overdue = Q(due_at__lt=now)
    stages = (
        Task.objects.filter(state=Task.State.OPEN)
        .values("application__kind", "stage_position", "stage_name")
        .annotate(open=Count("id"), overdue=Count("id", filter=overdue), oldest=Min("created_at"))
        .order_by("application__kind", "stage_position", "stage_name")
    )
    backlog = [
        {
            "kind": row["application__kind"],
            "name": name(row["application__kind"]),
            "stage": row["stage_name"],
            "position": row["stage_position"],
            "open": row["open"],
            "overdue": row["overdue"],
            "oldest_days": (now - row["oldest"]).days,
        }
        for row in stages
    ]
    applications = [{"kind": row.pop("kind"), **row} for row in by_kind]
    for row in applications:
        row["name"] = name(row["kind"])
    return {
        "applications_submitted": sum(row["submitted"] for row in applications),
        "applications_by_kind": applications,
        "tasks_open": sum(row["open"] for row in backlog),
        "tasks_overdue": sum(row["overdue"] for row in backlog),
        "backlog": backlog,
    }
