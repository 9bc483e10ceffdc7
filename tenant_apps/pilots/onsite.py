"""现场验收 (seed 002 §七 steps 6–8): once the material review passed, the city bureau books an on-site acceptance
(when, where, whom to ask, what to prepare; the applicant is told) and records its conclusion. The engine stays the
source of state: the stage is found by its check `onsite_concluded` (not by its name), and a conclusion is an engine
decision on that stage's task —

- 通过: the task is approved (next: the applicant uploads the stamped acceptance table);
- 不通过: the task is returned with a rectification deadline; the applicant resubmits, the chain restarts at the
  material review and a new visit is booked;
- 完善材料后通过: returned with a deadline for the material; after the resubmission passes the material review, the
  existing conclusion stands (the check passes once it is resolved) and the bureau approves without a new visit.

Resubmitting resolves the open deadline (`on_application_change`, called by the kind's outcome handler). Overdue
deadlines show in the bureau's inbox (`register()`), and `tasks.remind_onsite_deadlines` reminds daily.

Lock order: application → its open task → visits (docs/conventions.md §3)."""

from __future__ import annotations

import datetime
import hashlib
import logging
import re

from django.db import connection, transaction
from django.db.models import BooleanField, F, Func, JSONField, OuterRef, Q, Subquery, TextField, Value
from django.db.models.functions import Cast
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenant_apps.pilots import acceptances
from tenant_apps.pilots.acceptances import is_bureau
from tenant_apps.pilots.models import Acceptance, OnSiteVisit
from tenant_apps.workflow.models import Application, Task
from tenant_apps.workflow.registry import (
    Check,
    Notice,
    Section,
    check_named,
    register_check,
    register_inbox_notice,
)
from tenants.errors import DomainError, conflict, not_found

logger = logging.getLogger(__name__)

KIND = "acceptance"
MODULE = "acceptance"
CHECK = "onsite_concluded"
REMIND_BEFORE_DAYS = 3
Conclusion = OnSiteVisit.Conclusion
WITH_DEADLINE = (Conclusion.FAIL, Conclusion.PASS_AFTER_MATERIAL)
# 11-digit mobile, or a landline with its area code (0451-88886666, 045188886666, optional extension).
PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$")


# --- Who sees what ------------------------------------------------------------------------------------------------------
def acceptances_visible(membership):
    return acceptances.readable_acceptances(membership)


def access_acceptance(membership, pk) -> Acceptance:
    """One acceptance this person may see; 404 for missing and forbidden alike."""
    return acceptances.access_readable(membership, pk, code="onsite.not_found")


def visits_of(acceptance) -> list[OnSiteVisit]:
    """Newest first (the model's ordering)."""
    return list(OnSiteVisit.objects.filter(acceptance=acceptance).select_related("booked_by", "concluded_by"))


def latest_visit(acceptance) -> OnSiteVisit | None:
    return OnSiteVisit.objects.filter(acceptance=acceptance).order_by("-booked_at", "-id").first()


# --- The stage, by its check ----------------------------------------------------------------------------------------
def stage_carries_check(application: Application) -> bool:
    stage = application.current_stage or {}
    return CHECK in (stage.get("checks") or [])


def at_onsite_stage(application: Application) -> bool:
    return application.state == Application.State.IN_REVIEW and stage_carries_check(application)


def _at_stage_sql(prefix: str = "application__"):
    """`stages @> [{"position": stage_position, "checks": ["onsite_concluded"]}]` on the application's snapshot:
    in review at a stage that carries the check, in SQL (the list pages filter on it)."""
    stage = Func(
        Cast(Value("position"), TextField()),
        F(f"{prefix}stage_position"),
        Cast(Value("checks"), TextField()),
        Func(Cast(Value(CHECK), TextField()), function="jsonb_build_array", output_field=JSONField()),
        function="jsonb_build_object",
        output_field=JSONField(),
    )
    wanted = Func(stage, function="jsonb_build_array", output_field=JSONField())
    return Func(F(f"{prefix}stages"), wanted, function="", arg_joiner=" @> ", output_field=BooleanField())


