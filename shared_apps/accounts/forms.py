from captcha.fields import CaptchaField
from django import forms
from django.utils.translation import gettext_lazy as _

from shared_apps.accounts.models import mobile_validator

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


def attach_error(form: forms.Form, error: Exception, field: str | None = None) -> None:
    """Put a service's refusal on the form: password-policy errors on the new password, others on the field the
    error names (`error.field`), else on `field`, else on the form as a whole."""
    from django.core.exceptions import ValidationError

    if isinstance(error, ValidationError):
        target = "new_password1" if "new_password1" in form.fields else None
        for message in error.messages:
            form.add_error(target, message)
        return
    target = getattr(error, "field", None) or field
    form.add_error(target if target in form.fields else None, str(error))
