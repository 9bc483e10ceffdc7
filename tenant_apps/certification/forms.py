from django import forms
from django.utils.translation import gettext_lazy as _

from shared_apps.ui.widgets import DatePickerInput
from tenant_apps.certification.models import CertificationRequest
from tenant_apps.configuration.models import Industry
from tenants.validators import USCCField, phone_validator


class CertificationForm(forms.ModelForm):
    # The application's version when the form was opened: a resubmission from a stale page is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    website = forms.URLField(label=_("企业网址"), required=False, max_length=200, assume_scheme="https")

    class Meta:
        model = CertificationRequest
        fields = [
            "company_name",
            "founded_on",
            "uscc",
            "industry",
            "contact_name",
            "contact_phone",
            "registered_capital",
            "email",
            "headcount",
            "region",
            "address",
            "website",
            "introduction",
        ]
        field_classes = {"uscc": USCCField}
        widgets = {
            "founded_on": DatePickerInput(),
            "introduction": forms.Textarea(attrs={"rows": 4, "maxlength": 300}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["industry"].queryset = Industry.objects.all()
        self.fields["industry"].empty_label = _("请选择")
        self.fields["contact_phone"].validators.append(phone_validator)
        self.fields["registered_capital"].min_value = 0
        self.fields["introduction"].help_text = _("不超过 300 字。")

    GROUPS = (
        (_("企业信息"), ("company_name", "uscc", "founded_on", "industry", "registered_capital", "headcount")),
        (_("联系方式"), ("contact_name", "contact_phone", "email", "region", "address", "website")),
        (_("企业简介"), ("introduction",)),
    )

    @property
    def groups(self):
        """The form's fields in the groups the page shows them in (forms/groups.html)."""
        return [(title, [self[name] for name in names]) for title, names in self.GROUPS]
