"""Workbench inbox (待我审批 / 我的申请) and application detail with timeline, log and actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from shared_apps.ui.pagination import paginate
from tenant_apps.organisations.selectors import current_membership
from tenant_apps.workflow import documents, policies, services, tables
from tenant_apps.workflow.forms import AssignExpertsForm, DecisionForm, InboxFilterForm, UploadForm, WithdrawForm
from tenant_apps.workflow.models import Application, Stage
from tenant_apps.workflow.registry import content_for, edit_url_for, inbox_notices
from tenant_apps.workflow.selectors import (
    INBOX_COUNT_CAP,
    access_application,
    access_application_and_task,
    application_log,
    assigned_experts,
    filter_inbox,
    inbox_rows,
    latest_return,
    my_applications,
    tasks_awaiting_keys,
)
from tenants.errors import DomainError, attach_error


def _member(request):
    membership = current_membership(request.user)
    if membership is None:
        raise PermissionDenied(_("您尚未加入本城市平台。"))
    return membership


@login_required
def inbox(request):
    """我的待办: 待我审批 (reviewers; for applicants 待我处理, shown only while they have an upload to do) and
    我的申请, each filtered and paged."""
    membership = _member(request)
    reviewer = policies.reviews(membership)
    awaiting = tasks_awaiting_keys(membership)
    show_awaiting = reviewer or awaiting.exists()
    tab = request.GET.get("tab") or ("awaiting" if show_awaiting else "mine")
    if tab != "mine" and not show_awaiting:
        tab = "mine"
    filters = InboxFilterForm(request.GET or None)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    if tab == "mine":
        page, table = paginate(request, filter_inbox(my_applications(membership), **criteria)), tables.APPLICATIONS
    else:
        # Tens of thousands of open tasks: count and skip over the index only, load the page's rows by id.
        keys = filter_inbox(awaiting, field_prefix="application__", **criteria)
        page, table = paginate(request, keys, rows=inbox_rows, count_cap=INBOX_COUNT_CAP), tables.TASKS
    context = {
        "tab": tab,
        "page": page,
        "table": table,
        "filters": filters,
        "show_awaiting": show_awaiting,
        "awaiting_label": _("待我审批") if reviewer else _("待我处理"),
        "notices": inbox_notices(membership),
    }
    return render(request, "workflow/inbox.html", context)


def _perform(request, *, membership, application, task, forms) -> str | None:
    """Run the posted action through its service; returns the success message, or None when a form got errors."""
    action = request.POST.get("do")
    decision, upload, assign, withdraw = forms
    if action == "assign" and task is not None and assign.is_valid():
        ids = [int(pk) for pk in assign.cleaned_data["experts"]]
        services.task_assign_experts(task_id=task.pk, membership=membership, expert_user_ids=ids)
        return _("已指派专家。")
    if action == "upload" and task is not None and upload.is_valid():
        services.stage_upload(
            task_id=task.pk,
            membership=membership,
            upload=upload.cleaned_data["file"],
            expected_version=upload.cleaned_data.get("version"),
        )
        return _("已上传，进入下一环节。")
    if action == "decide" and task is not None and decision.is_valid():
        services.task_decide(
            task_id=task.pk,
            membership=membership,
            action=decision.cleaned_data["action"],
            opinion=decision.cleaned_data["opinion"],
            expected_version=decision.cleaned_data.get("version"),
        )
        return _("已处理。")
    if action == "withdraw" and withdraw.is_valid():
        services.application_withdraw(
            application=application, actor=request.user, expected_version=withdraw.cleaned_data.get("version")
        )
        return _("申请已撤销，可修改后重新提交。")
    return None


@login_required
def application_detail(request, pk: int):
    membership = _member(request)
    application, task = access_application_and_task(membership, pk)  # the task with `may_decide`
    can_decide = task is not None and task.may_decide
    upload_stage = can_decide and task.handler == Stage.Handler.APPLICANT_UPLOAD
    can_assign = task is not None and task.handler == Stage.Handler.EXPERTS and policies.may_assign(membership, task)
    action = request.POST.get("do") if request.method == "POST" else None

    def data_for(name):  # only the form that was posted is bound, so the others show no errors
        return request.POST if action == name else None

    initial = {"version": application.version}
    decision = DecisionForm(data_for("decide"), actions=task.actions if task else [], initial=initial)
    upload = UploadForm(data_for("upload"), request.FILES if action == "upload" else None, initial=initial)
    # The experts' list is a query: only for the person who assigns (or a posted assignment, refused by the service).
    assign = (
        AssignExpertsForm(data_for("assign"), initial={"experts": assigned_experts(task)} if can_assign else None)
        if can_assign or action == "assign"
        else None
    )
    withdraw = WithdrawForm(data_for("withdraw"), initial=initial)
    target = {"upload": upload, "assign": assign, "withdraw": withdraw}.get(action, decision)
    if action:
        try:
            done = _perform(
                request,
                membership=membership,
                application=application,
                task=task,
                forms=(decision, upload, assign, withdraw),
            )
        except DomainError as error:
            attach_error(target, error)
        else:
            if done:
                messages.success(request, done)
                return redirect("application-detail", pk=pk)
    is_applicant = application.applicant_id == request.user.pk
    log = application_log(application)  # one read for the timeline and the work-order log
    edit_url = edit_url_for(application) if is_applicant and application.state in Application.EDITABLE_STATES else None
    context = {
        "application": application,
        "task": task,
        "can_decide": can_decide and not upload_stage,
        "upload_stage": upload_stage,
        "form_title": documents.form_title(application) if upload_stage else "",
        "can_assign": can_assign,
        "assign_form": assign,
        "upload_form": upload,
        "withdraw_form": withdraw,
        "attachments": application.attachments.all(),
        "sections": content_for(application),
        "form": decision,
        "log": log,
        "timeline": _timeline_items(_timeline(application, log)),
        "log_table": tables.LOG,
        "returned": latest_return(application),
        "checks": services.stage_checks(application) if application.state in Application.PENDING_STATES else [],
        "can_withdraw": is_applicant and application.state in Application.PENDING_STATES,
        "edit_url": edit_url,
    }
    return render(request, "workflow/application.html", context, status=400 if action and target.errors else 200)


def _timeline(application, log):
    """审核进度: each stage of the application's chain with its state and latest decision (`log`: the application's
    entries, oldest first, with their actors)."""
    decided = {}
    for entry in log:
        if entry.action in {"approve", "return", "reject"}:
            decided[entry.stage_position] = entry
    rows = []
    for stage in application.stages:
        position = stage["position"]
        if application.state == Application.State.IN_REVIEW and position == application.stage_position:
            state = "current"
        elif position in decided:
            state = decided[position].action
        else:
            state = "waiting"
        rows.append({"stage": stage, "state": state, "entry": decided.get(position)})
    return rows


def _timeline_items(rows) -> list[dict]:
    """审核进度 for {% timeline %}: each stage with what became of it, who decided and when, and the opinion."""
    items = []
    for row in rows:
        entry = row["entry"]
        if row["state"] == "current":
            label, meta = _("审核中"), ""
        elif entry is not None:
            actor = entry.actor.username if entry.actor else _("系统")
            label = entry.get_action_display()
            meta = f"{actor} · {timezone.localtime(entry.created_at):%Y-%m-%d %H:%M}"
        else:
            label, meta = _("未开始"), ""
        items.append(
            {
                "title": row["stage"].get("name", ""),
                "state": row["state"],
                "label": label,
                "meta": meta,
                "body": entry.opinion if entry is not None else "",
            }
        )
    return items


@login_required
def application_progress_pdf(request, pk: int):
    """审核进度 as a PDF (seed 004: review progress exportable as PDF)."""
    from django.http import HttpResponse
    from django.utils.http import content_disposition_header

    from tenant_apps.workflow.documents import download_name, progress_pdf

    application = access_application(_member(request), pk)
    log = application_log(application)
    content = progress_pdf(application, _timeline(application, log), log)
    response = HttpResponse(content, content_type="application/pdf")
    # 企业认证-<申请人>-审核进度.pdf; Django writes RFC 5987 `filename*` for the Chinese name.
    name = download_name(application, "pdf", suffix=_("审核进度"))
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@login_required
def application_attachment(request, pk: int, attachment_pk: int):
    """Private files: only people who may see the application may fetch its attachments."""
    from django.http import FileResponse, Http404

    application = access_application(_member(request), pk)
    attachment = application.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        filename=attachment.original_name,
        as_attachment=True,  # never rendered in the page's origin, whatever the file holds
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def application_form(request, pk: int, fmt: str):
    """The generated form (DOCX or PDF) the applicant prints, stamps and uploads back at an upload stage."""
    from django.http import Http404, HttpResponse
    from django.utils.http import content_disposition_header

    from tenant_apps.workflow import documents

    if fmt not in {"docx", "pdf"}:
        raise Http404
    application = access_application(_member(request), pk)
    if fmt == "docx":
        content = documents.application_form_docx(application)
        mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    else:
        content, mime = documents.application_form_pdf(application), "application/pdf"
    response = HttpResponse(content, content_type=mime)
    # 企业认证-<申请人>.pdf / .docx, named after the application (RFC 5987 `filename*` for the Chinese name).
    response["Content-Disposition"] = content_disposition_header(True, documents.download_name(application, fmt))
    return response
