"""入库申请 in the workbench (/workbench/pilots/): the enterprise's admissions (添加, 继续填写, its pilot status), the
five-section form with its repeatable rows, and the bureau's list of pilot enterprises. Thin views: writes go
through `admissions`, reads through `admissions` / `admission_selectors`; a refusal lands next to its field.

保存 saves the draft. 提交 saves first and then submits, so a refused submission still keeps everything typed: the
page comes back with every missing item and every defect finding next to its field (blocking in red, warnings in
amber). Once submitted, the form is read-only and the engine's application page takes over."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
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
from tenant_apps.workflow.models import Application
from tenants.errors import DomainError

ADMISSIONS = Table(
    columns=(
        Column(gettext_lazy("申请名称"), "application.title", wrap=True, primary=True, name="title"),
        Column(gettext_lazy("状态"), template="pilots/cells/state.html", width="7em", name="state"),
        Column(gettext_lazy("提交时间"), "application.submitted_at", format="datetime", width="9.5em"),
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
    if request.method != "POST":
        return redirect("admission-home")
    try:
        admission = admissions.admission_start(membership=membership)
    except DomainError as error:
        template, context = _home_context(request, module, membership, refusal=error.message)
        return render(request, template, context, status=error.status)
    return redirect("admission-edit", pk=admission.pk)


# --- The form ---------------------------------------------------------------------------------------------------------
@dataclass
class Sheet:
    """The page's forms: sections 一/四/五, the needs, the projects (each with its indicators), and where the
    service's field paths (`needs.0.kind`, `projects.1.indicators.2.name`) point in them."""

    main: AdmissionForm
    needs: object
    projects: object
    empty_project: object
    needs_rows: list = field(default_factory=list)
    projects_rows: list = field(default_factory=list)
    notes: dict = field(default_factory=lambda: {"needs": [], "projects": [], "form": []})
    problems: list = field(default_factory=list)
    status: int = 200

    @property
    def has_blocking(self) -> bool:
        return any(problem["tone"] == "error" for problem in self.problems)

    def is_valid(self) -> bool:
        valid = self.main.is_valid() & self.needs.is_valid() & self.projects.is_valid()
        for project in self.projects.forms:
            valid &= project.indicators.is_valid()
        return bool(valid)

    # Which rows the service sees, in its order (blank and removed rows are not sent).
    def take_bound_rows(self) -> None:
        self.needs_rows = [f for f in self.needs.forms if not f.is_removed() and not f.is_blank()]
        self.projects_rows = []
        for project in self.projects.forms:
            if project.is_removed():
                continue
            project.rows = [x for x in project.indicators.forms if not x.is_removed() and not x.is_blank()]
            if project.is_blank() and not project.rows:
                continue
            self.projects_rows.append(project)

    def take_saved_rows(self, needs_count: int, indicator_counts: list[int]) -> None:
        self.needs_rows = self.needs.forms[:needs_count]
        self.projects_rows = self.projects.forms[: len(indicator_counts)]
        for project, count in zip(self.projects_rows, indicator_counts, strict=True):
            project.rows = project.indicators.forms[:count]

    def service_needs(self) -> list[dict]:
        return [f.values() for f in self.needs_rows]

    def service_projects(self) -> list[dict]:
        return [{**p.values(), "indicators": [x.values() for x in p.rows]} for p in self.projects_rows]

    # Placing a message (from a DomainError, missing() or a defect finding) next to its input.
    def _target(self, path: str):
        parts = (path or "").split(".")
        head = parts[0]
        if head in ("basic", "files") and len(parts) == 2 and parts[1] in self.main.fields:
            return self.main, parts[1], None
        if head == "benchmark":
            return self.main, "benchmark", None
        index = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        if head == "needs" and index is not None and index < len(self.needs_rows) and len(parts) == 3:
            form = self.needs_rows[index]
            return (form, parts[2], None) if parts[2] in form.fields else (None, None, "needs")
        if head == "projects" and index is not None and index < len(self.projects_rows):
            project = self.projects_rows[index]
            if len(parts) == 3 and parts[2] in project.fields:
                return project, parts[2], None
            if len(parts) >= 3 and parts[2] == "indicators":
                row = int(parts[3]) if len(parts) == 5 and parts[3].isdigit() else None
                if row is not None and row < len(project.rows) and parts[4] in project.rows[row].fields:
                    return project.rows[row], parts[4], None
                return None, None, project
        if head in ("needs", "projects"):
            return None, None, head
        return None, None, "form"

    def place(self, path: str, message: str, tone: str = "error") -> None:
        form, name, section = self._target(path)
        note = {"message": message, "tone": tone}
        if form is not None:
            bound_field = form[name]
            if form.is_bound and tone == "error":
                form.add_error(name, message)
            else:
                bound_field.notes = [*getattr(bound_field, "notes", []), note]
            self.problems.append({**note, "anchor": bound_field.id_for_label})
            return
        if isinstance(section, str):
            self.notes[section].append(note)
            anchor = "admission-form" if section == "form" else f"section-{section}"
            self.problems.append({**note, "anchor": anchor})
        else:
            section.section_notes.append(note)
            self.problems.append({**note, "anchor": f"{section.prefix}-indicators"})


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


