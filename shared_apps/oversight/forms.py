from django import forms
from django.utils.translation import gettext_lazy as _

from tenants.errors import DomainError
from tenants.models import Domain, Tenant
from tenants.presets import load_preset, tenant_preset_codes
from tenants.services import tenant_host, validate_schema_name
from tenants.validators import mobile_validator


class DateInput(forms.DateInput):
    input_type = "date"  # the browser's own date picker, in the page's language; the value is ISO (2026-01-31)

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class TenantCreateForm(forms.Form):
    """A new city: its names, host and preset, its pilot period and its first administrator."""

    name = forms.CharField(label=_("平台名称"), max_length=100, help_text=_("如：大庆市中小企业数字化转型城市试点"))
    schema_name = forms.CharField(
        label=_("子域名（标识）"),
        max_length=30,
        help_text=_("小写字母开头，只含小写字母和数字；也是子域名，如 daqing。"),
    )
    preset = forms.ChoiceField(label=_("预设"), help_text=_("模块、审核流程和默认配置；不会带入该预设城市的名称。"))
    authority = forms.CharField(label=_("主办单位"), max_length=100, help_text=_("如：大庆市工业和信息化局"))
    pilot_start = forms.DateField(label=_("试点期开始"), widget=DateInput)
    pilot_end = forms.DateField(label=_("试点期结束"), widget=DateInput)
    admin_name = forms.CharField(label=_("城市管理员姓名"), max_length=30)
    admin_mobile = forms.CharField(
        label=_("城市管理员手机号"),
        max_length=11,
        validators=[mobile_validator],
        help_text=_("已有账号的人收到通知短信；没有账号的人收到设置密码的一次性链接。"),
    )

    groups = (
        (_("城市"), ("name", "schema_name", "preset", "authority", "pilot_start", "pilot_end")),
        (_("首位城市管理员"), ("admin_name", "admin_mobile")),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preset"].choices = [(code, load_preset(code).name) for code in tenant_preset_codes()]

    def fieldsets(self):
        return [(title, [self[name] for name in names]) for title, names in self.groups]

    def clean_schema_name(self):
        value = self.cleaned_data["schema_name"].strip()
        try:
            validate_schema_name(value)
        except DomainError as error:
            raise forms.ValidationError(str(error)) from error
        if Tenant.objects.filter(schema_name=value).exists():
            raise forms.ValidationError(_("该标识已被使用。"))
        if Domain.objects.filter(domain=tenant_host(value)).exists():
            raise forms.ValidationError(_("该子域名已被其他城市使用。"))
        return value

    def clean(self):
        data = super().clean()
        start, end = data.get("pilot_start"), data.get("pilot_end")
        if start and end and end < start:
            self.add_error("pilot_end", _("试点期结束日期不能早于开始日期。"))
        return data


class ConsoleFilterForm(forms.Form):
    """The console list's filter bar: province and batch (from the cities' roll-ups), status, a name, the order."""

    q = forms.CharField(label=_("城市"), required=False, max_length=50)
    province = forms.ChoiceField(label=_("省份"), required=False)
    batch = forms.ChoiceField(label=_("批次"), required=False)
    status = forms.ChoiceField(label=_("状态"), required=False)
    sort = forms.ChoiceField(label=_("排序"), required=False)

    SORT_CHOICES = (
        ("", _("创建时间")),
        ("-overdue", _("超期待办最多")),
        ("-backlog", _("待办最多")),
        ("-enterprises", _("企业最多")),
        ("-certified", _("已认证企业最多")),
        ("-pilots", _("试点企业最多")),
        ("-accepted", _("验收通过最多")),
        ("-investment", _("认定投资最多")),
        ("-disbursed", _("已拨付最多")),
        ("-orders", _("订单最多")),
        ("-vouchers", _("发券最多")),
        ("-recognised", _("有效认定最多")),
        ("name", _("名称")),
        ("province", _("省份")),
        ("-batch", _("批次（新到旧）")),
    )

    def __init__(self, data=None, *, provinces=(), batches=()):
        super().__init__(data)
        every = [("", _("全部"))]
        self.fields["province"].choices = every + [(p, p) for p in provinces]
        self.fields["batch"].choices = every + [(b, _("%(year)s 年批次") % {"year": b}) for b in batches]
        self.fields["status"].choices = every + list(Tenant.Status.choices)
        self.fields["sort"].choices = self.SORT_CHOICES

    def filters(self):
        """The valid choices as a ConsoleFilter; anything unknown is dropped (a bad link shows every city)."""
        from shared_apps.oversight.selectors import ConsoleFilter

        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        values = {name: data.get(name) or "" for name in ("province", "batch", "status", "q", "sort")}
        for name in self.errors:
            values[name] = ""
        values["q"] = values["q"].strip()
        return ConsoleFilter(**values)
