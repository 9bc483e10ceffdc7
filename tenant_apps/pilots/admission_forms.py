"""The admission form (入库申请) as the page draws it: 一、基本情况 (the registered identity read-only), the repeatable
rows of 二、数字化改造需求 and 三、数字化改造情况及成效 (each project with its result indicators), 四、其他情况 and 五、相关佐证材料.

The forms only shape input: every field is optional here, because a draft may be incomplete and the rules (lengths,
dates, amounts, levels, what submission needs, the defect rules) are the service's (`admissions.py`), whose
DomainErrors the page puts next to the named field."""

from __future__ import annotations

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from shared_apps.ui.widgets import DatePickerInput, UploadInput
from tenant_apps.pilots import admissions
from tenant_apps.pilots.models import LEVELS, AdmissionFile

NEEDS_EXTRA = 2
INDICATORS_EXTRA = 2
EVIDENCE_WIDGET = {
    "types": "PDF、JPG、PNG",
    "accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png",
    "max_bytes": admissions.EVIDENCE_MAX_BYTES,
}
TEXTAREA_FIELDS = {"main_products", "address"}


def _text_input(max_length: int, **attrs):
    return forms.TextInput(attrs={"maxlength": str(max_length), **attrs})


class SheetForm(forms.Form):
    """What the admission's and the acceptance's forms share: sections 一 (the basic fields, the registered identity
    read-only) and 四 (benchmark), the application's `version` the page was drawn at, and the uploads per kind of
    `FILE_KINDS` (the form's file model's Kind)."""

    FILE_KINDS: type[models.TextChoices]

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    benchmark = forms.ChoiceField(
        label=_("愿意参与标杆样板打造"),
        choices=[("yes", _("是")), ("no", _("否"))],
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(self, *args, sheet, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label, max_length, _required, fixed in admissions.BASIC_FIELDS:
            if code in TEXTAREA_FIELDS:
                widget = forms.Textarea(attrs={"rows": 2, "maxlength": str(max_length)})
            else:
                extra = {"inputmode": "numeric"} if code in ("employees", "contact_mobile") else {}
                widget = _text_input(max_length, **extra)
            self.fields[code] = forms.CharField(
                label=label,
                required=False,
                disabled=fixed,
                widget=widget,
                help_text=admissions.FIXED_NOTE if fixed else "",
                initial=(sheet.basic or {}).get(code, ""),
            )
        self.fields["revenue_last_year"].help_text = _("单位：万元，最多两位小数。")
        if sheet.benchmark is not None:
            self.fields["benchmark"].initial = "yes" if sheet.benchmark else "no"
        self.fields["version"].initial = sheet.application.version

    @property
    def basic_fields(self):
        return [self[code] for code, *_rest in admissions.BASIC_FIELDS]

    @property
    def other_fields(self):
        return [self["benchmark"]]

    def basic_data(self) -> dict:
        return {code: self.cleaned_data.get(code, "") for code, *_rest in admissions.BASIC_FIELDS}

    def benchmark_value(self):
        return {"yes": True, "no": False}.get(self.cleaned_data.get("benchmark") or "")

    def uploads(self) -> dict:
        return {kind: self.cleaned_data[kind] for kind in self.FILE_KINDS.values if self.cleaned_data.get(kind)}


class AdmissionForm(SheetForm):
    """Sections 一, 四 and 五 (one file per kind), and the application's `version` the page was drawn at."""

    FILE_KINDS = AdmissionFile.Kind

    def __init__(self, *args, admission, files_by_kind: dict, **kwargs):
        super().__init__(*args, sheet=admission, **kwargs)
        for kind, label in AdmissionFile.Kind.choices:
            current = files_by_kind.get(kind)
            help_text = (
                _("已上传：%(name)s（重新选择文件将替换）") % {"name": current.original_name}
                if current
                else _("尚未上传。")
            )
            if kind == AdmissionFile.Kind.INDUSTRY_STATEMENT:
                help_text = f"{help_text} {_('企业认证反馈中提示所属试点行业不够清晰时上传，可选。')}"
            self.fields[kind] = forms.FileField(
                label=label, required=False, widget=UploadInput(**EVIDENCE_WIDGET), help_text=help_text
            )

    @property
    def file_fields(self):
        return [self[kind] for kind in AdmissionFile.Kind.values]


class RowForm(forms.Form):
    """A repeatable row: blank rows are skipped, ticked 删除 rows are dropped (the script ticks it for 删除)."""

    VALUE_FIELDS: tuple[str, ...] = ()

    def values(self) -> dict:
        return {name: (self.cleaned_data.get(name) or "").strip() for name in self.VALUE_FIELDS}

    def is_blank(self) -> bool:
        return not any(self.values().values())

    def is_removed(self) -> bool:
        return bool(self.cleaned_data.get("DELETE"))


class NeedForm(RowForm):
    VALUE_FIELDS = ("kind", "description", "analysis")

    kind = forms.CharField(
        label=_("需求类型"), required=False, widget=_text_input(30, placeholder=_("如：生产制造、经营管理"))
    )
    description = forms.CharField(
        label=_("需求描述"), required=False, widget=forms.Textarea(attrs={"rows": 2, "maxlength": "500"})
    )
    analysis = forms.CharField(
        label=_("问题及需求分析"), required=False, widget=forms.Textarea(attrs={"rows": 2, "maxlength": "1000"})
    )


class ProjectForm(RowForm):
    VALUE_FIELDS = ("name", "starts_on", "ends_on", "content", "investment", "level_before", "level_after")
    LEVEL_CHOICES = [("", _("请选择")), *[(str(value), label) for value, label in LEVELS]]

    name = forms.CharField(
        label=_("项目名称"),
        required=False,
        widget=_text_input(60, placeholder=_("写明改造对象和内容，如：冲压车间设备联网与数据采集改造")),
    )
    starts_on = forms.CharField(label=_("开始日期"), required=False, widget=DatePickerInput(role="start"))
    ends_on = forms.CharField(label=_("结束日期"), required=False, widget=DatePickerInput(role="end"))
    content = forms.CharField(
        label=_("改造内容"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": "2000"}),
        help_text=_("写明改造了什么、用了哪些系统或设备、带来哪些变化。"),
    )
    investment = forms.CharField(
        label=_("项目投资（万元）"), required=False, widget=_text_input(16, inputmode="decimal")
    )
    level_before = forms.ChoiceField(label=_("改造前数字化水平"), choices=LEVEL_CHOICES, required=False)
    level_after = forms.ChoiceField(label=_("改造后数字化水平"), choices=LEVEL_CHOICES, required=False)

    PERIOD_FIELDS = ("starts_on", "ends_on")
    TEXT_FIELDS = ("name", "investment", "content")
    LEVEL_FIELDS = ("level_before", "level_after")


class IndicatorForm(RowForm):
    VALUE_FIELDS = ("name", "unit", "before", "after")

    name = forms.CharField(label=_("指标名称"), required=False, widget=_text_input(30, placeholder=_("如：设备联网率")))
    unit = forms.CharField(label=_("单位"), required=False, widget=_text_input(10, size="6"))
    before = forms.CharField(label=_("改造前"), required=False, widget=_text_input(20, size="8"))
    after = forms.CharField(label=_("改造后"), required=False, widget=_text_input(20, size="8"))


def need_formset(*, extra: int):
    return forms.formset_factory(NeedForm, extra=extra, can_delete=True, max_num=admissions.NEEDS_MAX)


def project_formset(*, extra: int):
    return forms.formset_factory(ProjectForm, extra=extra, can_delete=True, max_num=admissions.PROJECTS_MAX)


IndicatorFormSet = forms.formset_factory(
    IndicatorForm, extra=INDICATORS_EXTRA, can_delete=True, max_num=admissions.INDICATORS_MAX
)
