"""Reads for inboxes and application pages, shaped for views and APIs. Who sees what comes from `policies`."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery, prefetch_related_objects
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from shared_apps.ui.pagination import count_capped
from tenant_apps.workflow import policies
from tenant_apps.workflow.models import Application, Flow, LogEntry, Stage, Task


def _flow_name(kind_path: str = "kind") -> Subquery:
    """The city's name for the row's kind (企业认证, 试点企业入库申请 …), read in the list's own query."""
    return Subquery(Flow.objects.filter(kind=OuterRef(kind_path)).values("name")[:1])


# 待我审批 lists stop counting here: past it the pager says "10000+" and pages up to it (filters narrow the rest).
INBOX_COUNT_CAP = 10_000
INBOX_ORDER = ("-created_at", "-id")  # the partial index `task_open_newest_first` (covering: ADR 0026)


def _with_row_data(tasks):
    return tasks.select_related("application", "application__applicant", "application__organisation").annotate(
        flow_name=_flow_name("application__kind")
    )


def tasks_awaiting(membership):
    """待我审批, newest first, with what a row shows. One query; the page size does not change the count."""
    return _with_row_data(policies.tasks_awaiting(membership)).order_by(*INBOX_ORDER)


def tasks_awaiting_keys(membership):
    """待我审批 as the pager reads it: the policy and the order, nothing joined, so counting and skipping to a deep
    page read only the covering index of open tasks. `task_rows` loads one page's rows."""
    return policies.tasks_awaiting(membership).order_by(*INBOX_ORDER)


def awaiting_counts(membership) -> dict:
    """The workbench home's 待我审批 and 已逾期 figures, counted as the inbox counts (over the bare policy, stopping at
    `INBOX_COUNT_CAP`): `total`, `overdue`, and `total_capped` / `overdue_capped` when there are more. Counting a
    whole inbox of tens of thousands with its joins took longer than the rest of the page."""
    keys = tasks_awaiting_keys(membership)
    total, total_capped = count_capped(keys, INBOX_COUNT_CAP)
    # To the minute, so that a capped answer is the same query for a minute (`count_capped` remembers it by its SQL).
    minute = timezone.now().replace(second=0, microsecond=0)
    overdue, overdue_capped = count_capped(keys.filter(due_at__lt=minute), INBOX_COUNT_CAP) if total else (0, False)
    return {"total": total, "total_capped": total_capped, "overdue": overdue, "overdue_capped": overdue_capped}


def task_rows(ids, *, only: tuple[str, ...] = ()) -> list[Task]:
    """The tasks of one page (ids from `tasks_awaiting_keys`, so already authorised), with what a row shows, in the
    order of `ids`. One query; `only` limits the columns loaded (`inbox_rows`)."""
    tasks = _with_row_data(Task.objects.filter(pk__in=ids))
    found = {task.pk: task for task in (tasks.only(*only) if only else tasks)}
    return [found[pk] for pk in ids if pk in found]


# What a row of the HTML inbox (`tables.TASKS`) reads. The stage list, the applicant's account and the
# organisation's profile were most of a row's bytes and of the time to load a page; a column that reads more adds
# it here (tests/test_inbox_scale.py fails if a row would load it one query at a time).
INBOX_ROW_FIELDS = (
    "application",
    "stage_name",
    "state",
    "due_at",
    "created_at",
    "application__title",
    "application__kind",
    "application__submitted_at",
    "application__applicant",
    "application__applicant__username",
    "application__organisation",
    "application__organisation__name",
)


def inbox_rows(ids) -> list[Task]:
    """One page of the HTML inbox: `task_rows` with only the columns its table shows."""
    return task_rows(ids, only=INBOX_ROW_FIELDS)


def my_applications(membership):
    """我的申请, newest first."""
    return (
        policies.my_applications(membership)
        .select_related("applicant", "organisation")
        .annotate(flow_name=_flow_name())
        .order_by("-created_at", "-id")
    )


def filter_inbox(queryset, *, name: str = "", applicant: str = "", start=None, end=None, field_prefix: str = ""):
    """The seed's filters: application name, applicant, creation-time range."""
    if name:
        queryset = queryset.filter(**{f"{field_prefix}title__icontains": name})
    if applicant:
        queryset = queryset.filter(
            Q(**{f"{field_prefix}applicant__username__icontains": applicant})
            | Q(**{f"{field_prefix}organisation__name__icontains": applicant})
        )
    if start:
        queryset = queryset.filter(**{f"{field_prefix}created_at__date__gte": start})
    if end:
        queryset = queryset.filter(**{f"{field_prefix}created_at__date__lte": end})
    return queryset


