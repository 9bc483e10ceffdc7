"""认定与补贴测算 in the workbench (/workbench/pilots/acceptance/recognition/<acceptance>/), for the city bureau: a form per
project (recognised amount, hardware, level reached, in period, proven) → 保存并测算 with each breakdown; then an
adjustment form per project (amount + reason) and the adjustment history. Thin: writes through `recognition`, a
refusal lands on its field (the service's `projects.0.recognised_amount` → that project's form)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenant_apps.organisations.access import check_module_access
from tenant_apps.pilots import recognition, subsidy
from tenant_apps.pilots.models import LEVELS
from tenants.errors import DomainError, attach_error

MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0")}


class ProjectRecognitionForm(forms.Form):
    recognised_amount = forms.DecimalField(label=gettext_lazy("认定投资（元）"), **MONEY)
    recognised_hardware = forms.DecimalField(
        label=gettext_lazy("其中硬件投入（元）"),
        required=False,
        help_text=gettext_lazy("计入上限按补贴政策的硬件比例。"),
        **MONEY,
    )
    level_reached = forms.TypedChoiceField(
        label=gettext_lazy("认定数字化水平"), choices=[("", "—"), *LEVELS], coerce=int
    )
    in_period = forms.BooleanField(label=gettext_lazy("项目在试点期内"), required=False)
    proven = forms.BooleanField(label=gettext_lazy("合同、发票、银行回单齐全"), required=False)


class PolicyForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    policy = forms.TypedChoiceField(label=gettext_lazy("适用补贴政策"), coerce=int)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].choices = choices


class AdjustForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    amount = forms.DecimalField(label=gettext_lazy("调整后补贴（元）"), **MONEY)
    reason = forms.CharField(
        label=gettext_lazy("调整原因"), max_length=recognition.REASON_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )


def _bureau_acceptance(request, pk):
    _module, membership = check_module_access(request, recognition.MODULE)
    try:
        return membership, recognition.access_for_bureau(membership, pk)
    except DomainError as error:
        raise Http404(error.message) from None


def _policy_choices(acceptance) -> list[tuple[int, str]]:
    rows = list(subsidy.policies_available())
    if acceptance.policy is not None and acceptance.policy not in rows:
        rows.insert(0, acceptance.policy)  # the version recorded earlier stays selectable
    return [(row.pk, f"{row.name}（{row.code} 第 {row.version} 版）") for row in rows]


def _initial_policy(acceptance):
    if acceptance.policy_id is not None:
        return acceptance.policy_id
    current = subsidy.current_policy()
    return current.pk if current else None


def _sheet(request, acceptance, *, recognise: bool = False, adjust_project: int | None = None):
    """The policy form and, per project, its recognition form, its adjustment form and history; the recognition
    forms are bound to the POST when recognising, one adjustment form when adjusting."""
    projects = list(recognition.projects_of(acceptance).prefetch_related("providers__products"))
    defaults = recognition.form_defaults(acceptance, projects)
    version = acceptance.application.version
    post = request.POST if recognise else None
    policy_form = PolicyForm(
        post, choices=_policy_choices(acceptance), initial={"policy": _initial_policy(acceptance), "version": version}
    )
    rows = []
    for project in projects:
        initial = {key: value for key, value in defaults[project.pk].items() if value is not None}
        adjust_post = request.POST if adjust_project == project.pk else None
        rows.append(
            {
                "project": project,
                "form": ProjectRecognitionForm(post, prefix=f"p{project.pk}", initial=initial),
                "adjust": AdjustForm(
                    adjust_post, prefix=f"a{project.pk}", initial={"version": version, "amount": project.subsidy}
                ),
                "history": [
                    {
                        "entry": entry,
                        "superseded": bool(acceptance.recognised_at and entry.adjusted_at < acceptance.recognised_at),
                    }
                    for entry in project.adjustments.all()
                ],
            }
        )
    return policy_form, rows


def _render(request, acceptance, policy_form, rows, *, status: int = 200):
    refusal = recognition.refusal(acceptance)
    total = sum((row["project"].subsidy or 0 for row in rows), Decimal("0.00"))
    context = {
        "acceptance": acceptance,
        "application": acceptance.application,
        "policy_form": policy_form,
        "rows": rows,
        "editable": refusal is None,
        "refusal": refusal.message if refusal else "",
        "total": total,
        "recognised": acceptance.recognised_at is not None,
        "tranches": subsidy.tranche_plan(acceptance.policy, total) if acceptance.recognised_at else [],
    }
    return render(request, "pilots/recognition/page.html", context, status=status)


def _place(rows, policy_form, error: DomainError) -> None:
    """`projects.<i>.<field>` onto that project's form; anything else onto the policy form."""
    parts = (error.field or "").split(".")
    if parts[0] == "projects" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(rows):
        attach_error(rows[int(parts[1])]["form"], error)
        return
    attach_error(policy_form, error)


@login_required
def recognition_page(request, pk: int):
    """GET: the forms; POST do=recognise → 保存并测算, do=adjust&project=<id> → 调整补贴."""
    membership, acceptance = _bureau_acceptance(request, pk)
    if request.method != "POST":
        policy_form, rows = _sheet(request, acceptance)
        return _render(request, acceptance, policy_form, rows)
    if request.POST.get("do") == "adjust":
        return _adjust(request, membership, acceptance)
    return _recognise(request, membership, acceptance)


def _recognise(request, membership, acceptance):
    policy_form, rows = _sheet(request, acceptance, recognise=True)
    valid = policy_form.is_valid() & all([row["form"].is_valid() for row in rows])
    if not valid:
        return _render(request, acceptance, policy_form, rows, status=400)
    try:
        recognition.recognise(
            membership=membership,
            acceptance_id=acceptance.pk,
            projects=[{"id": row["project"].pk, **row["form"].cleaned_data} for row in rows],
            policy_id=policy_form.cleaned_data["policy"],
            expected_version=policy_form.cleaned_data.get("version"),
        )
    except DomainError as error:
        _place(rows, policy_form, error)
        return _render(request, acceptance, policy_form, rows, status=error.status)
    messages.success(request, _("认定结果已保存，补贴已按政策测算。"))
    return redirect("recognition", pk=acceptance.pk)


def _adjust(request, membership, acceptance):
    project_id = recognition._pk(request.POST.get("project"))
    policy_form, rows = _sheet(request, acceptance, adjust_project=project_id)
    row = next((row for row in rows if row["project"].pk == project_id), None)
    if row is None:
        raise Http404(_("该项目不存在。"))
    form = row["adjust"]
    if not form.is_valid():
        return _render(request, acceptance, policy_form, rows, status=400)
    try:
        recognition.adjust(
            membership=membership,
            project_id=project_id,
            amount=form.cleaned_data["amount"],
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data.get("version"),
        )
    except DomainError as error:
        attach_error(form, error)
        return _render(request, acceptance, policy_form, rows, status=error.status)
    messages.success(request, _("补贴已调整，调整记录已保存。"))
    return redirect("recognition", pk=acceptance.pk)
