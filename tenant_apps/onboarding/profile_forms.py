"""Forms built from the tenant's profile configuration: core columns first, then the configured field groups."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from tenant_apps.configuration.models import Industry
from tenant_apps.onboarding.models import ProfileField, ProfileFieldGroup
from tenants.validators import USCCField, mobile_validator, phone_validator


class OrganisationCoreForm(forms.Form):
    """The columns every tenant keeps for an organisation (name, USCC, industry, region, contact …)."""

    name = forms.CharField(label=_("单位名称"), max_length=64)
    uscc = USCCField(label=_("统一社会信用代码"))
    industry = forms.ModelChoiceField(
        label=_("所属行业"), queryset=Industry.objects.none(), required=False, empty_label=_("请选择")
    )
    region = forms.CharField(label=_("所在地区"), max_length=60, required=False)
    address = forms.CharField(label=_("详细地址"), max_length=100, required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=30)
    contact_mobile = forms.CharField(label=_("联系人手机"), max_length=11, validators=[mobile_validator])
    email = forms.EmailField(label=_("电子邮箱"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["industry"].queryset = Industry.objects.all()


def _form_field(definition: ProfileField) -> forms.Field:
    common = {"label": definition.label, "required": definition.required, "help_text": definition.help_text}
    kind = ProfileField.Kind
    choices = [(choice, choice) for choice in definition.choices]
    if definition.kind == kind.TEXTAREA:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=definition.max_length, **common)
    if definition.kind == kind.INTEGER:
        return forms.IntegerField(min_value=0, **common)
    if definition.kind == kind.DECIMAL:
        return forms.DecimalField(max_digits=16, decimal_places=2, **common)
    if definition.kind == kind.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if definition.kind == kind.BOOLEAN:
        return forms.TypedChoiceField(
            choices=[("", "—"), ("yes", _("是")), ("no", _("否"))],
            coerce=lambda v: v == "yes",
            empty_value=None,
            **common,
        )
    if definition.kind == kind.CHOICE:
        return forms.ChoiceField(choices=[("", "—"), *choices], **common)
    if definition.kind == kind.MULTICHOICE:
        return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
    if definition.kind == kind.EMAIL:
        return forms.EmailField(**common)
    if definition.kind == kind.PHONE:
        return forms.CharField(max_length=20, validators=[phone_validator], **common)
    return forms.CharField(max_length=definition.max_length or 200, **common)


def field_name(group_code: str, field_code: str) -> str:
    return f"{group_code}__{field_code}"


class ProfileForm(OrganisationCoreForm):
    """Core columns plus the role's configured groups. `groups` lists (group, [bound fields]) for rendering."""

    def __init__(self, *args, role: str, **kwargs):
        super().__init__(*args, **kwargs)
        # The certification application's version when the page was opened: a stale re-edit is refused.
        self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
        self.definitions = list(ProfileFieldGroup.objects.filter(role=role).prefetch_related("fields"))
        for group in self.definitions:
            for definition in group.fields.all():
                self.fields[field_name(group.code, definition.code)] = _form_field(definition)

    @property
    def groups(self):
        core = [self[name] for name in OrganisationCoreForm.base_fields]
        configured = [
            (group.name, [self[field_name(group.code, d.code)] for d in group.fields.all()])
            for group in self.definitions
        ]
        return [(_("基本信息"), core), *configured]

    def profile_data(self) -> dict:
        """The configured groups' cleaned values as JSON: {group: {field: value}}."""
        data: dict[str, dict] = {}
        for group in self.definitions:
            values = {}
            for definition in group.fields.all():
                value = self.cleaned_data.get(field_name(group.code, definition.code))
                if isinstance(value, (datetime.date, Decimal)):
                    value = str(value) if isinstance(value, Decimal) else value.isoformat()
                if value not in (None, "", []):
                    values[definition.code] = value
            data[group.code] = values
        return data