def visit_resolved_pass(visit: OnSiteVisit | None) -> bool:
    """The conclusion lets the stage approve: 通过, or 完善材料后通过 whose material was resubmitted."""
    if visit is None:
        return False
    if visit.conclusion == Conclusion.PASS:
        return True
    return visit.conclusion == Conclusion.PASS_AFTER_MATERIAL and visit.resolved_at is not None


def _check_passes(application) -> bool:
    acceptance_id = Acceptance.objects.filter(application=application).values_list("pk", flat=True).first()
    if acceptance_id is None:
        return False
    return visit_resolved_pass(
        OnSiteVisit.objects.filter(acceptance_id=acceptance_id).order_by("-booked_at", "-id").first()
    )


def _remedy_url(application) -> str | None:
    acceptance_id = Acceptance.objects.filter(application=application).values_list("pk", flat=True).first()
    return detail_url(acceptance_id) if acceptance_id else None


def detail_url(acceptance_id: int) -> str:
    try:
        return reverse("onsite-detail", args=[acceptance_id])
    except NoReverseMatch:
        return ""


ONSITE_CHECK = Check(
    code=CHECK,
    label=gettext_lazy("现场验收结论为通过"),
    passes=_check_passes,
    failure=gettext_lazy("现场验收尚未得出“通过”结论（或“完善材料后通过”的材料尚未补充），请先预约并完成现场验收。"),
    remedy_url=_remedy_url,
)


# --- Cleaning -----------------------------------------------------------------------------------------------------------
def _required(value, *, field: str, label, max_length: int) -> str:
    text = ("" if value is None else str(value)).strip()
    if not text:
        raise DomainError(_("请填写%(label)s。") % {"label": label}, code="onsite.required", field=field)
    if len(text) > max_length:
        raise DomainError(
            _("%(label)s不能超过 %(max)s 字。") % {"label": label, "max": max_length},
            code="onsite.too_long",
            field=field,
        )
    return text


def _when(value) -> datetime.datetime:
    if value in (None, ""):
        raise DomainError(_("请填写验收时间。"), code="onsite.required", field="scheduled_at")
    if not isinstance(value, datetime.datetime):
        try:
            value = datetime.datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise DomainError(
                _("验收时间格式应为 YYYY-MM-DD HH:MM。"), code="onsite.datetime", field="scheduled_at"
            ) from None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value <= timezone.now():
        raise DomainError(_("验收时间须晚于当前时间。"), code="onsite.past", field="scheduled_at")
    return value


def _deadline(value) -> datetime.date:
    if value in (None, ""):
        raise DomainError(
            _("不通过或完善材料后通过时，请填写整改/补充期限。"), code="onsite.deadline_required", field="deadline"
        )
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        try:
            value = datetime.date.fromisoformat(str(value).strip()[:10])
        except ValueError:
            raise DomainError(_("期限格式应为 YYYY-MM-DD。"), code="onsite.date", field="deadline") from None
    if value < timezone.localdate():
        raise DomainError(_("整改/补充期限不能早于今天。"), code="onsite.deadline_past", field="deadline")
    return value


# --- Locks (application → task → visits) ------------------------------------------------------------------------------
def _lock(acceptance_id: int) -> tuple[Acceptance, Application, Task | None, OnSiteVisit | None]:
    """Lock the application, then its open task, then the acceptance's visits; returns the latest visit."""
    from tenant_apps.workflow import lock_objects

    acceptance = Acceptance.objects.filter(pk=acceptance_id).first()
    if acceptance is None:
        raise not_found(_("该验收申请不存在。"), code="onsite.not_found")
    application = lock_objects.application_lock(acceptance.application_id)
    tasks = lock_objects.open_tasks_lock(application)
    visits = list(
        OnSiteVisit.objects.filter(acceptance_id=acceptance.pk).order_by("pk").select_for_update(of=("self",))
    )
    acceptance.application = application
    latest = max(visits, key=lambda v: (v.booked_at, v.pk)) if visits else None
    return acceptance, application, (tasks[0] if tasks else None), latest


