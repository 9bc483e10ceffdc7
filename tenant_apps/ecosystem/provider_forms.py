"""The provider's forms of 生态申报 (seed 004 §02–04): the list filters, the declaration's steps, the product form
with its repeatable cases, and 信息变更.

The forms only shape input: every field is optional here, because a draft may be incomplete, and the rules
(lengths, choices, min ≤ max, 0–100 %, the units one may choose, what submission needs) are the services'
(`declarations.py`, `products.py`, `changes.py`), whose DomainErrors the pages put next to the named field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shared_apps.ui.widgets import DatePickerInput, UploadInput
from tenant_apps.configuration.models import Industry
from tenant_apps.ecosystem import changes, common, declarations, products
from tenant_apps.ecosystem.models import DeclarationFile, Nature, Product, ProductFile, Status

FILE_WIDGET = {
    "types": "PDF、JPG、PNG",
    "accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png",
    "max_bytes": common.FILE_MAX_BYTES,
}
FIXED_NOTE = _("此信息来自企业注册信息，不可修改")


def _upload(label, **kwargs) -> forms.FileField:
    return forms.FileField(label=label, required=False, widget=UploadInput(**FILE_WIDGET), **kwargs)


def _text(label, max_length: int, **attrs) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, widget=forms.TextInput(attrs={"maxlength": str(max_length), **attrs})
    )


def _area(label, max_length: int, rows: int = 4) -> forms.CharField:
    """A text area with a live counter (static/js/ecosystem-form.js); the server still checks the length."""
    return forms.CharField(
        label=label,
        required=False,
        widget=forms.Textarea(attrs={"rows": rows, "maxlength": str(max_length), "data-counter": str(max_length)}),
    )


class MultipleUploadInput(UploadInput):
    allow_multiple_selected = True


class MultipleUploadField(forms.FileField):
    """Several files in one input (the service takes lists of uploads per kind)."""

    def __init__(self, label, **kwargs):
        super().__init__(
            label=label,
            required=False,
            widget=MultipleUploadInput(**FILE_WIDGET, attrs={"multiple": True}),
            **kwargs,
        )

    def clean(self, data, initial=None):
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleUploadField, self).clean(item, initial) for item in items if item]


# --- Lists ----------------------------------------------------------------------------------------------------------
class ListFilterForm(forms.Form):
    """开始日期/结束日期 (submitted) and 审核状态."""

    start = forms.DateField(label=_("提交时间"), required=False, widget=DatePickerInput(role="start"))
    end = forms.DateField(label=_("至"), required=False, widget=DatePickerInput(range_end=True))
    status = forms.ChoiceField(label=_("审核状态"), required=False)
    date_ranges = [("start", "end", _("提交时间"))]

    def __init__(self, *args, with_pending: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        shown = [(code, label) for code, label in Status.choices if with_pending or code != Status.PENDING]
        self.fields["status"].choices = [("", _("全部")), *shown]

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"start": data.get("start"), "end": data.get("end"), "status": data.get("status") or ""}


# --- 服务商申报 ---------------------------------------------------------------------------------------------------------
class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, application=None, **kwargs):
        super().__init__(*args, **kwargs)
        if application is not None:
            self.fields["version"].initial = application.version

    def uploads(self, kinds) -> dict:
        return {kind: self.cleaned_data[kind] for kind in kinds if self.cleaned_data.get(kind)}


class StepOneForm(VersionForm):
    """① 基本信息填写及相关资料上传: name and USCC (read only, from registration), logo, business licence, nature, credit
    report, the anchor unit and the cooperation proof stamped by both."""

    name = forms.CharField(label=_("单位名称"), required=False, disabled=True, help_text=FIXED_NOTE)
    uscc = forms.CharField(label=_("统一社会信用代码"), required=False, disabled=True, help_text=FIXED_NOTE)
    logo = _upload(DeclarationFile.Kind.LOGO.label)
    licence = _upload(DeclarationFile.Kind.LICENCE.label)
    nature = forms.ChoiceField(label=_("公司性质"), choices=Nature.choices, widget=forms.RadioSelect, required=False)
    credit_report = _upload(DeclarationFile.Kind.CREDIT_REPORT.label)
    anchor_unit = forms.ChoiceField(label=_("数字化牵引单位"), required=False)
    cooperation = _upload(DeclarationFile.Kind.COOPERATION.label)

    FILE_KINDS = ("logo", "licence", "credit_report", "cooperation")
    DATA_FIELDS = ("nature", "anchor_unit")

    def __init__(self, *args, declaration, **kwargs):
        super().__init__(*args, application=declaration.application, **kwargs)
        organisation = declaration.organisation
        units = declarations.declarable_units(organisation, declaration=declaration)
        self.fields["anchor_unit"].choices = [("", _("请选择")), *[(str(u.pk), u.name) for u in units]]
        self.fields["anchor_unit"].help_text = (
            _("请选择尚未加入的牵引单位；更换牵引单位后需重新上传合作关系证明材料。")
            if not declaration.is_first
            else _("审核由所选牵引单位负责。")
        )
        self.fields["name"].initial = organisation.name
        self.fields["uscc"].initial = organisation.uscc
        self.fields["nature"].initial = declaration.nature
        self.fields["anchor_unit"].initial = str(declaration.anchor_unit_id or "")
        self.fields["cooperation"].help_text = _("加盖双方单位公章。")

    def service_data(self) -> dict:
        return {name: self.cleaned_data.get(name) or "" for name in self.DATA_FIELDS}


class StepTwoForm(VersionForm):
    """② 申请加入产业生态联合体/数字化转型服务能力."""

    product_count = forms.CharField(
        label=_("现有面向中小企业的“小快轻准”数字化产品/服务数量"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": "5", "size": "8"}),
    )
    profile = _area(_("服务商简介"), declarations.PROFILE_MAX)
    guarantee = _area(_("服务实施保障"), declarations.GUARANTEE_MAX)
    team_list = _upload(DeclarationFile.Kind.TEAM_LIST.label)

    FILE_KINDS = ("team_list",)
    DATA_FIELDS = ("product_count", "profile", "guarantee")

    def __init__(self, *args, declaration, **kwargs):
        super().__init__(*args, application=declaration.application, **kwargs)
        self.fields["product_count"].initial = (
            "" if declaration.product_count is None else str(declaration.product_count)
        )
        self.fields["profile"].initial = declaration.profile
        self.fields["guarantee"].initial = declaration.guarantee
        self.fields["team_list"].help_text = _("本地技术服务团队人员名单，加盖公章。")

    def service_data(self) -> dict:
        return {name: self.cleaned_data.get(name) or "" for name in self.DATA_FIELDS}


class StepThreeForm(VersionForm):
    """③ 产品信息: nothing to type here (each product has its own form); the version travels with 提交."""

    FILE_KINDS = ()

    def __init__(self, *args, declaration, **kwargs):
        super().__init__(*args, application=declaration.application, **kwargs)

    def service_data(self) -> dict:
        return {}


STEP_FORMS = {1: StepOneForm, 2: StepTwoForm, 3: StepThreeForm}


class ProductNameForm(forms.Form):
    """+新增产品/服务: the name first; the rest on the product's own form."""

    name = forms.CharField(
        label=_("产品/服务名称"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": str(products.NAME_MAX)}),
    )


# --- 产品申报 -----------------------------------------------------------------------------------------------------------
class ProductForm(VersionForm):
    """Every field of `Product` in the sections of the seed's form."""

    name = forms.CharField(
        label=_("产品/服务名称"), required=False, widget=forms.TextInput(attrs={"maxlength": str(products.NAME_MAX)})
    )
    nature = forms.ChoiceField(
        label=_("产品性质"), choices=Product.ProductNature.choices, widget=forms.RadioSelect, required=False
    )
    ip_proof = MultipleUploadField(ProductFile.Kind.IP_PROOF.label, help_text=_("自有产品须上传。"))
    categories = forms.MultipleChoiceField(
        label=_("产品/服务类别（业务环节）"),
        choices=Product.Category.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    category_other = _text(_("其他类别说明"), 50, placeholder=_("选择“其他”时填写"))
    description = _area(_("产品/服务描述"), products.DESCRIPTION_MAX)
    architecture = forms.ChoiceField(
        label=_("部署架构"), choices=Product.Architecture.choices, widget=forms.RadioSelect, required=False
    )
    architecture_other = _text(_("其他部署架构"), 50, placeholder=_("选择“其他”时填写"))
    deployment = forms.ChoiceField(
        label=_("部署方式"), choices=Product.Deployment.choices, widget=forms.RadioSelect, required=False
    )
    deployment_days = _text(_("部署周期（天）"), 4, inputmode="numeric", size="8")
    purchase = forms.ChoiceField(
        label=_("购买方式"), choices=[("", _("请选择")), *Product.Purchase.choices], required=False
    )
    price_min = _text(_("最低报价（元）"), 16, inputmode="decimal")
    price_max = _text(_("最高报价（元）"), 16, inputmode="decimal")
    discount_percent = _text(_("拟让利比例（%）"), 6, inputmode="decimal", size="8")
    industries = forms.MultipleChoiceField(label=_("所属行业"), widget=forms.CheckboxSelectMultiple, required=False)
    sub_industries = _text(_("适用细分行业"), 200)
    scenarios = _area(_("适用场景"), 500, rows=3)
    award = forms.ChoiceField(
        label=_("产品/服务获奖情况"), choices=Product.Award.choices, widget=forms.RadioSelect, required=False
    )
    award_text = _text(_("获奖说明"), 200)
    award_proof = MultipleUploadField(ProductFile.Kind.AWARD_PROOF.label, help_text=_("获奖的须上传获奖证明。"))
    other_notes = _area(_("其他需要说明的情况"), products.OTHER_NOTES_MAX)
    other = MultipleUploadField(ProductFile.Kind.OTHER.label, help_text=_("可一次选择多个文件。"))
    anchor_unit = forms.ChoiceField(label=_("审核数字化牵引单位"), required=False)
    # Set by the 删除 button next to an uploaded proof or a case's contract (not drawn as fields): the form as typed
    # is saved and that one file taken out.
    remove_file = forms.IntegerField(required=False, min_value=1)
    remove_contract = forms.IntegerField(required=False, min_value=1)

    FILE_KINDS = ("ip_proof", "award_proof", "other")
    TEXT = (
        "name",
        "nature",
        "category_other",
        "description",
        "architecture",
        "architecture_other",
        "deployment",
        "deployment_days",
        "purchase",
        "price_min",
        "price_max",
        "discount_percent",
        "sub_industries",
        "scenarios",
        "award",
        "award_text",
        "other_notes",
    )
    SECTIONS = (
        ("basic", _("产品基础信息"), ("name", "nature", "ip_proof", "description")),
        ("category", _("产品类别"), ("categories", "category_other")),
        (
            "deployment",
            _("部署与价格"),
            (
                "architecture",
                "architecture_other",
                "deployment",
                "deployment_days",
                "purchase",
                "price_min",
                "price_max",
                "discount_percent",
            ),
        ),
        ("industry", _("行业与场景"), ("industries", "sub_industries", "scenarios")),
        # 服务案例 (the repeatable block) is drawn between these two sections.
        ("award", _("获奖与其他"), ("award", "award_text", "award_proof", "other_notes", "other", "anchor_unit")),
    )

    def __init__(self, *args, product, **kwargs):
        super().__init__(*args, application=product.application, **kwargs)
        self.standalone = product.declaration_id is None
        self.fields["industries"].choices = [
            (i.code, i.name) for i in Industry.objects.order_by("position", "id").only("code", "name")
        ]
        if self.standalone:
            units = declarations.bound_units(product.organisation)
            self.fields["anchor_unit"].choices = [("", _("请选择")), *[(str(u.pk), u.name) for u in units]]
            self.fields["anchor_unit"].help_text = _("只能选择您已加入其产业生态联合体的牵引单位。")
            self.fields["anchor_unit"].initial = str(product.anchor_unit_id or "")
        else:
            del self.fields["anchor_unit"]  # a first declaration's products go to the declaration's unit
        for name in self.TEXT:
            value = getattr(product, name)
            self.fields[name].initial = "" if value is None else str(value)
        self.fields["categories"].initial = list(product.categories)
        self.fields["industries"].initial = [i.code for i in product.industries.all()]

    @property
    def sections(self):
        return [
            (key, title, [self[name] for name in names if name in self.fields]) for key, title, names in self.SECTIONS
        ]

    def service_data(self) -> dict:
        data = {name: self.cleaned_data.get(name) or "" for name in self.TEXT}
        data["categories"] = self.cleaned_data.get("categories") or []
        data["industries"] = self.cleaned_data.get("industries") or []
        if self.standalone:
            data["anchor_unit"] = self.cleaned_data.get("anchor_unit") or ""
        return data

    def uploads(self, kinds=FILE_KINDS) -> dict:
        return {kind: self.cleaned_data[kind] for kind in kinds if self.cleaned_data.get(kind)}


class CaseForm(forms.Form):
    """One 服务案例: the customer, the result and its contract; `keep` names the saved case whose contract stays
    when no new one is chosen."""

    customer = _text(_("服务企业名称"), 64)
    summary = _text(_("应用成效"), 300)
    contract = _upload(_("合同"))
    keep = forms.CharField(widget=forms.HiddenInput, required=False)

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not any((data.get("customer"), data.get("summary"), data.get("contract"), data.get("keep")))

    def is_removed(self) -> bool:
        return bool(self.cleaned_data.get("DELETE"))

    def service_row(self) -> dict:
        data = self.cleaned_data
        return {
            "customer": data.get("customer") or "",
            "summary": data.get("summary") or "",
            "contract": data.get("contract"),
            "keep": data.get("keep") or "",
        }


def case_formset(*, extra: int):
    return forms.formset_factory(CaseForm, extra=extra, can_delete=True, max_num=products.CASES_MAX)


# --- 信息变更 -----------------------------------------------------------------------------------------------------------
class ChangeForm(VersionForm):
    contact_name = _text(changes.FIELDS["contact_name"][0], 30)
    contact_mobile = _text(changes.FIELDS["contact_mobile"][0], 11, inputmode="numeric")
    email = _text(changes.FIELDS["email"][0], 254, inputmode="email")
    region = _text(changes.FIELDS["region"][0], 60)
    address = _text(changes.FIELDS["address"][0], 100)
    nature = forms.ChoiceField(
        label=changes.FIELDS["nature"][0], choices=Nature.choices, widget=forms.RadioSelect, required=False
    )
    profile = _area(changes.FIELDS["profile"][0], 500)
    guarantee = _area(changes.FIELDS["guarantee"][0], 500)
    reason = _text(_("变更原因"), 200)

    DATA_FIELDS = (*changes.FIELDS, "reason")

    def __init__(self, *args, values: dict, application=None, **kwargs):
        super().__init__(*args, application=application, **kwargs)
        for name in self.DATA_FIELDS:
            self.fields[name].initial = values.get(name, "")
        self.fields["reason"].help_text = _("提交时必填。")

    def service_data(self) -> dict:
        return {name: self.cleaned_data.get(name) or "" for name in self.DATA_FIELDS}
