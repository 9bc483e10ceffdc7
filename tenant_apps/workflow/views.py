"""Workbench inbox (待我审批 / 我的申请) and application detail with timeline, log and actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from shared_apps.accounts.forms import attach_error
from tenant_apps.onboarding.selectors import profile_display
from tenant_apps.organisations.selectors import current_membership
from tenant_apps.workflow import services
from tenant_apps.workflow.forms import AssignExpertsForm, DecisionForm, InboxFilterForm, UploadForm
from tenant_apps.workflow.models import Application, Task
from tenant_apps.workflow.selectors import (
    access_application,
    application_log,
    filter_inbox,
    my_applications,
    tasks_awaiting,
)

EDIT_URLS = {"certification": "my-enterprise"}


def _member(request):
    membership = current_membership(request.user)
    if membership is None:
        raise PermissionDenied(_("您尚未加入本城市平台。"))
    return membership


@login_required
def inbox(request):
    membership = _member(request)
    tab = request.GET.get("tab", "awaiting")
    filters = InboxFilterForm(request.GET or None)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    if tab == "mine":
        rows = filter_inbox(my_applications(membership), **criteria)
    else:
        rows = filter_inbox(tasks_awaiting(membership), field_prefix="application__", **criteria)
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"tab": tab, "page": page, "filters": filters, "query": query.urlencode()}
    return render(request, "workflow/inbox.html", context)


@login_required
def application_detail(request, pk: int):
    membership = _member(request)
    application = access_application(membership, pk)
    task = application.tasks.filter(state=Task.State.OPEN).first()
    can_decide = task is not None and services.may_decide(task, membership)
    form = DecisionForm(request.POST or None, actions=task.actions if task else [])
    upload_stage = can_decide and task.handler == "applicant_upload"
    upload_form = UploadForm(request.POST or None, request.FILES or None)
    can_assign = task is not None and task.handler == "experts" and membership.has_role(*services.ASSIGNING_ROLES)
    assign_form = AssignExpertsForm(
        request.POST or None, initial={"experts": [u.pk for u in task.assignees.all()]} if can_assign else None
    )
    if request.method == "POST":
        action = request.POST.get("do")
        try:
            if action == "assign" and can_assign and assign_form.is_valid():
                ids = [int(pk) for pk in assign_form.cleaned_data["experts"]]
                services.task_assign_experts(task_id=task.pk, membership=membership, expert_user_ids=ids)
                messages.success(request, _("已指派专家。"))
                return redirect("application-detail", pk=pk)
            if action == "upload" and upload_stage and upload_form.is_valid():
                services.stage_upload(task_id=task.pk, membership=membership, upload=upload_form.cleaned_data["file"])
                messages.success(request, _("已上传，进入下一环节。"))
                return redirect("application-detail", pk=pk)
            if action == "decide" and can_decide and not upload_stage and form.is_valid():
                services.task_decide(
                    task_id=task.pk,
                    membership=membership,
                    action=form.cleaned_data["action"],
                    opinion=form.cleaned_data["opinion"],
                )
                messages.success(request, _("已处理。"))
                return redirect("application-detail", pk=pk)
            if action == "withdraw":
                services.application_withdraw(application=application, actor=request.user)
                messages.success(request, _("申请已撤销，可修改后重新提交。"))
                return redirect("application-detail", pk=pk)
        except services.WorkflowError as error:
            attach_error(upload_form if action == "upload" else form, error, "file" if action == "upload" else None)
    is_applicant = application.applicant_id == request.user.pk
    edit_url = reverse(EDIT_URLS[application.kind]) if application.kind in EDIT_URLS else None
    context = {
        "application": application,
        "task": task,
        "can_decide": can_decide and not upload_stage,
        "upload_stage": upload_stage,
        "can_assign": can_assign,
        "assign_form": assign_form,
        "upload_form": upload_form,
        "attachments": application.attachments.all(),
        "profile_rows": profile_display(application.organisation),
        "form": form,
        "log": application_log(application),
        "timeline": _timeline(application),
        "checks": services.stage_checks(application) if application.state in Application.PENDING_STATES else [],
        "can_withdraw": is_applicant and application.state in Application.PENDING_STATES,
        "edit_url": edit_url if is_applicant and application.state in Application.EDITABLE_STATES else None,
    }
    status = 400 if form.errors or (request.method == "POST" and upload_form.errors) else 200
    return render(request, "workflow/application.html", context, status=status)


def _timeline(application):
    """审核进度: each stage of the application's chain with its state and latest decision."""
    decided = {}
    for entry in application.log.all():
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


@login_required
def application_progress_pdf(request, pk: int):
    """审核进度 as a PDF (seed 004: review progress exportable as PDF)."""
    from django.http import HttpResponse

    from tenant_apps.workflow.documents import progress_pdf

    application = access_application(_member(request), pk)
    content = progress_pdf(application, _timeline(application), application_log(application))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="progress-{application.pk}.pdf"'
    return response


@login_required
def application_attachment(request, pk: int, attachment_pk: int):
    """Private files: only people who may see the application may fetch its attachments."""
    from django.http import FileResponse, Http404

    application = access_application(_member(request), pk)
    attachment = application.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    return FileResponse(
        attachment.file.open("rb"), content_type=attachment.content_type, filename=attachment.original_name
    )


@login_required
def application_form(request, pk: int, fmt: str):
    """The generated form (DOCX or PDF) the applicant prints, stamps and uploads back at an upload stage."""
    from django.http import Http404, HttpResponse

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
    response["Content-Disposition"] = f'attachment; filename="form-{application.pk}.{fmt}"'
    return response
