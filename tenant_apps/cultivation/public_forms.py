"""The public lookup's form: name and USCC as typed, and the image captcha (checked with the other fields, before
anything is looked up)."""

from __future__ import annotations

from captcha.fields import CaptchaField
from django import forms
from django.utils.translation import gettext_lazy as _

from tenants.validators import uscc_normalise


class LookupForm(forms.Form):
    name = forms.CharField(label=_("企业名称"), max_length=64)
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=30)
    captcha = CaptchaField(label=_("图形验证码"), error_messages={"invalid": _("图形验证码不正确。")})
    field_order = ["name", "uscc", "captcha"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update({"placeholder": _("请输入企业全称"), "autocomplete": "organization"})
        self.fields["uscc"].widget.attrs.update({"placeholder": _("18 位统一社会信用代码")})

    def clean_uscc(self) -> str:
        return uscc_normalise(self.cleaned_data["uscc"])