def _bureau_task(membership, application: Application, task: Task | None) -> Task:
    from tenant_apps.workflow import policies

    if not at_onsite_stage(application) or task is None:
        raise conflict(_("该申请当前不在现场验收环节。"), code="onsite.not_at_stage")
    if not policies.may_decide(membership, task):
        raise DomainError(_("只有市工信局可以办理现场验收。"), code="onsite.not_bureau", status=403)
    return task


def _refuse_non_bureau(membership) -> None:
    if not is_bureau(membership):
        raise DomainError(_("只有市工信局可以办理现场验收。"), code="onsite.not_bureau", status=403)


# --- Services -----------------------------------------------------------------------------------------------------------
BOOKING_FIELDS = ("scheduled_at", "place", "contact_name", "contact_phone", "preparation")


@transaction.atomic
def visit_book(
    *, membership, acceptance_id, scheduled_at, place, contact_name, contact_phone, preparation=""
) -> OnSiteVisit:
    """预约现场验收 (the bureau, at the on-site stage). Before a conclusion, booking again changes the same visit
    (the change goes to the audit trail); the applicant is told each time."""
    _refuse_non_bureau(membership)
    values = {
        "scheduled_at": _when(scheduled_at),
        "place": _required(place, field="place", label=_("验收地点"), max_length=200),
        "contact_name": _required(contact_name, field="contact_name", label=_("联系人"), max_length=30),
        "contact_phone": _required(contact_phone, field="contact_phone", label=_("联系电话"), max_length=20),
        "preparation": ("" if preparation is None else str(preparation)).strip(),
    }
    if not PHONE.match(values["contact_phone"].replace(" ", "")):
        raise DomainError(
            _("请填写 11 位手机号或带区号的固定电话（如 0451-88886666）。"),
            code="onsite.phone",
            field="contact_phone",
        )
    values["contact_phone"] = values["contact_phone"].replace(" ", "")
    if len(values["preparation"]) > 2000:
        raise DomainError(_("准备要求不能超过 2000 字。"), code="onsite.too_long", field="preparation")
    _acceptance, application, task, latest = _lock(int(acceptance_id))
    _bureau_task(membership, application, task)
    if latest is not None and not latest.conclusion:
        before = {name: getattr(latest, name) for name in BOOKING_FIELDS}
        for name, value in values.items():
            setattr(latest, name, value)
        latest.booked_by = membership.user
        latest.save(update_fields=[*BOOKING_FIELDS, "booked_by"])
        visit = latest
        _audit_rebooking(visit, before, values, membership.user)
    else:
        if visit_resolved_pass(latest):
            raise conflict(
                _("现场验收已有通过结论，无需再次预约，请直接在审核页面通过该环节。"), code="onsite.already_passed"
            )
        visit = OnSiteVisit.objects.create(acceptance_id=acceptance_id, booked_by=membership.user, **values)
    key = f"onsite-book:{visit.pk}:{_booking_digest(visit)}"
    _notify_booking(visit.pk, key)
    return visit


def _booking_digest(visit: OnSiteVisit) -> str:
    text = "|".join(str(getattr(visit, name)) for name in BOOKING_FIELDS)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _audit_rebooking(visit: OnSiteVisit, before: dict, after: dict, actor) -> None:
    from shared_apps.oversight.models import AuditEntry
    from shared_apps.oversight.services import audit_changes, audit_record

    changes = audit_changes(before, after)
    if changes:
        audit_record(
            action=AuditEntry.Action.UPDATE,
            target=visit,
            target_label=_("现场验收预约（验收申请 %(pk)s）") % {"pk": visit.acceptance_id},
            changes=changes,
            actor=actor,
        )


def _notify_booking(visit_id: int, source_key: str) -> None:
    """The applicant's notice, in the booking's transaction (transactional outbox, ADR 0027): told after commit, or
    by the relay once the broker is back."""
    from tenant_apps.notifications.outbox import outbox_enqueue

    outbox_enqueue("tenant_apps.pilots.tasks.notify_onsite_booking", visit_id, source_key)


