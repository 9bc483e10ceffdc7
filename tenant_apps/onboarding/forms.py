from django import forms
from django.utils.translation import gettext_lazy as _

from shared_apps.accounts.forms import CaptchaMixin, NewPasswordMixin, code_field_kwargs
from shared_apps.ui.widgets import PrefixedTextInput
from tenant_apps.onboarding.profile_forms import OrganisationCoreForm
from tenants.validators import mobile_validator

USERNAME_HELP = _("6–30 位字母、数字或下划线，注册后不可修改。")


class AccountForm(CaptchaMixin, NewPasswordMixin):
    """Step 1, shaped by the tenant's registration settings (roles, mobile as account, company fields).

    One form, two buttons. 获取验证码 (`sending=True`) needs only the mobile and the image captcha — the captcha
    guards the SMS, not the account — and checks whatever else was typed without requiring it. 注册 needs the SMS
    code instead of a captcha: the code proves both a person and the phone."""

    role = forms.ChoiceField(label=_("注册身份"), widget=forms.RadioSelect)
    username = forms.RegexField(
        label=_("用户名"),
        regex=r"^[A-Za-z0-9_]{6,30}$",
        help_text=USERNAME_HELP,
        error_messages={"invalid": _("用户名须为 6–30 位字母、数字或下划线。")},
    )
    mobile = forms.CharField(
        label=_("手机号"),
        max_length=11,
        validators=[mobile_validator],
        widget=PrefixedTextInput("+86", attrs={"inputmode": "numeric", "autocomplete": "tel-national"}),
    )
    mobile_code = forms.CharField(**code_field_kwargs)
    agree = forms.BooleanField(
        label=_("我已阅读并同意《服务协议》和《隐私政策》"),
        error_messages={"required": _("请阅读并同意服务协议和隐私政策。")},
    )
    field_order = ["role", "mobile", "captcha", "mobile_code", "username", "new_password1", "new_password2", "agree"]

    def __init__(self, *args, settings_row, sending: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.sending = sending
        code = self.fields["mobile_code"]
        code.error_messages["required"] = _("请先点击“获取验证码”，再输入短信中的 6 位验证码。")
        code.widget.attrs.update({"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": "6"})
        self.fields["new_password1"].label = _("密码")
        self.fields["new_password2"].label = _("确认密码")
        roles = settings_row.registration_roles
        labels = dict(settings_row._meta.get_field("registration_roles").base_field.choices)
        self.fields["role"].choices = [(role, labels[role]) for role in roles]
        if len(roles) == 1:
            self.fields["role"].initial = roles[0]
            self.fields["role"].widget = forms.HiddenInput()
        if settings_row.registration_mobile_as_username:
            del self.fields["username"]
            self.fields["mobile"].help_text = _("手机号即为登录账号")
        if settings_row.registration_company_step:
            add_company_fields(self)
        if not sending:
            del self.fields["captcha"]

    def full_clean(self):
        super().full_clean()
        if self.sending and self._errors:  # sending: what is still empty is not an error yet
            for name in [n for n in self._errors if n in self.fields and n not in {"mobile", "captcha"}]:
                if not self.data.get(self.add_prefix(name)):
                    del self._errors[name]

    def code_may_be_sent(self) -> bool:
        """Sending mode: the mobile and the captcha passed (other fields only get their messages)."""
        return self.sending and not {"mobile", "captcha"} & set(self.errors)

    def company_data(self) -> dict | None:
        return company_data(self)


class JoinForm(forms.Form):
    """An identity known elsewhere joins this tenant: no new credentials, only the role, company and consent."""

    role = forms.ChoiceField(label=_("注册身份"), widget=forms.RadioSelect)
    agree = AccountForm.base_fields["agree"]

    def __init__(self, *args, settings_row, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(settings_row._meta.get_field("registration_roles").base_field.choices)
        self.fields["role"].choices = [(role, labels[role]) for role in settings_row.registration_roles]
        if len(settings_row.registration_roles) == 1:
            self.fields["role"].initial = settings_row.registration_roles[0]
            self.fields["role"].widget = forms.HiddenInput()
        if settings_row.registration_company_step:
            add_company_fields(self)

    def company_data(self) -> dict | None:
        return company_data(self)


class CompanyForm(forms.Form):
    """The company fields alone: how the registration service validates company data from the API as the page
    does."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        add_company_fields(self)

    def company_data(self) -> dict | None:
        return company_data(self)


def add_company_fields(form: forms.Form) -> None:
    """Company name (with directory lookup), USCC, region, registered address, industry section, contact."""
    for name, field in OrganisationCoreForm().fields.items():
        if name in {"name", "uscc", "region", "address", "contact_name"}:
            form.fields[f"company_{name}"] = field
    form.fields["company_address"].label = _("注册地址")
    form.fields["company_industry_section"] = forms.CharField(label=_("行业门类"), max_length=60, required=False)
    form.fields["company_name"].widget.attrs.update({"data-company-lookup": "1", "autocomplete": "off"})


def company_data(form: forms.Form) -> dict | None:
    data = {k.removeprefix("company_"): v for k, v in form.cleaned_data.items() if k.startswith("company_")}
    return data or None
