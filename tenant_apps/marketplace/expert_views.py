"""专家管理 pages in the workbench (/workbench/market/experts/…), behind the `experts` module gate.

Providers (certified) list, add, edit and delete their own experts; operations read every provider's experts with
a provider filter. Thin views: reads through `experts` selectors, writes through its services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shared_apps.ui.pagination import paginate
from shared_apps.ui.tables import Column, Table, formatted
from tenant_apps.marketplace import experts
from tenant_apps.marketplace.expert_forms import ExpertFilterForm, ExpertForm
from tenant_apps.organisations.access import check_module_access
from tenants.errors import DomainError, attach_error

NAME = Column(gettext_lazy("姓名"), "name", primary=True, name="name", width="7em")
# What both lists show of an expert, after the name (and, for ops, the provider).
DETAILS = (
    Column(gettext_lazy("性别"), "get_gender_display", width="3.5em", name="gender"),
    Column(gettext_lazy("年龄"), "age", width="3.5em", align="end", name="age"),
    Column(gettext_lazy("工业互联网专业领域"), "iiot_specialty", wrap=True, name="specialty"),
    Column(gettext_lazy("职务"), lambda row: row.title or "—", width="7em", name="title"),
    Column(
        gettext_lazy("服务年限"),
        lambda row: (
            _("工业互联网 %(iiot)s 年 · 工业 %(industry)s 年")
            % {"iiot": row.years_iiot, "industry": row.years_industry}
        ),
        name="years",
    ),
    Column(gettext_lazy("创建时间"), "created_at", format="datetime", width="9.5em", name="created"),
)

PROVIDER_TABLE = Table(
    columns=(
        NAME,
        *DETAILS,
        Column(gettext_lazy("操作"), template="marketplace/experts/cells/actions.html", width="7em", name="actions"),
    ),
    empty=gettext_lazy("还没有专家。"),
    row_attrs=lambda row: {"data-expert": row.pk},
)

OPS_TABLE = Table(
    columns=(
        NAME,
        Column(gettext_lazy("服务商"), "organisation.name", wrap=True, name="provider"),
        *DETAILS,
        Column(
            gettext_lazy("操作"), template="marketplace/experts/cells/ops_actions.html", width="4em", name="actions"
        ),
    ),
    empty=gettext_lazy("暂无服务商录入的专家。"),
    row_attrs=lambda row: {"data-expert": row.pk},
)


def _member(request):
    _module, membership = check_module_access(request, experts.MODULE)
    return membership


def _refused(error: DomainError):
    """A refusal about who the caller is (not certified, not a provider) is a 403 page with the reason."""
    if error.status == 404:
        raise Http404(error.message)
    raise PermissionDenied(error.message)


def _provider(membership):
    try:
        return experts.provider_of(membership)
    except DomainError as error:
        _refused(error)


@login_required
def expert_list(request):
    membership = _member(request)
    if experts.is_operator(membership):
        return _ops_list(request)
    organisation = _provider(membership)
    page = paginate(request, experts.experts_of(organisation))
    context = {"page": page, "table": PROVIDER_TABLE, "organisation": organisation}
    return render(request, "marketplace/experts/list.html", context)


def _ops_list(request):
    form = ExpertFilterForm(request.GET or None)
    provider = form.cleaned_data.get("provider") if form.is_valid() else None
    page = paginate(request, experts.experts_for_ops(provider_id=provider.pk if provider else None))
    context = {"page": page, "table": OPS_TABLE, "filter_form": form, "provider": provider}
    return render(request, "marketplace/experts/ops_list.html", context)


@login_required
def expert_create(request):
    membership = _member(request)
    organisation = _provider(membership)
    form = ExpertForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            experts.expert_create(membership=membership, data=form.service_data(), photo=form.cleaned_data.get("photo"))
        except DomainError as error:
            if error.status == 403:
                _refused(error)
            attach_error(form, error)
        else:
            messages.success(request, _("专家已新增。"))
            return redirect("market-experts")
    context = {"form": form, "expert": None, "organisation": organisation}
    return render(request, "marketplace/experts/form.html", context, status=400 if form.errors else 200)


@login_required
def expert_detail(request, pk: int):
    """The provider's edit form for its own expert; operations see the same expert read-only."""
    membership = _member(request)
    if experts.is_operator(membership) and not _is_provider(membership):
        expert = experts.access_expert(membership, pk)
        return render(request, "marketplace/experts/detail.html", {"expert": expert, "rows": _rows(expert)})
    _provider(membership)
    expert = experts.access_expert(membership, pk, write=True)
    initial = {name: getattr(expert, name) for name in experts.FIELDS}
    form = ExpertForm(request.POST or None, request.FILES or None, initial=initial, has_photo=bool(expert.photo))
    if request.method == "POST" and form.is_valid():
        try:
            experts.expert_update(
                membership=membership,
                expert=expert,
                data=form.service_data(),
                photo=form.cleaned_data.get("photo"),
                expected_version=request.POST.get("version"),
            )
        except DomainError as error:
            if error.status == 403:
                _refused(error)
            attach_error(form, error)
        else:
            messages.success(request, _("专家信息已保存。"))
            return redirect("market-experts")
    context = {
        "form": form,
        "expert": expert,
        "in_use": list(experts.shown_on(expert).only("name")[:3]),
        # A refused save keeps the version the form was opened with, so a second try is refused too.
        "form_version": request.POST.get("version", expert.version),
    }
    return render(request, "marketplace/experts/form.html", context, status=400 if form.errors else 200)


def _rows(expert) -> list[tuple]:
    form = ExpertForm()
    rows = [(_("服务商"), expert.organisation.name)]
    for name in experts.FIELDS:
        value = expert.get_gender_display() if name == "gender" else getattr(expert, name)
        rows.append((form.fields[name].label, value))
    rows.append((_("创建时间"), formatted(expert.created_at, "datetime")))
    return rows


def _is_provider(membership) -> bool:
    organisation = getattr(membership, "organisation", None)
    return organisation is not None and organisation.kind == "provider" and membership.has_role("provider")


@login_required
def expert_delete(request, pk: int):
    membership = _member(request)  # the gate first: outside the module the route does not exist (404)
    _provider(membership)
    expert = experts.access_expert(membership, pk, write=True)  # whose expert, before what method (no 405 probe)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        experts.expert_delete(membership=membership, expert=expert)
    except DomainError as error:
        if error.status == 403:
            _refused(error)
        messages.error(request, error.message)
        return redirect("market-expert", pk=expert.pk)
    messages.success(request, _("专家「%(name)s」已删除。") % {"name": expert.name})
    return redirect("market-experts")


def _photo_response(expert):
    if not expert.photo:
        raise Http404
    name = expert.photo.name.lower()
    content_type = "image/png" if name.endswith(".png") else "image/jpeg"
    response = FileResponse(expert.photo.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
def expert_photo(request, pk: int):
    """The photo of an expert the caller may read (its provider, operations)."""
    membership = _member(request)
    try:
        expert = experts.access_expert(membership, pk)
    except DomainError as error:
        _refused(error)
    return _photo_response(expert)


def listed_expert_photo(request, listing_pk: int, pk: int):
    """The photo of an expert shown on a product on sale: public, like the product page that shows it."""
    from tenants.modules import ensure_module

    ensure_module(request, "marketplace")
    return _photo_response(experts.photo_listed_expert(listing_pk, pk))
