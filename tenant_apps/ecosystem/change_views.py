"""信息变更 (/workbench/ecosystem/changes/): the provider's basic information now, the history of its changes (before
→ after, state, date), and the change form (保存 / 提交; drafts may be edited or deleted). Writes go through
`changes`; a refusal lands next to its field with the form as typed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shared_apps.ui.pagination import paginate
from tenant_apps.ecosystem import changes, common, provider_selectors
from tenant_apps.ecosystem.declaration_views import fetch, place, provider_member, tabs
from tenant_apps.ecosystem.models import Nature, Status
from tenant_apps.ecosystem.provider_forms import ChangeForm
from tenants.errors import DomainError


def _shown(field: str, value) -> str:
    if field == "nature":
        return str(Nature(value).label) if value in Nature.values else ""
    return value or ""


def _history_item(change, user) -> dict:
    differences = [
        {
            "label": label,
            "before": _shown(field, change.previous.get(field, "")) or "—",
            "after": _shown(field, change.data.get(field, "")) or "—",
        }
        for field, (label, _max) in changes.FIELDS.items()
        if change.previous.get(field, "") != change.data.get(field, "")
    ]
    mine = change.application.applicant_id == user.pk  # only the applicant edits or deletes it
    return {"change": change, "differences": differences, "editable": mine and change.status in common.EDITABLE}


def _list(request, organisation, *, refusal: str = "", status: int = 200):
    now = changes.current(organisation)
    page = paginate(request, provider_selectors.change_rows(organisation))
    context = {
        "tabs": tabs("changes"),
        "organisation": organisation,
        "current": [(label, _shown(field, now.get(field)) or "—") for field, (label, _max) in changes.FIELDS.items()],
        "page": page,
        "history": [_history_item(change, request.user) for change in page.object_list],
        "open_change": changes.changes_of(organisation).filter(status__in=(*common.EDITABLE, Status.IN_REVIEW)).first(),
        "refusal": refusal,
    }
    return render(request, "ecosystem/provider/changes.html", context, status=status)


@login_required
def change_list(request):
    _membership, organisation = provider_member(request)
    return _list(request, organisation)


def _render(request, form, *, change=None, status: int = 200):
    context = {"tabs": tabs("changes"), "form": form, "change": change}
    return render(request, "ecosystem/provider/change_form.html", context, status=status)


def _post(request, membership, change=None):
    values = change.data if change is not None else {}
    form = ChangeForm(request.POST, values=values, application=change.application if change else None)
    if not form.is_valid():
        return _render(request, form, change=change, status=400)
    submit = request.POST.get("do") == "submit"
    try:
        saved = changes.change_save(
            membership=membership,
            data=form.service_data(),
            change=change,
            submit=submit,
            expected_version=form.cleaned_data.get("version"),
        )
    except DomainError as error:
        if not place(form, error.field, error.message):
            form.add_error(None, error.message)
        return _render(request, form, change=change, status=error.status)
    if submit:
        messages.success(request, _("信息变更已提交，请等待审核。"))
        return redirect("ecosystem-changes")
    messages.success(request, _("已保存。"))
    return redirect("ecosystem-change-edit", pk=saved.pk)


@login_required
def change_new(request):
    membership, organisation = provider_member(request)
    if request.method == "POST":
        return _post(request, membership)
    return _render(request, ChangeForm(values=changes.current(organisation)))


@login_required
def change_edit(request, pk: int):
    membership, _organisation = provider_member(request)
    change = fetch(changes.access_change, membership, pk)
    if change.application.applicant_id != request.user.pk:
        messages.error(request, _("只有申请人可以修改。"))
        return redirect("ecosystem-changes")
    if change.status not in common.EDITABLE:
        if request.method == "POST":
            messages.error(request, _("审核中或已办结的变更不能修改。"))
        return redirect("application-detail", pk=change.application_id)
    if request.method == "POST":
        return _post(request, membership, change)
    values = {**change.data, "reason": change.reason}
    return _render(request, ChangeForm(values=values, application=change.application), change=change)


@login_required
def change_delete(request, pk: int):
    membership, organisation = provider_member(request)
    change = fetch(changes.access_change, membership, pk)
    if request.method != "POST":
        return redirect("ecosystem-changes")
    try:
        changes.change_delete(membership=membership, change=change)
    except DomainError as error:
        return _list(request, organisation, refusal=error.message, status=error.status)
    messages.success(request, _("变更已删除。"))
    return redirect("ecosystem-changes")