def _note_text(note: str) -> str:
    return note.strip().rstrip("。；;，,. ")


def conclusion_opinion(conclusion: str, note: str, deadline: datetime.date | None) -> str:
    """The opinion the engine logs (and the applicant reads in 工单日志 and 我的消息)."""
    names = {"note": _note_text(note), "deadline": deadline.isoformat() if deadline else ""}
    if conclusion == Conclusion.FAIL:
        return _("现场验收不通过：%(note)s，请于 %(deadline)s 前完成整改后重新提交") % names
    if conclusion == Conclusion.PASS_AFTER_MATERIAL:
        return _("现场验收完善材料后通过：%(note)s，请于 %(deadline)s 前补充完善材料后重新提交") % names
    return note.strip() or _("现场验收通过")


@transaction.atomic
def visit_conclude(
    *, membership, acceptance_id, conclusion, note="", deadline=None, expected_version=None
) -> OnSiteVisit:
    """Record the booked visit's conclusion and decide the stage's task through the engine (approve, or return
    with the deadline). One conclusion per visit."""
    from tenant_apps.workflow import services as engine

    _refuse_non_bureau(membership)
    if conclusion not in Conclusion.values:
        raise DomainError(_("请选择验收结论。"), code="onsite.conclusion", field="conclusion")
    note = ("" if note is None else str(note)).strip()
    if len(note) > 2000:
        raise DomainError(_("结论说明不能超过 2000 字。"), code="onsite.too_long", field="note")
    if conclusion in WITH_DEADLINE:
        if not note:
            raise DomainError(
                _("不通过或完善材料后通过时，请填写整改/补充要求。"), code="onsite.note_required", field="note"
            )
        deadline = _deadline(deadline)
    else:
        deadline = None
    _acceptance, application, task, latest = _lock(int(acceptance_id))
    # A 不通过 met by a resubmission belongs to the previous round: this round needs a new booking.
    earlier_round = latest is not None and latest.conclusion == Conclusion.FAIL and latest.resolved_at is not None
    if latest is not None and latest.conclusion and not earlier_round:
        raise conflict(_("该次现场验收已有结论，不能重复填写。"), code="onsite.already_concluded")
    task = _bureau_task(membership, application, task)
    if latest is None or earlier_round:
        raise conflict(_("请先预约现场验收。"), code="onsite.not_booked")
    latest.conclusion, latest.conclusion_note, latest.deadline = conclusion, note, deadline
    latest.concluded_by, latest.concluded_at = membership.user, timezone.now()
    latest.save(update_fields=["conclusion", "conclusion_note", "deadline", "concluded_by", "concluded_at"])
    engine.task_decide(
        task_id=task.pk,
        membership=membership,
        action="approve" if conclusion == Conclusion.PASS else "return",
        opinion=conclusion_opinion(conclusion, note, deadline),
        expected_version=expected_version,
    )
    return latest


def on_application_change(application: Application) -> int:
    """For the acceptance kind's outcome handler, after every state change (inside the engine's transaction, the
    application locked). A resubmission (in review again, at the first stage) meets the open deadline of a 不通过 /
    完善材料后通过 visit: it is resolved now; whether that was late stays readable (resolved_at vs deadline)."""
    if application.kind != KIND or application.state != Application.State.IN_REVIEW:
        return 0
    first = min((stage["position"] for stage in application.stages or []), default=None)
    if first is None or application.stage_position != first:
        return 0
    pending = list(
        OnSiteVisit.objects.filter(
            acceptance__application=application, conclusion__in=WITH_DEADLINE, resolved_at__isnull=True
        )
        .order_by("pk")
        .select_for_update(of=("self",))
    )
    now = timezone.now()
    for visit in pending:
        visit.resolved_at = now
        visit.save(update_fields=["resolved_at"])
    return len(pending)


