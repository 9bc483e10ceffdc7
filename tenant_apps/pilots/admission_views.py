"""入库申请 in the workbench (/workbench/pilots/): the enterprise's admissions (添加, 继续填写, its pilot status), the
five-section form with its repeatable rows, and the bureau's list of pilot enterprises. Thin views: writes go
through `admissions`, reads through `admissions` / `admission_selectors`; a refusal lands next to its field.

保存 saves the draft. 提交 saves first and then submits, so a refused submission still keeps everything typed: the
page comes back with every missing item and every defect finding next to its field (blocking in red, warnings in
amber). Once submitted, the form is read-only and the engine's application page takes over."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shared_apps.ui.pagination import paginate
from shared_apps.ui.tables import Column, Table
from tenant_apps.organisations.access import check_module_access
from tenant_apps.pilots import admissions, defects, kinds
from tenant_apps.pilots.admission_forms import (
    NEEDS_EXTRA,
    AdmissionForm,
    IndicatorFormSet,
    need_formset,
    project_formset,
)
from tenant_apps.pilots.admission_selectors import admission_tasks_awaiting, pilots_visible, sees_pilots
from tenant_apps.pilots.sheet_views import (
    STATE_COLUMN,
    SUBMITTED_COLUMN,
    TITLE_COLUMN,
    Sheet,
    SheetPage,
    or_404,
    sheet_edit,
    sheet_new,
)
from tenant_apps.workflow.models import Application
from tenants.errors import DomainError

ADMISSIONS = Table(
    columns=(
        TITLE_COLUMN,
        STATE_COLUMN,
        SUBMITTED_COLUMN,
        Column(gettext_lazy("操作"), template="pilots/cells/admission_actions.html", width="10em", name="actions"),
    ),
    empty=gettext_lazy("还没有入库申请，点击“添加”开始填写。"),
    row_attrs=lambda admission: {"data-admission": admission.pk},
)

PILOTS = Table(
    columns=(
        Column(gettext_lazy("企业名称"), "organisation.name", wrap=True, primary=True, name="title"),
        Column(gettext_lazy("统一社会信用代码"), "organisation.uscc", width="12em"),
        Column(gettext_lazy("所属行业"), "organisation.industry.name", wrap=True, width="12em"),
        Column(gettext_lazy("入库日期"), "admitted_on", format="date", width="7.5em", name="admitted"),
        Column(gettext_lazy("操作"), template="pilots/cells/pilot_actions.html", width="6em", name="actions"),
    ),
    empty=gettext_lazy("暂无试点企业。"),
    row_attrs=lambda pilot: {"data-pilot": pilot.pk},
)


def _member(request):
    module, membership = check_module_access(request, admissions.MODULE)
    return module, membership


# --- 入库申请 home ------------------------------------------------------------------------------------------------------
def _home_context(request, module, membership, refusal: str = "") -> tuple[str, dict]:
    context = {"module": module, "refusal": refusal}
    if sees_pilots(membership):
        context.update(
            page=paginate(request, pilots_visible(membership)),
            table=PILOTS,
            awaiting=admission_tasks_awaiting(membership),
            inbox_url=f"{reverse('inbox')}?{urlencode({'name': _('入库申请')})}",
        )
        return "pilots/bureau_home.html", context
    if not membership.has_role("enterprise"):
        context["inbox_url"] = reverse("inbox")
        return "pilots/other_home.html", context
    organisation = membership.organisation
    try:
        admissions.enterprise_of(membership)
    except DomainError as error:
        context["refusal"] = refusal or error.message
        context["can_apply"] = False
    else:
        context["can_apply"] = True
    pilot = admissions.pilot_of(organisation) if organisation is not None else None
    mine = admissions.admissions_of(membership)
    context.update(
        pilot=pilot,
        page=paginate(request, mine),
        table=ADMISSIONS,
        open_admission=None if pilot else mine.exclude(application__state=Application.State.REJECTED).first(),
    )
    context["can_apply"] = context["can_apply"] and pilot is None
    return "pilots/enterprise_home.html", context


@login_required
def admission_home(request):
    """Enterprise: its admissions and 添加, or its pilot status. Bureau: the city's pilot enterprises."""
    module, membership = _member(request)
    template, context = _home_context(request, module, membership)
    return render(request, template, context)


