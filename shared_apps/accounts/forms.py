from captcha.fields import CaptchaField
from django import forms
from django.utils.translation import gettext_lazy as _

from tenants.validators import mobile_validator

code_field_kwargs = {
    "label": _("短信验证码"),
    "min_length": 6,
    "max_length": 6,
    "error_messages": {"min_length": _("请输入 6 位验证码。"), "max_length": _("请输入 6 位验证码。")},
}


class CaptchaMixin(forms.Form):
    captcha = CaptchaField(label=_("图形验证码"), error_messages={"invalid": _("图形验证码不正确。")})


class PasswordLoginForm(CaptchaMixin):
    identifier = forms.CharField(label=_("用户名/手机号"), max_length=150)
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput, strip=False)
    field_order = ["identifier", "password", "captcha"]


class MobileForm(forms.Form):
    mobile = forms.CharField(label=_("手机号"), max_length=11, validators=[mobile_validator])


class SmsRequestForm(CaptchaMixin, MobileForm):
    field_order = ["mobile", "captcha"]


class SmsLoginForm(MobileForm):
    code = forms.CharField(**code_field_kwargs)


class NewPasswordMixin(forms.Form):
    new_password1 = forms.CharField(label=_("新密码"), widget=forms.PasswordInput, strip=False)
    new_password2 = forms.CharField(label=_("确认新密码"), widget=forms.PasswordInput, strip=False)

    def clean(self):
        data = super().clean()
        if data.get("new_password1") and data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", _("两次输入的密码不一致。"))
        return data


class PasswordChangeForm(NewPasswordMixin):
    old_password = forms.CharField(label=_("原密码"), widget=forms.PasswordInput, strip=False)
    field_order = ["old_password", "new_password1", "new_password2"]


class PasswordResetForm(NewPasswordMixin, SmsLoginForm):
    field_order = ["mobile", "code", "new_password1", "new_password2"]


class MobileChangeForm(SmsLoginForm):
    pass


class ApiTokenCreateForm(forms.Form):
    label = forms.CharField(label=_("名称"), max_length=60, help_text=_("例如：数据同步、统计报表系统"))
    days = forms.TypedChoiceField(
        label=_("有效期"),
        coerce=int,
        choices=[(7, _("7 天")), (30, _("30 天")), (90, _("90 天"))],
        initial=30,
    )
    password = forms.CharField(label=_("当前密码"), widget=forms.PasswordInput, strip=False)
