"""The listing form (商品发布) in its field groups, three customer-case forms, spec rows, and the ops delist form.

The forms only shape input; the rules (limits, file types by content, completeness at submit) are the services'
(`listings.py`), whose DomainErrors land on the named field (`attach_listing_error`)."""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from tenant_apps.configuration.models import Industry
from tenant_apps.marketplace.models import Catalogue, Category, ListingSpec, ProviderExpert, Tag

SPEC_ROWS_EXTRA = 2


class ListingForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    name = forms.CharField(label=_("方案名称"), max_length=60, required=False)
    related_product = forms.CharField(label=_("相关产品名称"), max_length=60, required=False)
    catalogue = forms.ModelChoiceField(label=_("目录"), queryset=Catalogue.objects.none(), required=False)
    tags = forms.ModelMultipleChoiceField(
        label=_("标签"), queryset=Tag.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    thumbnail = forms.FileField(
        label=_("展示图"),
        required=False,
        help_text=_("只能上传大小不超过 2 MB 的图片，支持格式：jpeg、png、jpg、bmp。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".jpeg,.jpg,.png,.bmp"}),
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("方案分类"),
        queryset=Category.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("最多 5 个。"),
    )
    industries = forms.ModelMultipleChoiceField(
        label=_("适用行业"),
        queryset=Industry.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("最多 3 个。"),
    )
    summary = forms.CharField(
        label=_("商品简介"), max_length=200, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    price_min = forms.DecimalField(label=_("销售历史最低价格（元）"), required=False, decimal_places=2, max_digits=14)
    price_max = forms.DecimalField(label=_("销售历史最高价格（元）"), required=False, decimal_places=2, max_digits=14)
    delivery_cycle_days = forms.IntegerField(label=_("交付平均周期（天）"), required=False, min_value=0)
    delivery_person_days = forms.IntegerField(label=_("交付人工数量（人天）"), required=False, min_value=0)
    contact_name = forms.CharField(label=_("联系人姓名"), max_length=30, required=False)
    contact_phone = forms.CharField(label=_("手机"), max_length=20, required=False)
    contact_email = forms.CharField(
        label=_("邮箱"), max_length=254, required=False, help_text=_("手机与邮箱至少填写一项。")
    )
    experts = forms.ModelMultipleChoiceField(
        label=_("展示专家"), queryset=ProviderExpert.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    intro = forms.CharField(
        label=_("商品介绍页"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "class": "mono", "data-intro-source": ""}),
        help_text=_(
            "按顺序排列的模块（JSON）：banner、highlights、description、gallery、support。启用脚本时显示模块编辑器。"
        ),
    )
    media = forms.FileField(
        label=_("上传介绍页素材"),
        required=False,
        help_text=_("图片（jpg、png、bmp）或 mp4 视频，不超过 100 MB；保存后可在 Banner 与截图模块中引用。"),
    )
    media_remove = forms.MultipleChoiceField(label=_("删除素材"), required=False, widget=forms.CheckboxSelectMultiple)

    GROUPS = (
        (
            _("基本信息"),
            ("name", "related_product", "catalogue", "tags", "thumbnail", "categories", "industries", "summary"),
        ),
        (_("价格与交付"), ("price_min", "price_max", "delivery_cycle_days", "delivery_person_days")),
        (_("联系方式"), ("contact_name", "contact_phone", "contact_email", "experts")),
        (_("商品介绍页"), ("intro", "media", "media_remove")),
    )

    def __init__(self, *args, organisation=None, media=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["catalogue"].queryset = Catalogue.objects.filter(is_active=True)
        self.fields["catalogue"].empty_label = _("请选择")
        self.fields["tags"].queryset = Tag.objects.filter(is_active=True)
        self.fields["categories"].queryset = Category.objects.filter(is_active=True)
        self.fields["industries"].queryset = Industry.objects.all()
        self.fields["experts"].queryset = ProviderExpert.objects.filter(organisation=organisation)
        self.fields["media_remove"].choices = [(str(item.pk), f"#{item.pk} {item.original_name}") for item in media]

    def clean_intro(self):
        raw = (self.cleaned_data.get("intro") or "").strip()
        if not raw:
            return []
        try:
            return json.loads(raw)
        except ValueError:
            raise forms.ValidationError(_("商品介绍页格式不正确。")) from None

    @property
    def groups(self):
        return [(title, [self[name] for name in names]) for title, names in self.GROUPS]

    def service_data(self) -> dict:
        data = self.cleaned_data
        names = (
            "name",
            "related_product",
            "catalogue",
            "tags",
            "categories",
            "industries",
            "summary",
            "price_min",
            "price_max",
            "delivery_cycle_days",
            "delivery_person_days",
            "contact_name",
            "contact_phone",
            "contact_email",
            "experts",
            "intro",
        )
        return {name: data.get(name) for name in names}


class CaseForm(forms.Form):
    customer = forms.CharField(label=_("客户名称"), max_length=64, required=False)
    customer_output = forms.DecimalField(label=_("客户年产值（万元）"), required=False, max_digits=14, decimal_places=2)
    contract_amount = forms.DecimalField(
        label=_("方案销售额度（万元）"), required=False, max_digits=14, decimal_places=2
    )
    delivery_months = forms.IntegerField(label=_("交付周期（月）"), required=False, min_value=1)
    contact_name = forms.CharField(label=_("客户联系人姓名"), max_length=30, required=False)
    contact_title = forms.CharField(label=_("客户联系人职务"), max_length=30, required=False)
    contact_phone = forms.CharField(label=_("客户联系人联系方式"), max_length=20, required=False)
    document = forms.FileField(
        label=_("介绍文档"),
        required=False,
        help_text=_(
            "针对问题、实施方案、实施效果等，文件不超过 100 MB，支持格式：pdf、png、jpg、jpeg、doc、docx、zip、mp4、ppt、pptx、bmp。"
        ),
    )

    def service_row(self) -> dict:
        return dict(self.cleaned_data)


class SpecForm(forms.Form):
    name = forms.CharField(label=_("规格名称"), max_length=40, required=False)
    purchase_mode = forms.ChoiceField(
        label=_("购买方式"), choices=[("", _("请选择")), *ListingSpec.PurchaseMode.choices], required=False
    )
    pricing = forms.ChoiceField(
        label=_("定价模式"), choices=[("", _("请选择")), *ListingSpec.Pricing.choices], required=False
    )
    unit_price = forms.DecimalField(label=_("规格定价（元）"), required=False, max_digits=14, decimal_places=2)

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not (data.get("name") or data.get("purchase_mode") or data.get("pricing") or data.get("unit_price"))


SpecFormSet = forms.formset_factory(SpecForm, extra=SPEC_ROWS_EXTRA, max_num=20, validate_max=True)


class OpsDelistForm(forms.Form):
    reason = forms.CharField(label=_("下架原因"), max_length=200, widget=forms.Textarea(attrs={"rows": 3}))


class OpsFilterForm(forms.Form):
    name = forms.CharField(label=_("商品名称"), max_length=60, required=False)
