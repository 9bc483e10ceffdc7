from django import forms
from django.utils.translation import gettext_lazy as _

from shared_apps.ui.widgets import DatePickerInput, UploadInput
from tenant_apps.workflow.models import LogEntry
from tenant_apps.workflow.services import UPLOAD_MAX_BYTES


class VersionedForm(forms.Form):
    """Carries the application's version the page was rendered at; the service refuses a stale one."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class DecisionForm(VersionedForm):
    action = forms.ChoiceField(label=_("处理"), widget=forms.RadioSelect)
    opinion = forms.CharField(
        label=_("审核意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args, actions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(LogEntry.Action.choices)
        self.fields["action"].choices = [(a, labels.get(a, a)) for a in actions]


class InboxFilterForm(forms.Form):
    name = forms.CharField(label=_("申请名称"), required=False, max_length=100)
    applicant = forms.CharField(label=_("申请人"), required=False, max_length=100)
    start = forms.DateField(label=_("创建时间"), required=False, widget=DatePickerInput(role="start"))
    end = forms.DateField(label=_("至"), required=False, widget=DatePickerInput(range_end=True))
    # {% filter_bar %} draws start and end as one range control (ui.widgets).
    date_ranges = [("start", "end", _("创建时间"))]


class UploadForm(VersionedForm):
    file = forms.FileField(
        label=_("盖章扫描件"),
        widget=UploadInput(types="PDF", accept=".pdf,application/pdf", max_bytes=UPLOAD_MAX_BYTES),
    )


class WithdrawForm(VersionedForm):
    pass


class AssignExpertsForm(forms.Form):
    experts = forms.MultipleChoiceField(label=_("评审专家"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        from tenant_apps.organisations.selectors import expert_memberships

        super().__init__(*args, **kwargs)
        self.fields["experts"].choices = [
            (m.user_id, m.user.get_full_name() or m.user.username) for m in expert_memberships()
        ]