# --- Deadlines --------------------------------------------------------------------------------------------------------
def _open_deadlines():
    return OnSiteVisit.objects.filter(conclusion__in=WITH_DEADLINE, resolved_at__isnull=True, deadline__isnull=False)


def overdue_visits(today: datetime.date | None = None):
    """The city's concluded 不通过 / 完善材料后通过 visits whose deadline passed without a resubmission."""
    today = today or timezone.localdate()
    return (
        _open_deadlines()
        .filter(deadline__lt=today)
        .select_related("acceptance__organisation", "acceptance__application")
        .order_by("deadline", "pk")
    )


def due_soon_visits(days: int = REMIND_BEFORE_DAYS, today: datetime.date | None = None):
    """Open deadlines from today to `days` days ahead."""
    today = today or timezone.localdate()
    return (
        _open_deadlines()
        .filter(deadline__gte=today, deadline__lte=today + datetime.timedelta(days=days))
        .select_related("acceptance__organisation", "acceptance__application")
        .order_by("deadline", "pk")
    )


def is_overdue(visit: OnSiteVisit, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return bool(
        visit.conclusion in WITH_DEADLINE and visit.resolved_at is None and visit.deadline and visit.deadline < today
    )


def resolved_late(visit: OnSiteVisit) -> bool:
    return bool(visit.resolved_at and visit.deadline and timezone.localdate(visit.resolved_at) > visit.deadline)


# --- The bureau's list --------------------------------------------------------------------------------------------------
class Status:
    TO_BOOK = "to_book"
    BOOKED = "booked"
    TO_CONFIRM = "to_confirm"
    RECTIFYING = "rectifying"
    OVERDUE = "overdue"


STATUS_LABELS = {
    Status.TO_BOOK: gettext_lazy("待预约"),
    Status.BOOKED: gettext_lazy("已预约"),
    Status.TO_CONFIRM: gettext_lazy("待确认通过"),
    Status.RECTIFYING: gettext_lazy("整改/补充中"),
    Status.OVERDUE: gettext_lazy("整改逾期"),
}
STATUS_TONES = {
    Status.TO_BOOK: "warning",
    Status.BOOKED: "primary",
    Status.TO_CONFIRM: "success",
    Status.RECTIFYING: "info",
    Status.OVERDUE: "danger",
}
LIST_FILTERS = (Status.TO_BOOK, Status.BOOKED, Status.OVERDUE)


def onsite_acceptances(membership, status: str = "", today: datetime.date | None = None):
    """For the bureau: acceptances at the on-site stage, and those whose rectification is overdue; each annotated
    with its latest visit (one query per page). `status` narrows to to_book / booked / overdue."""
    if not is_bureau(membership):
        return Acceptance.objects.none()
    today = today or timezone.localdate()
    latest = OnSiteVisit.objects.filter(acceptance=OuterRef("pk")).order_by("-booked_at", "-id")
    rows = Acceptance.objects.select_related("organisation", "application").annotate(
        at_stage=_at_stage_sql(),
        visit_id=Subquery(latest.values("pk")[:1]),
        visit_at=Subquery(latest.values("scheduled_at")[:1]),
        visit_conclusion=Subquery(latest.values("conclusion")[:1]),
        visit_deadline=Subquery(latest.values("deadline")[:1]),
        visit_resolved=Subquery(latest.values("resolved_at")[:1]),
    )
    in_review = Q(application__state=Application.State.IN_REVIEW, at_stage=True)
    overdue = Q(visit_conclusion__in=WITH_DEADLINE, visit_resolved__isnull=True, visit_deadline__lt=today)
    if status == Status.OVERDUE:
        rows = rows.filter(overdue)
    elif status == Status.BOOKED:
        rows = rows.filter(in_review, visit_id__isnull=False, visit_conclusion="")
    elif status == Status.TO_BOOK:
        # No visit yet, or the latest is a 不通过 of an earlier round (met by the resubmission).
        rows = rows.filter(
            in_review,
            Q(visit_id__isnull=True) | Q(visit_conclusion=Conclusion.FAIL, visit_resolved__isnull=False),
        )
    else:
        rows = rows.filter(in_review | overdue)
    return rows.order_by("visit_deadline", "-application__submitted_at", "-pk")


def row_status(row, today: datetime.date | None = None) -> str:
    """The list's status of an annotated row (`onsite_acceptances`)."""
    today = today or timezone.localdate()
    conclusion, deadline, resolved = row.visit_conclusion, row.visit_deadline, row.visit_resolved
    if conclusion in WITH_DEADLINE and resolved is None:
        return Status.OVERDUE if deadline and deadline < today else Status.RECTIFYING
    if row.visit_id is not None and not conclusion:
        return Status.BOOKED
    if conclusion == Conclusion.PASS or (conclusion == Conclusion.PASS_AFTER_MATERIAL and resolved is not None):
        return Status.TO_CONFIRM
    return Status.TO_BOOK


# --- What the application page shows -------------------------------------------------------------------------------------
def _visit_rows(visit: OnSiteVisit, today: datetime.date) -> list[tuple[str, str]]:
    rows = [
        (_("验收时间"), timezone.localtime(visit.scheduled_at).strftime("%Y-%m-%d %H:%M")),
        (_("验收地点"), visit.place),
        (_("联系人"), f"{visit.contact_name}（{visit.contact_phone}）"),
        (_("准备要求"), visit.preparation or "—"),
    ]
    if not visit.conclusion:
        return [*rows, (_("验收结论"), _("待现场验收"))]
    rows += [(_("验收结论"), str(visit.get_conclusion_display())), (_("结论说明"), visit.conclusion_note or "—")]
    if visit.deadline:
        deadline = visit.deadline.isoformat()
        if is_overdue(visit, today):
            deadline += _("（已逾期）")
        rows.append((_("整改/补充期限"), deadline))
        if visit.resolved_at:
            when = timezone.localtime(visit.resolved_at).strftime("%Y-%m-%d")
            text = (_("已于 %(when)s 逾期后重新提交") if resolved_late(visit) else _("已于 %(when)s 重新提交")) % {
                "when": when
            }
            rows.append((_("完成情况"), text))
    return rows


def section(acceptance) -> Section | None:
    """现场验收 on the application page (applicant and reviewers): the latest booking and conclusion, earlier
    visits summarised. None before the first booking."""
    visits = visits_of(acceptance)
    if not visits:
        return None
    today = timezone.localdate()
    rows = _visit_rows(visits[0], today)
    for n, visit in enumerate(reversed(visits[1:]), start=1):
        summary = timezone.localtime(visit.scheduled_at).strftime("%Y-%m-%d")
        summary += f" {visit.get_conclusion_display() or _('未出结论')}"
        if visit.conclusion_note:
            summary += f"：{visit.conclusion_note}"
        rows.append((_("第%(n)s次现场验收") % {"n": n}, summary))
    return Section(str(_("现场验收")), rows)


def content(application) -> list[Section]:
    """`register_content("acceptance", content)` shape."""
    acceptance = Acceptance.objects.filter(application=application).first()
    found = section(acceptance) if acceptance is not None else None
    return [found] if found is not None else []


# --- The inbox notice ----------------------------------------------------------------------------------------------
def overdue_notices(membership) -> list[Notice]:
    """For the bureau's 我的待办: how many rectifications are overdue (one query)."""
    tenant = getattr(connection, "tenant", None)
    if not is_bureau(membership) or (tenant is not None and not tenant.has_module(MODULE)):
        return []
    count = overdue_visits().count()
    if not count:
        return []
    try:
        url = f"{reverse('onsite-list')}?status={Status.OVERDUE}"
    except NoReverseMatch:
        url = ""
    return [Notice(_("有 %(n)s 件现场验收整改/补充材料已超过期限，请跟进。") % {"n": count}, url)]


def register() -> None:
    """Called from the pilots app's `ready()`: the stage check and the inbox notice."""
    if check_named(CHECK) is None:
        register_check(ONSITE_CHECK)
    register_inbox_notice(overdue_notices)
