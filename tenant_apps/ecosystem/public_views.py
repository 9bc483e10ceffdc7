"""The portal's ecosystem pages (/ecosystem/), for anyone where the city has switched the module on:

- 上架产品 (`ecosystem-public-products`): approved products in at least one anchor unit's open pool; search by
  product or provider name, filters by category, industry and anchor unit; 12 cards a page.
- a product's page (`ecosystem-public-product`): what `kinds.product_sections(reviewer=False)` shows — the provider
  by name, description, deployment and price, industries and scenarios, cases by customer and summary; never a
  contract or another proof. A product not approved or in no pool answers 404.
- 数字化牵引单位 (`ecosystem-public-units`): the active units with industries, description, contact, alliance and
  pool sizes, each leading to the catalogue filtered by that unit."""

from __future__ import annotations

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shared_apps.ui.pagination import paginate
from tenant_apps.ecosystem import exports, kinds, selectors
from tenants.modules import ensure_module

MODULE = "ecosystem"
CATALOGUE_PAGE_SIZES = (12, 24, 48)


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("搜索"), required=False, max_length=selectors.MAX_QUERY_LENGTH)
    category = forms.ChoiceField(label=gettext_lazy("产品/服务类别"), required=False)
    industry = forms.ChoiceField(label=gettext_lazy("所属行业"), required=False)
    unit = forms.ChoiceField(label=gettext_lazy("数字化牵引单位"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("全部"))]
        for name, choices in selectors.public_facets().items():
            self.fields[name].choices = everything + choices
        self.fields["q"].widget.attrs.update({"placeholder": _("产品或服务商名称"), "type": "search"})

    def filters(self) -> selectors.PublicFilters:
        """The valid part of what was asked (an unknown choice is ignored, with its message shown)."""
        if self.is_bound:
            self.is_valid()
        data = self.cleaned_data if self.is_bound else {}
        valid = {name: value for name, value in data.items() if name not in self.errors}
        return selectors.PublicFilters(
            q=(valid.get("q") or "").strip(),
            category=valid.get("category") or "",
            industry=valid.get("industry") or "",
            unit=valid.get("unit") or "",
        )


def public_products(request):
    """上架产品: search, filters, cards."""
    ensure_module(request, MODULE)
    form = CatalogueFilterForm(request.GET or None)
    filters = form.filters()
    page = paginate(request, selectors.public_products(filters), default=12, sizes=CATALOGUE_PAGE_SIZES)
    for product in page.object_list:
        product.category_text = exports.categories(product)
        product.price_text = exports.price_range(product)
    context = {"form": form, "filters": filters, "page": page}
    return render(request, "ecosystem/public/products.html", context)


def public_product(request, pk: int):
    """A listed product's page: its public sections and the units whose pools hold it."""
    ensure_module(request, MODULE)
    product = selectors.public_product(pk)
    context = {
        "product": product,
        "sections": kinds.product_sections(product, reviewer=False),
        "units": [entry.anchor_unit for entry in product.open_pools],
    }
    return render(request, "ecosystem/public/product.html", context)


def public_units(request):
    """数字化牵引单位 and their alliances."""
    ensure_module(request, MODULE)
    return render(request, "ecosystem/public/units.html", {"units": list(selectors.public_units())})