def _check(sheet: Sheet, admission) -> None:
    """What submission would say now: every missing item, every defect finding (blocking red, warning amber)."""
    for path, message in admissions.missing(admission):
        sheet.place(path, message, "error")
    for result in admissions.defect_results(admission):
        for finding in result.findings:
            sheet.place(finding.field, finding.message, "error" if finding.blocking else "warning")


def _or_404(membership, pk):
    try:
        return admissions.access_admission(membership, pk)
    except DomainError as error:
        if error.status == 404:
            raise Http404(error.message) from None
        raise


def _editable(request, admission) -> bool:
    application = admission.application
    return application.state in Application.EDITABLE_STATES and application.applicant_id == request.user.pk


def _read_only(request, admission):
    context = {
        "admission": admission,
        "application": admission.application,
        "sections": kinds.content(admission.application),
        "is_applicant": admission.application.applicant_id == request.user.pk,
    }
    return render(request, "pilots/admission_view.html", context)


def _save_and_maybe_submit(request, membership, admission, sheet: Sheet):
    """保存 / 提交 from a valid sheet. Returns a redirect, or None when the save was refused (placed on the sheet)."""
    main = sheet.main
    try:
        saved = admissions.admission_save(
            membership=membership,
            admission_id=admission.pk,
            basic=main.basic_data(),
            needs=sheet.service_needs(),
            projects=sheet.service_projects(),
            benchmark=main.benchmark_value(),
            files=main.uploads(),
            expected_version=main.cleaned_data.get("version"),
        )
    except DomainError as error:
        sheet.place(error.field or "", error.message)
        sheet.status = error.status
        return None
    if request.POST.get("do") != "submit":
        messages.success(request, _("草稿已保存。"))
        return redirect("admission-edit", pk=admission.pk)
    try:
        admissions.admission_submit(
            membership=membership, admission_id=admission.pk, expected_version=saved.application.version
        )
    except DomainError as error:
        messages.warning(
            request, _("草稿已保存，但还不能提交：%(reason)s 请按下方提示修改。") % {"reason": error.message}
        )
        return redirect(f"{reverse('admission-edit', args=[admission.pk])}?check=1#problems")
    warnings = [
        finding.message
        for result in admissions.defect_results(saved)
        for finding in result.findings
        if not finding.blocking
    ]
    messages.success(request, _("入库申请已提交，请等待市工信局审核。"))
    if warnings:
        messages.warning(request, _("形式审查提示：%(items)s") % {"items": " ".join(warnings)})
    return redirect("application-detail", pk=admission.application_id)


@login_required
def admission_edit(request, pk: int):
    """The five sections; read-only once submitted (the engine's application page leads from there)."""
    _module, membership = _member(request)
    admission = _or_404(membership, pk)
    if not _editable(request, admission):
        if request.method == "POST":
            messages.error(request, _("该入库申请当前不能修改。"))
            return redirect("admission-edit", pk=admission.pk)
        return _read_only(request, admission)
    files_by_kind = {f.kind: f for f in admission.files.all()}
    bound = request.method == "POST"
    sheet = _sheet(request, admission, files_by_kind, bound=bound)
    if bound:
        if sheet.is_valid():
            sheet.take_bound_rows()
            done = _save_and_maybe_submit(request, membership, admission, sheet)
            if done is not None:
                return done
        else:
            sheet.status = 400
    elif request.GET.get("check"):
        _check(sheet, admission)
    context = {
        "admission": admission,
        "application": admission.application,
        "sheet": sheet,
        "form": sheet.main,
        "files": files_by_kind,
        "period": defects.pilot_period(),
    }
    return render(request, "pilots/admission_form.html", context, status=sheet.status)
