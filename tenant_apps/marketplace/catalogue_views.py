"""The public catalogue and product pages (no sign-in needed where the marketplace is on) and the operations'
taxonomy pages in the workbench (商品目录, 解决方案分类, 标签). Thin: reads through `catalogue`, writes through
`taxonomy`."""

from __future__ import annotations

import mimetypes

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shared_apps.ui.pagination import paginate
from tenant_apps.marketplace import catalogue as reads
from tenant_apps.marketplace import taxonomy
from tenant_apps.marketplace.access import MODULE
from tenant_apps.organisations.access import check_module_access
from tenants.errors import DomainError, attach_error
from tenants.modules import ensure_module

CATALOGUE_PAGE_SIZES = (12, 24, 48)
RATINGS_PAGE_SIZES = (10, 20, 50)


# --- Public catalogue -----------------------------------------------------------------------------------------------
class CatalogueFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("搜索"), required=False, max_length=reads.MAX_QUERY_LENGTH)
    catalogue = forms.TypedChoiceField(label=gettext_lazy("商品目录"), required=False, coerce=int, empty_value=None)
    category = forms.TypedChoiceField(label=gettext_lazy("解决方案分类"), required=False, coerce=int, empty_value=None)
    industry = forms.TypedChoiceField(label=gettext_lazy("适用行业"), required=False, coerce=int, empty_value=None)
    price_min = forms.DecimalField(
        label=gettext_lazy("最低价（元）"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    price_max = forms.DecimalField(
        label=gettext_lazy("最高价（元）"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    sort = forms.ChoiceField(label=gettext_lazy("排序"), required=False, choices=list(reads.SORTS.items()))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("全部"))]
        facets = reads.facet_choices()
        for name in ("catalogue", "category", "industry"):
            self.fields[name].choices = everything + facets[name]
        self.fields["q"].widget.attrs.update({"placeholder": _("商品名称或标签"), "type": "search"})
        for name in ("price_min", "price_max"):
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "size": "8"})

    def clean(self):
        data = super().clean()
        low, high = data.get("price_min"), data.get("price_max")
        if low is not None and high is not None and low > high:
            self.add_error("price_max", _("最高价不能低于最低价。"))
        return data

    def filters(self) -> reads.CatalogueFilters:
        """The valid part of what was asked (an invalid value is ignored, with its message shown)."""
        data = self.cleaned_data if self.is_bound else {}
        valid = {name: value for name, value in data.items() if name not in self.errors}
        return reads.CatalogueFilters(
            q=valid.get("q") or "",
            catalogue=valid.get("catalogue"),
            category=valid.get("category"),
            industry=valid.get("industry"),
            price_min=valid.get("price_min"),
            price_max=valid.get("price_max"),
            sort=valid.get("sort") or reads.DEFAULT_SORT,
        )


def market_catalogue(request):
    """解决方案目录: search, filters, sort, cards. Anyone may browse where the marketplace is on."""
    ensure_module(request, MODULE)
    form = CatalogueFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    filters = form.filters()
    page = paginate(request, reads.catalogue_listings(filters), default=12, sizes=CATALOGUE_PAGE_SIZES)
    sorts = [{"code": code, "label": label, "current": code == filters.sort} for code, label in reads.SORTS.items()]
    context = {"form": form, "page": page, "filters": filters, "sorts": sorts}
    return render(request, "marketplace/catalogue/catalogue.html", context)


def market_product(request, pk: int):
    """商品详情: the live version through the shared partial, buy buttons, ratings (latest first)."""
    ensure_module(request, MODULE)
    listing = reads.listed_listing(pk)
    ratings = paginate(request, reads.listing_ratings(listing), default=10, sizes=RATINGS_PAGE_SIZES)
    context = {"listing": listing, "version": listing.live_version, "ratings": ratings}
    return render(request, "marketplace/catalogue/product.html", context)


def _file_response(field, name: str, *, kind: str = ""):
    content_type = mimetypes.guess_type(field.name)[0] or "application/octet-stream"
    inline = content_type.startswith(("image/", "video/")) and content_type != "image/svg+xml"
    try:
        handle = field.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type, as_attachment=not inline, filename=name or None)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=300"
    return response


def market_thumbnail(request, pk: int):
    """A listed product's thumbnail (public: only the live version's, only while listed)."""
    ensure_module(request, MODULE)
    return _file_response(reads.public_thumbnail(pk), "")


def market_media(request, pk: int, media_pk: int):
    """An image or video of a listed product's intro page (public: only the live version's, only while listed)."""
    ensure_module(request, MODULE)
    media = reads.public_media(pk, media_pk)
    return _file_response(media.file, media.original_name, kind=media.kind)


# --- Ops: taxonomy ----------------------------------------------------------------------------------------------------
def _ops(request):
    _module, membership = check_module_access(request, MODULE)
    if not membership.has_role("ops"):
        raise PermissionDenied(_("仅运营人员可以管理商品目录、分类与标签。"))
    return membership


def _kind(kind: str) -> taxonomy.Kind:
    found = taxonomy.KINDS.get(kind)
    if found is None:
        raise Http404
    return found


class TaxonomyForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("名称"), max_length=40)
    position = forms.IntegerField(
        label=gettext_lazy("排序"),
        min_value=0,
        max_value=32767,
        initial=0,
        required=False,
        help_text=gettext_lazy("数字越小越靠前"),
    )
    is_active = forms.BooleanField(label=gettext_lazy("启用"), required=False, initial=True)

    def __init__(self, *args, kind: taxonomy.Kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].max_length = kind.max_length
        self.fields["name"].widget.attrs["maxlength"] = str(kind.max_length)
        if not kind.positioned:
            del self.fields["position"]


@login_required
def taxonomy_list(request):
    """目录与标签: the three lists, one per tab."""
    _ops(request)
    kind = _kind(request.GET.get("kind") or "catalogue")
    rows = paginate(request, taxonomy.items(kind))
    tabs = [{"code": k.code, "label": k.plural, "current": k.code == kind.code} for k in taxonomy.KINDS.values()]
    return render(request, "marketplace/catalogue/taxonomy_list.html", {"kind": kind, "page": rows, "tabs": tabs})


@login_required
def taxonomy_edit(request, kind: str, pk: int | None = None):
    membership = _ops(request)
    kind = _kind(kind)
    item = taxonomy.item(kind, pk) if pk is not None else None
    initial = {"name": item.name, "is_active": item.is_active} if item else {"is_active": True, "position": 0}
    if item is not None and kind.positioned:
        initial["position"] = item.position
    form = TaxonomyForm(request.POST or None, kind=kind, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if kind.positioned and data.get("position") is None:
            data["position"] = 0
        try:
            if item is None:
                taxonomy.create(membership, kind, **data)
            else:
                taxonomy.update(membership, kind, item.pk, **data)
        except DomainError as error:
            attach_error(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect(f"{taxonomy.list_url(kind)}")
    context = {"kind": kind, "item": item, "form": form}
    return render(request, "marketplace/catalogue/taxonomy_form.html", context, status=400 if form.errors else 200)


@login_required
def taxonomy_toggle(request, kind: str, pk: int, active: bool):
    membership = _ops(request)  # who may, before what method: a stranger learns nothing from a 405
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    kind = _kind(kind)
    try:
        item = taxonomy.set_active(membership, kind, pk, active)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if active:
            messages.success(request, _("已启用“%(name)s”。") % {"name": item.name})
        else:
            messages.success(
                request, _("已停用“%(name)s”，已上架商品不受影响，新商品不能再选择它。") % {"name": item.name}
            )
    return redirect(taxonomy.list_url(kind))
