"""Forms of 专家管理: the seed's 专家录入 (table 4-2) in three field groups, and operations' provider filter.

The form checks what a browser can get wrong (lengths, numbers, choices) and shows every field's message at once;
the services (`experts.py`) check the same rules again and the photo by its content."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shared_apps.ui.widgets import UploadInput
from tenant_apps.marketplace.experts import AGE_RANGE, FIELDS, PHOTO_MAX_BYTES, YEARS_MAX, providers_with_experts
from tenant_apps.marketplace.models import ProviderExpert


class ExpertForm(forms.ModelForm):
    photo = forms.FileField(
        label=_("照片"),
        required=False,
        widget=UploadInput(
            types="jpeg/jpg/png", accept=".jpg,.jpeg,.png,image/jpeg,image/png", max_bytes=PHOTO_MAX_BYTES
        ),
    )

    class Meta:
        model = ProviderExpert
        fields = list(FIELDS)
        # The seed's own words for the fields (表 4-2), which the listing page shows to buyers too.
        labels = {
            "iiot_specialty": _("工业互联网专业领域"),
            "industry_fields": _("工业行业领域"),
            "operations_field": _("工业运行领域"),
            "years_iiot": _("工业互联网服务年限"),
            "years_industry": _("工业领域服务年限"),
            "experience": _("经验与业绩"),
            "title": _("职务"),
            "introduction": _("专家介绍"),
        }
        widgets = {
            "gender": forms.RadioSelect,
            "experience": forms.Textarea(attrs={"rows": 3, "maxlength": 200}),
            "introduction": forms.Textarea(attrs={"rows": 5, "maxlength": 2000}),
        }

    GROUPS = (
        (_("基本信息"), ("name", "age", "gender", "title", "education", "photo")),
        (_("专业领域"), ("iiot_specialty", "industry_fields", "operations_field", "years_iiot", "years_industry")),
        (_("经验与介绍"), ("experience", "introduction")),
    )

    def __init__(self, *args, has_photo: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gender"].choices = list(ProviderExpert.Gender.choices)
        for name in ("operations_field", "introduction"):  # 必填 in the seed
            self.fields[name].required = True
        low, high = AGE_RANGE
        self.fields["age"].min_value, self.fields["age"].max_value = low, high
        self.fields["age"].widget.attrs.update({"min": low, "max": high})
        self.fields["age"].help_text = _("单位：岁")
        for name in ("years_iiot", "years_industry"):
            self.fields[name].widget.attrs.update({"min": 0, "max": YEARS_MAX})
            self.fields[name].help_text = _("单位：年")
        self.fields["name"].help_text = _("不超过 30 字。")
        self.fields["experience"].help_text = _("不超过 200 字。")
        # A new expert needs a photo; an existing one keeps its photo unless another is chosen.
        self.fields["photo"].required = not has_photo
        if has_photo:
            self.fields["photo"].help_text = _("不选择文件则保留当前照片。")

    @property
    def groups(self):
        return [(title, [self[name] for name in names]) for title, names in self.GROUPS]

    def service_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in FIELDS}


class ExpertFilterForm(forms.Form):
    """Operations: the experts of one provider."""

    provider = forms.ModelChoiceField(label=_("服务商"), queryset=None, required=False, empty_label=_("全部服务商"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers_with_experts()
