"""Forms of 企业信息, 信息更新, 企业重大变更 and 认证到期管理. They only shape input: every field is optional here and the
rules (required fields, lengths, a county-level place, a valid and free USCC, the windows) are `enterprise.py`'s,
whose DomainErrors the pages put next to the named field."""

from __future__ import annotations

from itertools import groupby

from django import forms
from django.utils.translation import gettext_lazy as _

from shared_apps.ui.widgets import DatePickerInput
from tenant_apps.cultivation import enterprise
from tenant_apps.cultivation.models import MajorChange, Sector

LABELS = enterprise.INFO_FIELDS


def region_choices() -> list:
    """County-level places grouped by province / city: "浙江省 / 宁波市" → "浙江省 / 宁波市 / 鄞州区"."""
    counties = list(enterprise.county_regions())
    grouped = groupby(counties, key=lambda r: enterprise.region_label(r.parent) if r.parent else "")
    return [
        ("", _("请选择")),
        *[(group, [(r.code, enterprise.region_label(r)) for r in items]) for group, items in grouped],
    ]


def _text(label, max_length: int, **attrs) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, widget=forms.TextInput(attrs={"maxlength": str(max_length), **attrs})
    )


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, application=None, **kwargs):
        super().__init__(*args, **kwargs)
        if application is not None:
            self.fields["version"].initial = application.version


class InfoForm(VersionForm):
    """编辑 (every field) or, with `update=True`, 信息更新 (without 注册地 and 主营业务, which are major changes)."""

    region = forms.ChoiceField(label=LABELS["region"], required=False)
    sector = forms.ChoiceField(label=LABELS["sector"], required=False, choices=[("", _("请选择")), *Sector.choices])
    main_business = _text(LABELS["main_business"], 200)
    legal_rep = _text(LABELS["legal_rep"], 30)
    ownership = _text(LABELS["ownership"], 20)
    founded_on = forms.DateField(label=LABELS["founded_on"], required=False, widget=DatePickerInput())
    employees = _text(LABELS["employees"], 9, inputmode="numeric")
    revenue = _text(LABELS["revenue"], 16, inputmode="decimal")
    rd_expense = _text(LABELS["rd_expense"], 16, inputmode="decimal")
    contact_name = _text(LABELS["contact_name"], 30)
    contact_mobile = _text(LABELS["contact_mobile"], 20, inputmode="tel")

    def __init__(self, *args, values: dict | None = None, update: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if update:
            del self.fields["region"], self.fields["main_business"]
        else:
            self.fields["region"].choices = region_choices()
            self.fields["region"].help_text = _("注册地决定审核的区县、市、省。")
        self.fields["sector"].help_text = _("所属行业决定数字化水平评测使用的评测表。")
        for name, value in (values or {}).items():
            if name in self.fields:
                self.fields[name].initial = value

    def service_data(self) -> dict:
        fields = [name for name in enterprise.INFO_FIELDS if name in self.fields]
        return {name: self.cleaned_data.get(name) for name in fields}


class ChangeFilterForm(forms.Form):
    change_type = forms.ChoiceField(
        label=_("变更类型"), required=False, choices=[("", _("全部")), *MajorChange.Type.choices]
    )

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {"change_type": ""}
        return {"change_type": self.cleaned_data.get("change_type") or ""}


class ChangeForm(VersionForm):
    change_type = forms.ChoiceField(
        label=_("变更类型"), required=False, choices=[("", _("请选择")), *MajorChange.Type.choices]
    )
    before = _text(_("变更前"), 200)
    after = _text(_("变更后"), 200)
    after_region = forms.ChoiceField(label=_("变更后注册地"), required=False)
    reason = forms.CharField(
        label=_("变更原因"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": "1000"}),
    )

    def __init__(self, *args, values: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["after_region"].choices = region_choices()
        self.fields["before"].help_text = _("名称、统一社会信用代码、注册地、主营业务的变更前内容按当前信息填写。")
        self.fields["after_region"].help_text = _("注册地变更时选择新的注册地。")
        self.fields["reason"].help_text = _("提交时必填，不超过 1000 字。")
        values = dict(values or {})
        if values.get("change_type") == MajorChange.Type.REGION:
            values["after_region"], values["after"] = values.get("after", ""), ""
        for name, value in values.items():
            if name in self.fields:
                self.fields[name].initial = value

    def service_data(self) -> dict:
        data = {name: self.cleaned_data.get(name) or "" for name in ("change_type", "before", "after", "reason")}
        if data["change_type"] == MajorChange.Type.REGION:
            data["after"] = self.cleaned_data.get("after_region") or data["after"]
        return data

    def add_error(self, field, error):
        if field == "after" and self.data.get("change_type") == MajorChange.Type.REGION:
            field = "after_region"  # the place is chosen in the select
        super().add_error(field, error)


class ReReviewForm(VersionForm):
    statement = forms.CharField(
        label=_("复核说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": str(enterprise.STATEMENT_MAX)}),
        help_text=_("说明认定有效期内企业的发展情况及继续符合认定条件的理由，不超过 2000 字。"),
    )
