from django import forms
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shared_apps.accounts.forms import CaptchaMixin, NewPasswordMixin
from tenant_apps.organisations.models import Membership
from tenants.modules import enabled_modules
from tenants.validators import mobile_validator


class MenuPermissionsMixin(forms.Form):
    menu_permissions = forms.MultipleChoiceField(
        label=_("菜单权限"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["menu_permissions"].choices = [(m.code, m.label) for m in enabled_modules(connection.tenant)]


class SubAccountEditForm(MenuPermissionsMixin):
    mobile = forms.CharField(label=_("手机号"), max_length=11, validators=[mobile_validator])
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    field_order = ["mobile", "email", "menu_permissions"]


class SubAccountCreateForm(CaptchaMixin, NewPasswordMixin, SubAccountEditForm):
    """The image captcha is checked with the form, before the service spends the manager's attempt budget and looks
    the username and mobile up (services.sub_account_create)."""

    username = forms.RegexField(
        label=_("用户名"),
        regex=r"^[A-Za-z0-9_]{6,30}$",
        help_text=_("6–30 位字母、数字或下划线，创建后不可修改。"),
        error_messages={"invalid": _("用户名须为 6–30 位字母、数字或下划线。")},
    )
    name = forms.CharField(label=_("姓名"), max_length=30)
    field_order = [
        "username",
        "name",
        "mobile",
        "email",
        "new_password1",
        "new_password2",
        "menu_permissions",
        "captcha",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("密码")
        self.fields["new_password2"].label = _("确认密码")


class SubAccountPasswordForm(NewPasswordMixin):
    pass


class MembershipAddForm(forms.ModelForm):
    """The city admin adds a person by the exact mobile or username the person gave them. There is no list of
    users to pick from (and no raw id whose label would say who exists): identities are national, memberships are
    this city's."""

    identity = forms.CharField(
        label=_("手机号或用户名"),
        max_length=150,
        help_text=_("请输入该用户已注册的手机号或用户名（须完全一致）。"),
    )

    def clean_identity(self):
        typed = self.cleaned_data["identity"].strip()
        user = get_user_model().objects.filter(Q(mobile=typed) | Q(username=typed)).first()
        if user is None:
            raise forms.ValidationError(_("未找到与该手机号或用户名完全一致的账号。"), code="not_found")
        if Membership.objects.filter(user=user).exists():
            raise forms.ValidationError(_("该用户已是本城市的成员。"), code="already_member")
        self.instance.user = user
        return typed
