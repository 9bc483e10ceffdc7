"""资金申请 (验收申请) in the workbench (/workbench/pilots/acceptance/): the pilot enterprise's acceptances (添加 prefilled
from its admission, 继续填写), the form with its providers and products, and the bureau's and finance's list of the
city's acceptances with where each stands. Thin views over `acceptances`; the page machinery (rows, notes next to
their field, 保存 then 提交) is the admission form's (`admission_views.Sheet`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shared_apps.ui.pagination import paginate
from shared_apps.ui.tables import Column, Table
from tenant_apps.organisations.access import check_module_access
from tenant_apps.pilots import acceptances, defects, file_views, investment_list, kinds
from tenant_apps.pilots.acceptance_forms import (
    AcceptanceForm,
    IndicatorFormSet,
    ProductFormSet,
    flat_products,
    group_products,
    need_formset,
    project_formset,
)
from tenant_apps.pilots.models import Acceptance
from tenant_apps.pilots.sheet_views import (
    STATE_COLUMN,
    SUBMITTED_COLUMN,
    TITLE_COLUMN,
    Sheet,
    SheetPage,
    kept,
    or_404,
    sheet_edit,
    sheet_new,
)
from tenant_apps.workflow.models import Application
from tenants.errors import DomainError

STAGE_COLUMN = Column(gettext_lazy("当前环节"), template="pilots/cells/stage.html", width="9em", name="stage")
MINE = Table(
    columns=(
        TITLE_COLUMN,
        STATE_COLUMN,
        STAGE_COLUMN,
        SUBMITTED_COLUMN,
        Column(gettext_lazy("操作"), template="pilots/cells/acceptance_actions.html", width="10em", name="actions"),
    ),
    empty=gettext_lazy("还没有验收申请。项目完成后点击“添加”开始填写，内容将从入库申请带入。"),
    row_attrs=lambda acceptance: {"data-acceptance": acceptance.pk},
)

CITY = Table(
    columns=(
        Column(gettext_lazy("企业名称"), "organisation.name", wrap=True, primary=True, name="title"),
        STATE_COLUMN,
        STAGE_COLUMN,
        SUBMITTED_COLUMN,
        Column(
            gettext_lazy("操作"), template="pilots/cells/acceptance_city_actions.html", width="14em", name="actions"
        ),
    ),
    empty=gettext_lazy("暂无已提交的验收申请。"),
    row_attrs=lambda acceptance: {"data-acceptance": acceptance.pk},
)
CITY_ROLES = ("city_bureau", "finance", "tenant_admin")


def _member(request):
    return check_module_access(request, acceptances.MODULE)


def city_acceptances(membership):
    """What the bureau and finance see: every submitted acceptance of the city (drafts stay the enterprise's)."""
    if not membership.has_role(*CITY_ROLES):
        return Acceptance.objects.none()
    return (
        acceptances.readable_acceptances(membership)
        .select_related("application", "organisation")
        .order_by("-application__submitted_at", "-id")
    )


# --- 资金申请 home ------------------------------------------------------------------------------------------------------
def _home_context(request, module, membership, refusal: str = "") -> tuple[str, dict]:
    context = {"module": module, "refusal": refusal}
    if membership.has_role(*CITY_ROLES):
        rows = city_acceptances(membership)
        state = request.GET.get("state", "")
        if state in {"in_review", "returned", "approved", "rejected"}:
            rows = rows.filter(application__state=state)
        q = (request.GET.get("q") or "").strip()[:60]
        if q:
            rows = rows.filter(Q(organisation__name__icontains=q) | Q(application__title__icontains=q))
        page = paginate(request, rows)
        can_review = acceptances.is_bureau(membership)
        for row in page.object_list:
            row.can_review = can_review  # the cell offers the on-site and recognition pages to the bureau
        context.update(
            page=page,
            table=CITY,
            state=state,
            q=q,
            is_bureau=can_review,
            is_finance=membership.has_role("finance"),
        )
        return "pilots/acceptance/city_home.html", context
    if not membership.has_role("enterprise"):
        context["inbox_url"] = reverse("inbox")
        return "pilots/other_home.html", context
    try:
        acceptances.pilot_enterprise_of(membership)
    except DomainError as error:
        context.update(refusal=refusal or error.message, can_apply=False)
    else:
        context["can_apply"] = True
    mine = acceptances.acceptances_of(membership)
    context.update(
        page=paginate(request, mine),
        table=MINE,
        open_acceptance=mine.filter(application__state__in=Application.EDITABLE_STATES).first(),
    )
    return "pilots/acceptance/enterprise_home.html", context


@login_required
def acceptance_home(request):
    module, membership = _member(request)
    template, context = _home_context(request, module, membership)
    return render(request, template, context)


@login_required
def acceptance_new(request):
    """添加 (POST): the acceptance being written, or a new one prefilled from the admission."""
    module, membership = _member(request)
    return sheet_new(
        request,
        module,
        membership,
        start=acceptances.acceptance_start,
        home_context=_home_context,
        home="acceptance-home",
        edit="acceptance-edit",
    )


# --- The form ---------------------------------------------------------------------------------------------------------
@dataclass
class AcceptanceSheet(Sheet):
    """The admission's sheet, each project also holding its product rows (`project.products`), grouped into
    providers for the service and placed back row by row for the messages."""

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for project in self.projects.forms:
            valid &= project.products.is_valid()
        return bool(valid)

    def take_bound_rows(self) -> None:
        super().take_bound_rows()
        self._group()

    def take_nested_rows(self, project) -> list:
        project.product_rows = kept(project.products.forms)
        return project.product_rows

    def take_saved_rows(self, needs_count: int, counts: list[tuple[int, int]]) -> None:
        self.needs_rows = self.needs.forms[:needs_count]
        self.projects_rows = self.projects.forms[: len(counts)]
        for project, (indicators, products) in zip(self.projects_rows, counts, strict=True):
            project.rows = project.indicators.forms[:indicators]
            project.product_rows = project.products.forms[:products]
        self._group()

    def _group(self) -> None:
        """Which flat row holds provider j (its first row) and product k of it, for placing messages."""
        for project in self.projects_rows:
            values = [row.values() if row.is_bound else {**row.initial} for row in project.product_rows]
            for value in values:
                for key in ("provider", "uscc", "contract_amount", "name", "kind", "amount"):
                    value.setdefault(key, "")
            project.providers = group_products(values)
            project.provider_forms, project.product_forms = [], []
            index = 0
            for provider in project.providers:
                forms_of = project.product_rows[index : index + len(provider["rows"])]
                index += len(provider["rows"])
                project.provider_forms.append(forms_of[0] if forms_of else None)
                project.product_forms.append(
                    [form for form, row in zip(forms_of, provider["rows"], strict=True) if row["name"] or row["amount"]]
                )

    def service_projects(self) -> list[dict]:
        return [
            {
                **p.values(),
                "indicators": [x.values() for x in p.rows],
                "providers": [
                    {key: v[key] for key in ("name", "uscc", "contract_amount", "products")} for v in p.providers
                ],
            }
            for p in self.projects_rows
        ]

    def _target(self, path: str):
        parts = (path or "").split(".")
        if parts[0] == "projects" and len(parts) >= 4 and parts[2] == "providers" and parts[1].isdigit():
            index = int(parts[1])
            if index < len(self.projects_rows):
                project = self.projects_rows[index]
                j = int(parts[3]) if parts[3].isdigit() else None
                if j is not None and j < len(project.provider_forms) and project.provider_forms[j] is not None:
                    if len(parts) == 5:
                        name = {"name": "provider"}.get(parts[4], parts[4])
                        return project.provider_forms[j], name, None
                    if len(parts) == 7 and parts[5].isdigit() and int(parts[5]) < len(project.product_forms[j]):
                        return project.product_forms[j][int(parts[5])], parts[6], None
                return None, None, project
        if parts[0] == "files" and len(parts) == 2 and parts[1] in self.main.fields:
            return self.main, parts[1], None
        return super()._target(path)

    def place(self, path: str, message: str, tone: str = "error") -> None:
        form, _name, section = self._target(path)
        if form is None and section is not None and not isinstance(section, str):
            note = {"message": message, "tone": tone}
            section.section_notes.append(note)
            self.problems.append({**note, "anchor": f"{section.prefix}-products"})
            return
        super().place(path, message, tone)


def _sheet(request, acceptance, *, bound: bool) -> AcceptanceSheet:
    needs = list(acceptance.needs.all())
    projects = list(acceptance.projects.prefetch_related("indicators", "providers__products"))
    data = request.POST if bound else None
    main = AcceptanceForm(data, request.FILES if bound else None, acceptance=acceptance)
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
    product_initial = [flat_products(p) for p in projects]
    if bound:
        need_initial, project_initial, indicator_initial, product_initial = None, None, [], []
    needs_set = need_formset(extra=2 if not needs else 1)(data, initial=need_initial, prefix="needs")
    projects_set = project_formset(extra=0 if projects else 1)(data, initial=project_initial, prefix="projects")
    for index, project in enumerate(projects_set.forms):
        indicators = indicator_initial[index] if index < len(indicator_initial) else None
        products = product_initial[index] if index < len(product_initial) else None
        project.indicators = IndicatorFormSet(data, initial=indicators, prefix=f"{project.prefix}-indicators")
        project.products = ProductFormSet(data, initial=products, prefix=f"{project.prefix}-products")
        project.section_notes = []
    empty_project = projects_set.empty_form
    empty_project.indicators = IndicatorFormSet(prefix=f"{empty_project.prefix}-indicators")
    empty_project.products = ProductFormSet(prefix=f"{empty_project.prefix}-products")
    empty_project.section_notes = []
    sheet = AcceptanceSheet(main=main, needs=needs_set, projects=projects_set, empty_project=empty_project)
    if not bound:
        sheet.take_saved_rows(
            len(needs), [(len(i), len(p)) for i, p in zip(indicator_initial, product_initial, strict=True)]
        )
    return sheet


def _save(membership, acceptance, sheet: AcceptanceSheet):
    main = sheet.main
    return acceptances.acceptance_save(
        membership=membership,
        acceptance_id=acceptance.pk,
        basic=main.basic_data(),
        needs=sheet.service_needs(),
        projects=sheet.service_projects(),
        benchmark=main.benchmark_value(),
        files=main.uploads(),
        remove_files=main.cleaned_data.get("remove_files") or [],
        expected_version=main.cleaned_data.get("version"),
    )


def _list_check(sheet: AcceptanceSheet, acceptance) -> None:
    """The uploaded investment list against the form as it is now: each mismatch next to its field, as a warning
    (the reviewers see the same list; it does not block submission)."""
    for mismatch in investment_list.latest_mismatches(acceptance) or []:
        sheet.place(mismatch.path, mismatch.message, "warning")


PAGE = SheetPage(
    url_name="acceptance-edit",
    form_template="pilots/acceptance/form.html",
    view_template="pilots/acceptance/view.html",
    context_name="acceptance",
    build=lambda request, acceptance, bound: _sheet(request, acceptance, bound=bound),
    save=_save,
    submit=lambda membership, acceptance, version: acceptances.acceptance_submit(
        membership=membership, acceptance_id=acceptance.pk, expected_version=version
    ),
    missing=acceptances.missing,
    defect_results=acceptances.defect_results,
    content=kinds.acceptance_content,
    submitted=gettext_lazy("验收申请已提交，请等待市工信局审核。"),
    locked=gettext_lazy("该验收申请当前不能修改。"),
    on_get=_list_check,
    extra_context=lambda acceptance: {"period": defects.pilot_period(), "sheet_id": "acceptance"},
)


@login_required
def acceptance_edit(request, pk: int):
    """The form; read-only once submitted (the engine's application page leads from there)."""
    _module, membership = _member(request)
    return sheet_edit(request, PAGE, membership, or_404(acceptances.access_acceptance, membership, pk))


@login_required
def acceptance_delete(request, pk: int):
    _module, membership = _member(request)
    if request.method != "POST":
        return redirect("acceptance-home")
    try:
        acceptances.acceptance_delete(membership=membership, acceptance_id=pk)
    except DomainError as error:
        if error.status == 404:
            raise Http404(error.message) from None
        messages.error(request, error.message)
        return redirect("acceptance-home")
    messages.success(request, _("草稿已删除。"))
    return redirect("acceptance-home")


@login_required
def acceptance_file(request, pk: int, file_pk: int):
    """A supporting file, for the acceptance's organisation and the city's reviewers; 404 for anyone else."""
    _module, membership = _member(request)
    try:
        item = acceptances.access_file(membership, pk, file_pk)
    except DomainError as error:
        raise Http404(error.message) from None
    return file_views.download(item)
