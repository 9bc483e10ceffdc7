"""The page flow the admission and acceptance forms share: the `Sheet` (the page's forms, and where a service's
dotted field path such as `projects.1.indicators.2.name` points in them), and the edit view around it — 保存 saves,
提交 saves first and then submits, so a refused submission keeps everything typed and comes back with each problem
next to its field; once submitted the form is read-only and the engine's application page takes over."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shared_apps.ui.tables import Column
from tenant_apps.workflow.models import Application
from tenants.errors import DomainError

# The columns both forms' lists share.
TITLE_COLUMN = Column(gettext_lazy("申请名称"), "application.title", wrap=True, primary=True, name="title")
STATE_COLUMN = Column(gettext_lazy("状态"), template="pilots/cells/state.html", width="7em", name="state")
SUBMITTED_COLUMN = Column(gettext_lazy("提交时间"), "application.submitted_at", format="datetime", width="9.5em")


def kept(forms) -> list:
    """The rows of a formset the service sees: neither removed nor blank."""
    return [f for f in forms if not f.is_removed() and not f.is_blank()]


@dataclass
class Sheet:
    """The page's forms: sections 一/四/五, the needs, the projects (each with its indicators), and where the
    service's field paths (`needs.0.kind`, `projects.1.indicators.2.name`) point in them."""

    main: object  # the form of sections 一, 四 and 五
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
        self.needs_rows = kept(self.needs.forms)
        self.projects_rows = []
        for project in self.projects.forms:
            if project.is_removed():
                continue
            project.rows = kept(project.indicators.forms)
            nested = self.take_nested_rows(project)
            if project.is_blank() and not project.rows and not nested:
                continue
            self.projects_rows.append(project)

    def take_nested_rows(self, project) -> list:
        """Hook: the project's further rows a form keeps on it (the acceptance's products); any makes it count."""
        return []

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


def place_check(sheet: Sheet, obj, *, missing: Callable, defect_results: Callable) -> None:
    """What submission would say now: every missing item, every defect finding (blocking red, warning amber)."""
    for path, message in missing(obj):
        sheet.place(path, message, "error")
    for result in defect_results(obj):
        for finding in result.findings:
            sheet.place(finding.field, finding.message, "error" if finding.blocking else "warning")


def sheet_new(request, module, membership, *, start: Callable, home_context: Callable, home: str, edit: str):
    """添加 (POST): the form in progress or a new one (`start(membership=…)`), then its edit page; a refusal is
    shown on the home page (`home_context(request, module, membership, refusal=…) -> (template, context)`)."""
    if request.method != "POST":
        return redirect(home)
    try:
        obj = start(membership=membership)
    except DomainError as error:
        template, context = home_context(request, module, membership, refusal=error.message)
        return render(request, template, context, status=error.status)
    return redirect(edit, pk=obj.pk)


def or_404(access: Callable, membership, pk):
    """The service's own-organisation access, its 404 as the page's."""
    try:
        return access(membership, pk)
    except DomainError as error:
        if error.status == 404:
            raise Http404(error.message) from None
        raise


@dataclass(frozen=True)
class SheetPage:
    """What one form brings to the shared edit view."""

    url_name: str  # the edit page (`admission-edit`)
    form_template: str
    view_template: str
    context_name: str  # the object's name in the templates (`admission`)
    build: Callable  # (request, obj, bound) -> Sheet
    save: Callable  # (membership, obj, sheet) -> saved obj (the service's save, from the valid sheet)
    submit: Callable  # (membership, obj, version) -> obj
    missing: Callable
    defect_results: Callable
    content: Callable  # application -> sections, for the read-only view
    submitted: str  # the message once submitted
    locked: str  # the message when a POST arrives for a form that cannot change now
    on_get: Callable | None = None  # (sheet, obj): notes an unbound page adds (e.g. the investment-list check)
    after_submit: Callable | None = None  # (request, obj): messages after a submission
    extra_context: Callable | None = None  # (obj) -> dict


def _editable(request, obj) -> bool:
    application = obj.application
    return application.state in Application.EDITABLE_STATES and application.applicant_id == request.user.pk


def _read_only(request, page: SheetPage, obj):
    context = {
        page.context_name: obj,
        "application": obj.application,
        "sections": page.content(obj.application),
        "is_applicant": obj.application.applicant_id == request.user.pk,
    }
    return render(request, page.view_template, context)


def _save_and_maybe_submit(request, page: SheetPage, membership, obj, sheet: Sheet):
    """保存 / 提交 from a valid sheet. Returns a redirect, or None when the save was refused (placed on the sheet)."""
    try:
        saved = page.save(membership, obj, sheet)
    except DomainError as error:
        sheet.place(error.field or "", error.message)
        sheet.status = error.status
        return None
    if request.POST.get("do") != "submit":
        messages.success(request, _("草稿已保存。"))
        return redirect(page.url_name, pk=obj.pk)
    try:
        page.submit(membership, obj, saved.application.version)
    except DomainError as error:
        messages.warning(
            request, _("草稿已保存，但还不能提交：%(reason)s 请按下方提示修改。") % {"reason": error.message}
        )
        return redirect(f"{reverse(page.url_name, args=[obj.pk])}?check=1#problems")
    messages.success(request, page.submitted)
    if page.after_submit is not None:
        page.after_submit(request, saved)
    return redirect("application-detail", pk=obj.application_id)


def sheet_edit(request, page: SheetPage, membership, obj):
    """The form; read-only once submitted (or for anyone but the applicant)."""
    if not _editable(request, obj):
        if request.method == "POST":
            messages.error(request, page.locked)
            return redirect(page.url_name, pk=obj.pk)
        return _read_only(request, page, obj)
    bound = request.method == "POST"
    sheet = page.build(request, obj, bound)
    if bound:
        if sheet.is_valid():
            sheet.take_bound_rows()
            done = _save_and_maybe_submit(request, page, membership, obj, sheet)
            if done is not None:
                return done
        else:
            sheet.status = 400
    else:
        if request.GET.get("check"):
            place_check(sheet, obj, missing=page.missing, defect_results=page.defect_results)
        if page.on_get is not None:
            page.on_get(sheet, obj)
    context = {
        page.context_name: obj,
        "application": obj.application,
        "sheet": sheet,
        "form": sheet.main,
        **(page.extra_context(obj) if page.extra_context else {}),
    }
    return render(request, page.form_template, context, status=sheet.status)
