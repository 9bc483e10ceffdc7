from django import forms
from django.utils.translation import gettext_lazy as _

from tenants.errors import DomainError
from tenants.presets import load_preset, tenant_preset_codes
from tenants.services import validate_schema_name


class TenantCreateForm(forms.Form):
    preset = forms.ChoiceField(label=_("预设"))
    schema_name = forms.CharField(
        label=_("标识"), max_length=30, help_text=_("小写字母开头，只含小写字母和数字；也是子域名，如 daqing。")
    )
    name = forms.CharField(label=_("平台名称"), max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preset"].choices = [(code, load_preset(code).name) for code in tenant_preset_codes()]

    def clean_schema_name(self):
        value = self.cleaned_data["schema_name"].strip()
        try:
            validate_schema_name(value)
        except DomainError as error:
            raise forms.ValidationError(str(error)) from error
        from tenants.models import Tenant

        if Tenant.objects.filter(schema_name=value).exists():
            raise forms.ValidationError(_("该标识已被使用。"))
        return value
