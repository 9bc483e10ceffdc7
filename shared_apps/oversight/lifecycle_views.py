"""The console's lifecycle page of one city: its state, the history of changes, and a form per allowed change."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from shared_apps.accounts.views import client_ip
from shared_apps.oversight.lifecycle import (
    REASON_MAX,
    TRANSITIONS,
    lifecycle_history,
    lifecycle_tenant,
    tenant_transition,
    transitions_available,
)
from shared_apps.ui.tables import Column, Table
from tenants.errors import DomainError, attach_error
from tenants.services import tenant_url

HISTORY_LIMIT = 50

# What each change does, shown next to its form and asked again in the confirmation dialog.
EFFECTS = {
    "suspend": _("暂停后，该城市门户只显示暂停公告和原因，登录、工作台和接口全部关闭，定时任务停止；数据全部保留。"),
    "resume": _("恢复后，该城市门户、登录、工作台和接口立即重新开放。"),
    "archive": _(
        "归档后，该城市门户只显示归档公告，登录和全部业务关闭，不再参与汇总；数据封存保留，仅超级管理员可撤销归档。"
    ),
    "restore": _("撤销归档后，该城市立即恢复运行。"),
}

# Rows are 1-tuples, as the console's audit rows are tuples: the audit_changes cell reads `row.0`.
HISTORY = Table(
    columns=(
        Column(_("时间"), lambda row: row[0].created_at, format="datetime", name="time"),
        Column(_("操作人"), lambda row: row[0].actor.username if row[0].actor else _("系统"), name="actor"),
        Column(_("变更内容"), template="console/cells/audit_changes.html", wrap=True, name="changes"),
        Column(_("IP 地址"), lambda row: row[0].ip or "", name="ip"),
    ),
    empty=_("尚无状态变更记录。"),
)


class LifecycleForm(forms.Form):
    """One change of the city's state. The reason is marked required where the service requires it (suspend,
    archive: the closed portal shows it); the service's own check and message stay the rule."""

    transition = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("原因"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("选填，记入状态变更记录。"),
    )
    confirm = forms.BooleanField(label=_("我已知晓上述影响，确认执行"), error_messages={"required": _("请勾选确认。")})

    def __init__(self, *args, move=None, **kwargs):
        super().__init__(*args, **kwargs)
        if move is not None and move.reason_required:
            reason = self.fields["reason"]
            reason.required = True
            reason.error_messages["required"] = _("请填写原因，城市门户将向访问者显示。")
            reason.help_text = _("必填，将显示在该城市门户上。")


@login_required
def tenant_lifecycle(request, schema_name):
    """城市状态: suspend, resume, archive (and, for superusers, restore) with a reason and a confirmation."""
    if not request.user.can_use_console:  # the console's own rule (oversight.views)
        raise PermissionDenied(_("仅国家中心工作人员可使用控制台。"))
    tenant = lifecycle_tenant(schema_name)
    bound = None
    if request.method == "POST":
        move = TRANSITIONS.get(request.POST.get("transition", ""))
        bound = LifecycleForm(request.POST, move=move, auto_id=f"id_{move.code}_%s" if move else "id_%s")
        if bound.is_valid():
            data = bound.cleaned_data
            try:
                tenant = tenant_transition(
                    tenant=tenant,
                    transition=data["transition"],
                    actor=request.user,
                    reason=data["reason"],
                    ip=client_ip(request),
                )
            except DomainError as error:
                if error.status == 403:
                    raise
                attach_error(bound, error)
                tenant.refresh_from_db()
            else:
                messages.success(
                    request,
                    _("%(name)s 当前状态：%(state)s。") % {"name": tenant.name, "state": tenant.get_status_display()},
                )
                return redirect("console-tenant-lifecycle", schema_name=tenant.schema_name)
    actions = []
    for move in transitions_available(tenant, request.user):
        form = bound if bound is not None and bound.data.get("transition") == move.code else None
        if form is None:
            form = LifecycleForm(initial={"transition": move.code}, auto_id=f"id_{move.code}_%s", move=move)
        actions.append({"transition": move, "form": form, "effect": EFFECTS[move.code]})
    # A refused change for a transition no longer on offer (the city moved on): its message goes on top.
    refused = bound if bound is not None and bound.errors and not any(a["form"] is bound for a in actions) else None
    return render(
        request,
        "console/tenant_lifecycle.html",
        {
            "tenant": tenant,
            "url": tenant_url(tenant),
            "actions": actions,
            "refused": refused,
            "history": [(entry,) for entry in lifecycle_history(tenant)[:HISTORY_LIMIT]],
            "table": HISTORY,
        },
        status=400 if bound is not None and bound.errors else 200,
    )