# --- Access helpers: the only doors to single rows for views and APIs. Missing and forbidden are both 404. -------
def _application_row(pk):
    return (
        Application.objects.select_related("applicant", "organisation__industry", "anchor_unit")
        .annotate(flow_name=_flow_name())
        .filter(pk=pk)
        .first()
    )


def access_application(membership, pk, *, with_log: bool = False) -> Application:
    """The application, authorised on that one row (`policies.application_visible`): two small queries, never the
    list's whole policy (ADR 0026). Its kind's name (`flow_name`) and the organisation's industry (which the kinds'
    sections show) come in the same query."""
    found = _application_row(pk)
    if found is None or not policies.application_visible(membership, found):
        raise Http404
    if with_log:  # the API's detail carries the work-order log with each actor: one query, whatever its length
        prefetch_related_objects([found], Prefetch("log", queryset=LogEntry.objects.select_related("actor")))
    return found


def access_application_and_task(membership, pk) -> tuple[Application, Task | None]:
    """The application page's door: the application and its open task with `may_decide` (`open_task`). A task this
    person may decide is one awaiting them, which makes its application visible (`policies._involved`), so the
    reviewer who opens it from the inbox is authorised by that same query; anyone else by `application_visible`."""
    found = _application_row(pk)
    if found is None:
        raise Http404
    task = open_task(found, membership)
    if not getattr(task, "may_decide", False) and not policies.application_visible(membership, found):
        raise Http404
    return found, task


def access_task(membership, pk, *, action: str = "decide") -> Task:
    """An open task this person may `decide` or `assign` experts for."""
    queryset = policies.tasks_to_assign(membership) if action == "assign" else policies.tasks_to_decide(membership)
    found = queryset.select_related("application").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def open_task(application: Application, membership=None) -> Task | None:
    """The application's open task. With `membership`, the task carries `may_decide` (`policies.may_decide` for
    that person, asked in the same query: the application page needs both)."""
    tasks = application.tasks.filter(state=Task.State.OPEN)
    if membership is not None:
        decidable = policies.tasks_to_decide(membership).filter(pk=OuterRef("pk"))
        tasks = tasks.annotate(may_decide=Exists(decidable))
    return tasks.first()


def assigned_experts(task: Task) -> list[int]:
    """User ids granted `decide_task` on this task."""
    return list(
        task.taskuserobjectpermission_set.filter(permission__codename=policies.DECIDE_PERMISSION).values_list(
            "user_id", flat=True
        )
    )


def latest_return(application) -> LogEntry | None:
    """The reviewer's entry that sent a returned application back (its opinion is shown on top); else None."""
    if application is None or application.state != Application.State.RETURNED:
        return None
    return application.log.filter(action=LogEntry.Action.RETURN).select_related("actor").last()


def application_log(application) -> list[LogEntry]:
    return list(application.log.select_related("actor"))


def next_step(application: Application) -> str:
    """What happens next, in the applicant's words (我的申请 on the workbench home)."""
    state = application.state
    if state == Application.State.DRAFT:
        return _("继续填写后提交")
    if state == Application.State.IN_REVIEW:
        stage = application.current_stage
        if stage is None:
            return _("等待审核")
        if stage.get("handler") == Stage.Handler.APPLICANT_UPLOAD:
            return _("请下载申请表，盖章后上传扫描件")
        return _("等待“%(stage)s”审核") % {"stage": stage.get("name", "")}
    if state == Application.State.RETURNED:
        return _("按审核意见修改后重新提交")
    if state == Application.State.WITHDRAWN:
        return _("已撤销，办理结束") if application.decided_at else _("已撤销，可修改后重新提交")
    if state == Application.State.APPROVED:
        return _("已通过，办理完成")
    return _("未通过，办理结束")


def unfinished_applications(membership):
    """My applications that wait for me to edit and (re)submit: drafts, returned and withdrawn ones (not one closed
    because its data was deleted: `services.application_discard` sets its 办结时间)."""
    return my_applications(membership).filter(state__in=Application.EDITABLE_STATES, decided_at__isnull=True)
