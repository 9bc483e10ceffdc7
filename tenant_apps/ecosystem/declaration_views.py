"""服务商申报 in the workbench (/workbench/ecosystem/declarations/): the provider's list (filters by submission date
and state, the latest opinion, 继续填写 / 重新提交 / 删除 / 查看详情), 新增, and the three steps of the form. Thin views:
writes go through `declarations` / `products`, reads through `provider_selectors`; a refusal lands next to its field.

Each step's 保存 saves; 下一页 and 上一页 save before moving, and 返回列表 (a button of the same form) saves before
leaving, so nothing typed is lost. 提交 on the last step saves, then submits; a refused submission lists every
missing item at the top (with a link to its step or product) and puts those of the step shown next to their field.
The engine's application page (审核进度, 导出PDF) is the detail page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shared_apps.ui.pagination import paginate
from shared_apps.ui.tables import Column, Table
from tenant_apps.ecosystem import common, declarations, products, provider_selectors
from tenant_apps.ecosystem.provider_forms import STEP_FORMS, ListFilterForm, ProductNameForm
from tenant_apps.organisations.access import check_module_access
from tenants.errors import DomainError

MODULE = "ecosystem"
STEP_LABELS = (
    gettext_lazy("基本信息填写及相关资料上传"),
    gettext_lazy("申请加入产业生态联合体/数字化转型服务能力"),
    gettext_lazy("产品信息"),
)
# Where each item of `declarations.problems` is filled in (products.* are step 3).
STEP_OF = {
    "nature": 1,
    "anchor_unit": 1,
    "files.logo": 1,
    "files.licence": 1,
    "files.credit_report": 1,
    "files.cooperation": 1,
    "product_count": 2,
    "profile": 2,
    "guarantee": 2,
    "files.team_list": 2,
}

# Seven columns fit 1280px beside the menu: the units' names wrap at 9em, and the actions (no width: as much as the
# row leaves) wrap between whole actions (`eco-list` in static/css/ecosystem.css).
DECLARATIONS = Table(
    columns=(
        Column(gettext_lazy("单位名称"), "organisation.name", wrap=True, primary=True, name="title"),
        Column(gettext_lazy("牵引单位"), "anchor_unit.name", wrap=True, width="9em"),
        Column(gettext_lazy("提交时间"), "application.submitted_at", format="datetime", width="9.5em"),
        Column(gettext_lazy("审核状态"), template="ecosystem/provider/cells/status.html", width="6em", name="state"),
        Column(gettext_lazy("审核意见"), "opinion", wrap=True, name="opinion"),
        Column(gettext_lazy("审核机构"), "anchor_unit.name", wrap=True, width="9em"),
        Column(gettext_lazy("操作"), template="ecosystem/provider/cells/declaration_actions.html", name="actions"),
    ),
    empty=gettext_lazy("暂无服务商申报。"),
    row_attrs=lambda declaration: {"data-declaration": declaration.pk},
    css="eco-list",
)


# --- Shared by the provider's pages ----------------------------------------------------------------------------------
def provider_member(request):
    """The module is on (else 404) and the person declares for a certified provider (else 403)."""
    _module, membership = check_module_access(request, MODULE)
    try:
        organisation = common.provider_of(membership)
    except DomainError as error:
        raise PermissionDenied(error.message) from None
    return membership, organisation


def fetch(access, membership, pk):
    """A row through the service's own-organisation access: missing and another's alike are 404."""
    try:
        return access(membership, pk)
    except DomainError as error:
        if error.status == 404:
            raise Http404(error.message) from None
        raise PermissionDenied(error.message) from None


def place(form, field: str | None, message: str) -> bool:
    """A service's field path on the form (`files.<kind>` is the upload of that kind); False when the form has no
    such field (the message then belongs to the whole form or a list at the top)."""
    name = field or ""
    if name.startswith("files."):
        name = name.removeprefix("files.")
    if not hasattr(form, "cleaned_data"):
        form.cleaned_data = {}  # an unbound form takes errors too (a refused submission re-drawn from what was saved)
    if name in form.fields:
        if message not in form.errors.get(name, []):
            form.add_error(name, message)
        return True
    return False


def tabs(current: str) -> list[dict]:
    return [
        {"name": name, "label": label, "url": reverse(url), "current": name == current}
        for name, label, url in (
            ("declarations", _("服务商申报"), "ecosystem-declarations"),
            ("products", _("我的产品"), "ecosystem-products"),
            ("changes", _("信息变更"), "ecosystem-changes"),
        )
    ]


def filtered(request, *, with_pending: bool = False) -> tuple[ListFilterForm, dict]:
    form = ListFilterForm(request.GET or None, with_pending=with_pending)
    return form, form.filters()


# --- The list ----------------------------------------------------------------------------------------------------------
def _list(request, organisation, *, refusal: str = "", status: int = 200):
    form, filters = filtered(request)
    page = paginate(request, provider_selectors.declaration_rows(organisation, **filters))
    context = {
        "organisation": organisation,
        "tabs": tabs("declarations"),
        "filters": form,
        "filtered": any(filters.values()),
        "page": page,
        "table": DECLARATIONS,
        "refusal": refusal,
        "joined": declarations.has_joined(organisation),
    }
    return render(request, "ecosystem/provider/declarations.html", context, status=status)


@login_required
def declaration_list(request):
    _membership, organisation = provider_member(request)
    return _list(request, organisation)


@login_required
def declaration_new(request):
    """新增 (POST): an unfinished declaration is continued; otherwise a new one (first, or repeat prefilled)."""
    membership, organisation = provider_member(request)
    if request.method != "POST":
        return redirect("ecosystem-declarations")
    try:
        declaration = declarations.declaration_start(membership=membership)
    except DomainError as error:
        return _list(request, organisation, refusal=error.message, status=error.status)
    return redirect(_step_url(declaration.pk, 1))


@login_required
def declaration_delete(request, pk: int):
    membership, organisation = provider_member(request)
    declaration = fetch(declarations.access_declaration, membership, pk)
    if request.method != "POST":
        return redirect("ecosystem-declarations")
    try:
        declarations.declaration_delete(membership=membership, declaration=declaration)
    except DomainError as error:
        return _list(request, organisation, refusal=error.message, status=error.status)
    messages.success(request, _("申报已删除。"))
    return redirect("ecosystem-declarations")


# --- The three steps ---------------------------------------------------------------------------------------------------
def _step_url(pk: int, step: int, anchor: str = "") -> str:
    return f"{reverse('ecosystem-declaration-edit', args=[pk])}?step={step}{'#' + anchor if anchor else ''}"


def _last_step(declaration) -> int:
    return 3 if declaration.is_first else 2


def _step(request, declaration) -> int:
    last = _last_step(declaration)
    raw = request.GET.get("step") or ""
    step = int(raw) if raw.isdigit() else min(declaration.step, last)
    return min(max(step, 1), last)


def _problem_items(declaration) -> list[dict]:
    """Every item submission still needs, each with a link to where it is filled in."""
    product_pks = [p.pk for p in declaration.products.all()]
    items = []
    for field, message in declarations.problems(declaration):
        parts = field.split(".")
        if parts[0] == "products" and len(parts) > 2 and parts[1].isdigit() and int(parts[1]) < len(product_pks):
            url = f"{reverse('ecosystem-product-edit', args=[product_pks[int(parts[1])]])}?check=1"
            step = 3
        elif parts[0] == "products":
            step = 3
            url = _step_url(declaration.pk, 3, "declaration-products")
        else:
            step = STEP_OF.get(field, 1)
            url = _step_url(declaration.pk, step, f"id_{field.removeprefix('files.')}")
        items.append({"field": field, "message": message, "step": step, "url": url})
    return items


def _render(request, declaration, step: int, form, *, problems=None, name_form=None, status: int = 200):
    last = _last_step(declaration)
    context = {
        "declaration": declaration,
        "application": declaration.application,
        "organisation": declaration.organisation,
        "step": step,
        "last": last,
        "step_labels": list(STEP_LABELS[:last]),
        "form": form,
        "uploaded": {
            f.kind: [
                {"name": f.original_name, "url": reverse("ecosystem-declaration-file", args=[declaration.pk, f.pk])}
            ]
            for f in declaration.files.all()
        },
        "problems": problems or [],
        "products": list(declaration.products.select_related("application")) if step == 3 else [],
        "name_form": name_form or ProductNameForm(),
    }
    return render(request, "ecosystem/provider/declaration_edit.html", context, status=status)


def _refused_submission(request, membership, pk: int, step: int, error: DomainError):
    """提交 refused: the page again as saved, every missing item listed, those of this step on their fields."""
    declaration = fetch(declarations.access_declaration, membership, pk)
    form = STEP_FORMS[step](declaration=declaration)
    items = _problem_items(declaration)
    if not any(item["field"] == (error.field or "") and item["message"] == error.message for item in items):
        placed = place(form, error.field, error.message)
        if not placed:
            items.insert(0, {"field": error.field or "", "message": error.message, "step": step, "url": ""})
    for item in items:
        if item["step"] == step:
            place(form, item["field"], item["message"])
    return _render(request, declaration, step, form, problems=items, status=error.status)


def _not_applicant(request, declaration):
    """A colleague of the same provider sees the declaration in the list; only the applicant fills it in (the engine
    refuses others), so the colleague is sent back to the list with the reason."""
    if declaration.application.applicant_id == request.user.pk:
        return None
    messages.error(request, _("只有申请人可以修改。"))
    return redirect("ecosystem-declarations")


@login_required
def declaration_edit(request, pk: int):
    membership, _organisation = provider_member(request)
    declaration = fetch(declarations.access_declaration, membership, pk)
    refused = _not_applicant(request, declaration)
    if refused is not None:
        return refused
    if declaration.status not in common.EDITABLE:
        if request.method == "POST":
            messages.error(request, _("审核中或已办结的申报不能修改。"))
        return redirect("application-detail", pk=declaration.application_id)
    step = _step(request, declaration)
    if request.method != "POST":
        form = STEP_FORMS[step](declaration=declaration)
        problems = []
        if request.GET.get("check"):
            problems = _problem_items(declaration)
            for item in problems:
                if item["step"] == step:
                    place(form, item["field"], item["message"])
        return _render(request, declaration, step, form, problems=problems)
    form = STEP_FORMS[step](request.POST, request.FILES, declaration=declaration)
    if not form.is_valid():
        return _render(request, declaration, step, form, status=400)
    try:
        saved = declarations.declaration_save(
            membership=membership,
            declaration=declaration,
            step=step,
            data=form.service_data(),
            files=form.uploads(form.FILE_KINDS),
            expected_version=form.cleaned_data.get("version"),
        )
    except DomainError as error:
        if not place(form, error.field, error.message):
            form.add_error(None, error.message)
        return _render(request, declaration, step, form, status=error.status)
    do = request.POST.get("do") or "save"
    last = _last_step(saved)
    if do == "submit" and step == last:
        try:
            declarations.declaration_submit(
                membership=membership, declaration=saved, expected_version=saved.application.version
            )
        except DomainError as error:
            return _refused_submission(request, membership, pk, step, error)
        messages.success(request, _("服务商申报已提交，请等待牵引单位审核。"))
        return redirect("ecosystem-declarations")
    messages.success(request, _("已保存。"))
    if do == "list":
        return redirect("ecosystem-declarations")
    target = {"next": min(step + 1, last), "prev": max(step - 1, 1)}.get(do, step)
    return redirect(_step_url(pk, target))


@login_required
def declaration_product_new(request, pk: int):
    """+新增产品/服务 on step 3 (POST, a name): the product's own form opens; its 保存 comes back to step 3."""
    membership, _organisation = provider_member(request)
    declaration = fetch(declarations.access_declaration, membership, pk)
    refused = _not_applicant(request, declaration)
    if refused is not None:
        return refused
    if request.method != "POST":
        return redirect(_step_url(pk, 3))
    name_form = ProductNameForm(request.POST)
    name_form.is_valid()
    try:
        product = products.product_start(
            membership=membership, name=name_form.cleaned_data.get("name") or "", declaration=declaration
        )
    except DomainError as error:
        if not place(name_form, error.field, error.message):
            name_form.add_error(None, error.message)
        form = STEP_FORMS[_last_step(declaration)](declaration=declaration)
        return _render(request, declaration, _last_step(declaration), form, name_form=name_form, status=error.status)
    return redirect("ecosystem-product-edit", pk=product.pk)