@login_required
def admission_new(request):
    """添加 (POST): the admission in progress, or a new draft prefilled from registration; refusals on the home page."""
    module, membership = _member(request)
    return sheet_new(
        request,
        module,
        membership,
        start=admissions.admission_start,
        home_context=_home_context,
        home="admission-home",
        edit="admission-edit",
    )


# --- The form ---------------------------------------------------------------------------------------------------------
def _sheet(request, admission, files_by_kind: dict, *, bound: bool) -> Sheet:
    needs = list(admission.needs.all())
    projects = list(admission.projects.prefetch_related("indicators"))
    data = request.POST if bound else None
    main = AdmissionForm(data, request.FILES if bound else None, admission=admission, files_by_kind=files_by_kind)
    need_initial = [{"kind": n.kind, "description": n.description, "analysis": n.analysis} for n in needs]
    project_initial = [
        {
            "name": p.name,
            "starts_on": p.starts_on.isoformat() if p.starts_on else "",
            "ends_on": p.ends_on.isoformat() if p.ends_on else "",
            "content": p.content,
            "investment": "" if p.investment is None else str(p.investment),
            "level_before": "" if p.level_before is None else str(p.level_before),
            "level_after": "" if p.level_after is None else str(p.level_after),
        }
        for p in projects
    ]
    indicator_initial = [
        [{"name": x.name, "unit": x.unit, "before": x.before, "after": x.after} for x in p.indicators.all()]
        for p in projects
    ]
    # A bound formset takes every row as posted: without `initial`, an unchanged saved row is never mistaken for
    # an untouched extra row and dropped, whatever the posted INITIAL_FORMS says.
    if bound:
        need_initial, project_initial, indicator_initial = None, None, []
    needs_set = need_formset(extra=NEEDS_EXTRA if not needs else 1)(data, initial=need_initial, prefix="needs")
    projects_set = project_formset(extra=1)(data, initial=project_initial, prefix="projects")
    for index, project in enumerate(projects_set.forms):
        initial = indicator_initial[index] if index < len(indicator_initial) else None
        project.indicators = IndicatorFormSet(data, initial=initial, prefix=f"{project.prefix}-indicators")
        project.section_notes = []
    empty_project = projects_set.empty_form
    empty_project.indicators = IndicatorFormSet(prefix=f"{empty_project.prefix}-indicators")
    empty_project.section_notes = []
    sheet = Sheet(
        main=main,
        needs=needs_set,
        projects=projects_set,
        empty_project=empty_project,
    )
    if not bound:
        sheet.take_saved_rows(len(needs), [len(rows) for rows in indicator_initial])
    return sheet


def _save(membership, admission, sheet: Sheet):
    main = sheet.main
    return admissions.admission_save(
        membership=membership,
        admission_id=admission.pk,
        basic=main.basic_data(),
        needs=sheet.service_needs(),
        projects=sheet.service_projects(),
        benchmark=main.benchmark_value(),
        files=main.uploads(),
        expected_version=main.cleaned_data.get("version"),
    )


def _warn_defects(request, admission) -> None:
    warnings = [
        finding.message
        for result in admissions.defect_results(admission)
        for finding in result.findings
        if not finding.blocking
    ]
    if warnings:
        messages.warning(request, _("形式审查提示：%(items)s") % {"items": " ".join(warnings)})


PAGE = SheetPage(
    url_name="admission-edit",
    form_template="pilots/admission_form.html",
    view_template="pilots/admission_view.html",
    context_name="admission",
    build=lambda request, admission, bound: _sheet(
        request, admission, {f.kind: f for f in admission.files.all()}, bound=bound
    ),
    save=_save,
    submit=lambda membership, admission, version: admissions.admission_submit(
        membership=membership, admission_id=admission.pk, expected_version=version
    ),
    missing=admissions.missing,
    defect_results=admissions.defect_results,
    content=kinds.content,
    submitted=gettext_lazy("入库申请已提交，请等待市工信局审核。"),
    locked=gettext_lazy("该入库申请当前不能修改。"),
    after_submit=_warn_defects,
    extra_context=lambda admission: {
        "files": {f.kind: f for f in admission.files.all()},
        "period": defects.pilot_period(),
    },
)


@login_required
def admission_edit(request, pk: int):
    """The five sections; read-only once submitted (the engine's application page leads from there)."""
    _module, membership = _member(request)
    return sheet_edit(request, PAGE, membership, or_404(admissions.access_admission, membership, pk))
