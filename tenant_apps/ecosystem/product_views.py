"""我的产品 and the product form (/workbench/ecosystem/products/): the provider's products (filters by submission date
and state), 新增 once the first declaration is approved, the form in the seed's sections with its repeatable cases,
保存草稿 / 提交申报 (a first declaration's products are saved here and submitted with the declaration: their 保存
goes back to step 3). Writes go through `products`; a refusal lands next to its field and the page answers with
the form as typed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shared_apps.ui.pagination import paginate
from shared_apps.ui.tables import Column, Table
from tenant_apps.ecosystem import common, declarations, products, provider_selectors
from tenant_apps.ecosystem.declaration_views import fetch, filtered, place, provider_member, tabs
from tenant_apps.ecosystem.models import Product, Status
from tenant_apps.ecosystem.provider_forms import ProductForm, ProductNameForm, case_formset
from tenants.errors import DomainError


def _categories(product) -> str:
    labels = [str(Product.Category(c).label) for c in product.categories if c in Product.Category.values]
    if product.category_other and Product.Category.OTHER in product.categories:
        labels[-1:] = [f"{labels[-1]}（{product.category_other}）"] if labels else []
    return "、".join(labels) or "—"


# Seven columns fit 1280px beside the menu: categories and the unit wrap at 9em, and the actions (no width: as much
# as the row leaves) wrap between whole actions (`eco-list` in static/css/ecosystem.css).
PRODUCTS = Table(
    columns=(
        Column(gettext_lazy("产品名称"), "name", wrap=True, primary=True, name="title"),
        Column(gettext_lazy("适合领域/类别"), _categories, wrap=True, width="9em"),
        Column(gettext_lazy("提交时间"), "application.submitted_at", format="datetime", width="9.5em"),
        Column(gettext_lazy("审核状态"), template="ecosystem/provider/cells/status.html", width="6em", name="state"),
        Column(gettext_lazy("审核意见"), "opinion", wrap=True, name="opinion"),
        Column(gettext_lazy("审核机构"), "anchor_unit.name", wrap=True, width="9em"),
        Column(gettext_lazy("操作"), template="ecosystem/provider/cells/product_actions.html", name="actions"),
    ),
    empty=gettext_lazy("暂无产品。"),
    row_attrs=lambda product: {"data-product": product.pk},
    css="eco-list",
)


def with_declaration(product) -> bool:
    """A first declaration's product not yet sent on: saved here, submitted with the declaration (step 3). Once the
    declaration is approved the product runs its own chain; returned there, it is edited and resubmitted alone."""
    return product.declaration_id is not None and product.status == Status.DRAFT


def editable(product) -> bool:
    if product.status not in common.EDITABLE:
        return False
    return not with_declaration(product) or product.declaration.status in common.EDITABLE


# --- 我的产品 ---------------------------------------------------------------------------------------------------------
def _list(request, organisation, *, refusal: str = "", status: int = 200):
    form, filters = filtered(request, with_pending=True)
    page = paginate(request, provider_selectors.product_rows(organisation, **filters))
    context = {
        "tabs": tabs("products"),
        "filters": form,
        "filtered": any(filters.values()),
        "page": page,
        "table": PRODUCTS,
        "joined": declarations.has_joined(organisation),
        "refusal": refusal,
    }
    return render(request, "ecosystem/provider/products.html", context, status=status)


@login_required
def product_list(request):
    _membership, organisation = provider_member(request)
    return _list(request, organisation)


@login_required
def product_new(request):
    """新增: the name first (POST → the product's form); before the first approval a notice points to 服务商申报."""
    membership, organisation = provider_member(request)
    joined = declarations.has_joined(organisation)
    form = ProductNameForm(request.POST if request.method == "POST" else None)
    status = 200
    refusal = ""
    if request.method == "POST":
        form.is_valid()
        try:
            product = products.product_start(membership=membership, name=form.cleaned_data.get("name") or "")
        except DomainError as error:
            if not place(form, error.field, error.message):
                refusal = error.message
            status = error.status
        else:
            return redirect("ecosystem-product-edit", pk=product.pk)
    context = {"tabs": tabs("products"), "form": form, "joined": joined, "refusal": refusal}
    return render(request, "ecosystem/provider/product_new.html", context, status=status)


@login_required
def product_delete(request, pk: int):
    membership, organisation = provider_member(request)
    product = fetch(products.access_product, membership, pk)
    back = _back(product)
    if request.method != "POST":
        return redirect(back)
    try:
        products.product_delete(membership=membership, product=product)
    except DomainError as error:
        if product.declaration_id is None:
            return _list(request, organisation, refusal=error.message, status=error.status)
        messages.error(request, error.message)
        return redirect(back)
    messages.success(request, _("产品已删除。"))
    return redirect(back)


def _back(product) -> str:
    if with_declaration(product):
        return f"{reverse('ecosystem-declaration-edit', args=[product.declaration_id])}?step=3"
    return reverse("ecosystem-products")


# --- The form ---------------------------------------------------------------------------------------------------------
class Page:
    """The product form and its case rows; `rows` are the case forms the service sees, in its order (so a refusal
    about `cases.1.customer` lands on the second of them); `notes` are messages of the cases block as a whole;
    `problems` the list at the top of a refused submission."""

    def __init__(self, request, product, *, bound: bool):
        self.product = product
        cases = list(product.cases.all())
        if bound:
            self.form = ProductForm(request.POST, request.FILES, product=product)
            self.cases = case_formset(extra=0)(request.POST, request.FILES, prefix="cases")
        else:
            self.form = ProductForm(product=product)
            initial = [{"customer": c.customer, "summary": c.summary, "keep": str(c.pk)} for c in cases]
            extra = max(products.CASES_MIN - len(cases), 0) or 1
            self.cases = case_formset(extra=extra)(initial=initial, prefix="cases")
        by_pk = {str(c.pk): c for c in cases}
        for row in self.cases.forms:
            row.case = by_pk.get(str(row["keep"].value() or ""))
        self.rows = [] if bound else self.cases.forms[: len(cases)]
        self.notes: list[str] = []
        self.problems: list[dict] = []
        self.name_note = ""
        self.status = 200

    def is_valid(self) -> bool:
        valid = self.form.is_valid() & self.cases.is_valid()
        if valid:
            self.rows = [r for r in self.cases.forms if not r.is_removed() and not r.is_blank()]
        return bool(valid)

    def service_cases(self) -> list[dict]:
        """The case rows for the service; the row whose contract 删除 was pressed loses its `keep` (so its contract)."""
        rows = [row.service_row() for row in self.rows]
        dropped = self.form.cleaned_data.get("remove_contract")
        for row in rows:
            if dropped and row["keep"] == str(dropped) and not row["contract"]:
                row["keep"] = ""
        return rows

    def place(self, field: str | None, message: str, *, listed: bool = False) -> None:
        parts = (field or "").split(".")
        anchor = ""
        if parts[0] == "cases":
            index = int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else None
            if index is not None and index < len(self.rows) and place(self.rows[index], parts[2], message):
                anchor = self.rows[index][parts[2]].id_for_label
            else:
                if message not in self.notes:
                    self.notes.append(message)
                anchor = "product-cases"
        elif place(self.form, field, message):
            anchor = self.form[(field or "").removeprefix("files.")].id_for_label
        else:
            self.form.add_error(None, message)
            anchor = "product-form"
        if listed:
            self.problems.append({"message": message, "anchor": anchor})


def _render(request, page: Page, *, status: int | None = None):
    product = page.product
    context = {
        "product": product,
        "application": product.application,
        "page": page,
        "form": page.form,
        "cases": page.cases,
        "uploaded": _uploaded(product),
        "standalone": not with_declaration(product),
        "back_url": _back(product),
        "tabs": tabs("products"),
        "cases_min": products.CASES_MIN,
    }
    return render(request, "ecosystem/provider/product_form.html", context, status=status or page.status)


def _uploaded(product) -> dict:
    uploaded: dict[str, list] = {}
    for item in product.files.all():
        url = reverse("ecosystem-product-file", args=[product.pk, item.pk])
        uploaded.setdefault(item.kind, []).append({"name": item.original_name, "url": url, "pk": item.pk})
    return uploaded


def _not_applicant(request, product):
    """Only the applicant edits, submits or deletes (the engine refuses others); a colleague of the same provider
    sees the product in 我的产品 and is sent back there with the reason."""
    if product.application.applicant_id == request.user.pk:
        return None
    messages.error(request, _("只有申请人可以修改。"))
    return redirect(_back(product))


def _checked(request, product, error: DomainError | None = None, *, status: int = 200):
    """The form as saved, with every item submission still needs next to its field (and listed at the top)."""
    page = Page(request, product, bound=False)
    found = products.problems(product, with_unit=product.declaration_id is None)
    if error is not None and not any(field == (error.field or "") for field, _m in found):
        page.place(error.field, error.message, listed=True)
    for field, message in found:
        page.place(field, message, listed=True)
    if products.name_taken(product):
        page.name_note = str(products.DUPLICATE_MESSAGE)
    return _render(request, page, status=status)


def _submit(request, membership, product, version):
    try:
        products.product_submit(membership=membership, product=product, expected_version=version)
    except DomainError as error:
        product = fetch(products.access_product, membership, product.pk)
        return _checked(request, product, error, status=error.status)
    messages.success(request, _("产品申报已提交，请等待审核。"))
    return redirect("ecosystem-products")


@login_required
def product_edit(request, pk: int):
    membership, _organisation = provider_member(request)
    product = fetch(products.access_product, membership, pk)
    refused = _not_applicant(request, product)
    if refused is not None:
        return refused
    if not editable(product):
        if request.method == "POST":
            messages.error(request, _("审核中或已办结的申报不能修改。"))
        return redirect("application-detail", pk=product.application_id)
    if request.method != "POST":
        if request.GET.get("check"):
            return _checked(request, product)
        page = Page(request, product, bound=False)
        if products.name_taken(product):
            page.name_note = str(products.DUPLICATE_MESSAGE)
        return _render(request, page)
    page = Page(request, product, bound=True)
    if not page.is_valid():
        page.status = 400
        return _render(request, page)
    remove_file = page.form.cleaned_data.get("remove_file")
    try:
        saved = products.product_save(
            membership=membership,
            product=product,
            data=page.form.service_data(),
            cases=page.service_cases(),
            files=page.form.uploads(),
            remove_files=[remove_file] if remove_file else None,
            expected_version=page.form.cleaned_data.get("version"),
        )
    except DomainError as error:
        page.place(error.field, error.message)
        page.status = error.status
        return _render(request, page)
    if remove_file or page.form.cleaned_data.get("remove_contract"):
        messages.success(request, _("草稿已保存，文件已删除。"))
        return redirect(f"{reverse('ecosystem-product-edit', args=[saved.pk])}#product-form")
    if request.POST.get("do") == "submit" and not with_declaration(saved):
        return _submit(request, membership, saved, saved.application.version)
    messages.success(request, _("草稿已保存。"))
    if products.name_taken(saved):
        messages.warning(request, str(products.DUPLICATE_MESSAGE))
    if with_declaration(saved):
        return redirect(_back(saved))
    return redirect("ecosystem-product-edit", pk=saved.pk)


@login_required
def product_submit(request, pk: int):
    """提交 from 我的产品 (POST, with the version the list was drawn at)."""
    membership, _organisation = provider_member(request)
    product = fetch(products.access_product, membership, pk)
    if request.method != "POST":
        return redirect("ecosystem-products")
    refused = _not_applicant(request, product)
    if refused is not None:
        return refused
    raw = request.POST.get("version") or ""
    return _submit(request, membership, product, int(raw) if raw.isdigit() else None)
