"""The acceptance form (验收申请) as the page draws it: the admission's sections (一 basic, 二 needs, 三 projects with
indicators, 四 other) where each project also lists its **providers and their products** — one row per product, with
the provider's name, USCC and contract amount on the row (consecutive rows of the same provider are one provider:
the investment list's own layout) — and 五 the material, several files per kind.

As for the admission, every field is optional here; the rules are the service's (`acceptances.py`)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shared_apps.ui.widgets import UploadInput
from tenant_apps.pilots import acceptances
from tenant_apps.pilots.admission_forms import (
    IndicatorForm,
    NeedForm,
    ProjectForm,
    RowForm,
    SheetForm,
    _text_input,
)
from tenant_apps.pilots.models import AcceptanceFile, ProjectProduct

MATERIAL_WIDGET = {
    "types": "PDF、JPG、PNG、XLSX、DOCX",
    "accept": ".pdf,.jpg,.jpeg,.png,.xlsx,.docx",
    "max_bytes": acceptances.MATERIAL_MAX_BYTES,
}
MATERIAL_HELP = {
    AcceptanceFile.Kind.SUMMARY_REPORT: _("按本市“试点企业数字化改造项目总结报告”模板填写后上传。"),
    AcceptanceFile.Kind.INVESTMENT_LIST: _("请使用本市模板（XLSX）填写，系统将与上方项目、服务商、产品逐项核对。"),
    AcceptanceFile.Kind.SELF_ASSESSMENT: _("中小企业数字化水平自测结果报告或截图。"),
    AcceptanceFile.Kind.OTHER: _("其他可作为补充证明的材料，如咨询诊断报告。可选。"),
}


class MultipleUploadInput(UploadInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern): the cleaned value is a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleUploadInput(**MATERIAL_WIDGET, attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class AcceptanceForm(SheetForm):
    """Sections 一, 四 and 五 (new files per kind, ticked files removed), and the application's `version`."""

    FILE_KINDS = AcceptanceFile.Kind

    remove_files = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, acceptance, **kwargs):
        super().__init__(*args, sheet=acceptance, **kwargs)
        self.existing = {kind: [] for kind in AcceptanceFile.Kind.values}
        for item in acceptance.files.all():
            self.existing[item.kind].append(item)
        self.fields["remove_files"].choices = [(str(f.pk), f.original_name) for f in acceptance.files.all()]
        for kind, label in AcceptanceFile.Kind.choices:
            required = kind in acceptances.REQUIRED_FILES
            self.fields[kind] = MultipleFileField(
                label=label if required else _("%(label)s（可选）") % {"label": label},
                required=False,
                help_text=MATERIAL_HELP.get(kind, _("可一次选择多个文件。")),
            )
            self.fields[kind].existing = self.existing[kind]

    @property
    def file_fields(self):
        return [(self[kind], self.existing[kind]) for kind in AcceptanceFile.Kind.values]


class AcceptanceProjectForm(ProjectForm):
    investment = forms.CharField(
        label=_("项目总投资（元）"), required=False, widget=_text_input(16, inputmode="decimal")
    )


class ProductRowForm(RowForm):
    """One product or service of a provider; the provider's columns repeat on each of its rows."""

    VALUE_FIELDS = ("provider", "uscc", "contract_amount", "name", "kind", "amount")

    provider = forms.CharField(label=_("服务商名称"), required=False, widget=_text_input(64))
    uscc = forms.CharField(label=_("服务商统一社会信用代码"), required=False, widget=_text_input(18, size="18"))
    contract_amount = forms.CharField(
        label=_("合同金额（元）"), required=False, widget=_text_input(16, inputmode="decimal", size="10")
    )
    name = forms.CharField(label=_("产品/服务名称"), required=False, widget=_text_input(60))
    kind = forms.ChoiceField(label=_("类型"), choices=ProjectProduct.Kind.choices, required=False)
    amount = forms.CharField(
        label=_("金额（元）"), required=False, widget=_text_input(16, inputmode="decimal", size="10")
    )

    def is_blank(self) -> bool:
        values = self.values()
        values.pop("kind")  # a choice always has a value
        return not any(values.values())


def need_formset(*, extra: int):
    return forms.formset_factory(NeedForm, extra=extra, can_delete=True, max_num=acceptances.NEEDS_MAX)


def project_formset(*, extra: int):
    return forms.formset_factory(AcceptanceProjectForm, extra=extra, can_delete=True, max_num=acceptances.PROJECTS_MAX)


IndicatorFormSet = forms.formset_factory(IndicatorForm, extra=1, can_delete=True, max_num=acceptances.INDICATORS_MAX)
ProductFormSet = forms.formset_factory(
    ProductRowForm, extra=2, can_delete=True, max_num=acceptances.PROVIDERS_MAX * acceptances.PRODUCTS_MAX
)


def group_products(rows: list[dict]) -> list[dict]:
    """Flat product rows → providers with their products: consecutive rows naming the same provider (or leaving
    the name empty under one) are one provider; its USCC and contract amount are the first given on its rows."""
    providers: list[dict] = []
    for row in rows:
        name = row["provider"].strip()
        if providers and (not name or name == providers[-1]["name"]):
            current = providers[-1]
        else:
            current = {"name": name, "uscc": "", "contract_amount": "", "products": [], "rows": []}
            providers.append(current)
        current["uscc"] = current["uscc"] or row["uscc"]
        current["contract_amount"] = current["contract_amount"] or row["contract_amount"]
        current["rows"].append(row)
        if row["name"] or row["amount"]:
            current["products"].append(
                {"name": row["name"], "kind": row["kind"] or "software", "amount": row["amount"]}
            )
    return providers


def flat_products(project) -> list[dict]:
    """A saved project's providers and products as the page's flat rows (the provider's columns on its first row)."""
    rows = []
    for provider in project.providers.all():
        for k, product in enumerate(provider.products.all()):
            first = k == 0
            rows.append(
                {
                    "provider": provider.name,
                    "uscc": provider.uscc if first else "",
                    "contract_amount": ("" if provider.contract_amount is None else str(provider.contract_amount))
                    if first
                    else "",
                    "name": product.name,
                    "kind": product.kind,
                    "amount": "" if product.amount is None else str(product.amount),
                }
            )
        if not provider.products.all():
            rows.append(
                {
                    "provider": provider.name,
                    "uscc": provider.uscc,
                    "contract_amount": "" if provider.contract_amount is None else str(provider.contract_amount),
                    "name": "",
                    "kind": "software",
                    "amount": "",
                }
            )
    return rows
