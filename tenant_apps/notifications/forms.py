from django import forms
from django.utils.translation import gettext_lazy as _

from tenant_apps.notifications.models import Message

STATUS_CHOICES = [("", _("全部")), ("unread", _("未读")), ("read", _("已读"))]


class MessageFilterForm(forms.Form):
    """我的消息's filters: a category and read state; unknown values are ignored (the whole list is shown)."""

    category = forms.ChoiceField(
        label=_("类别"), required=False, choices=[("", _("全部类别")), *Message.Category.choices]
    )
    status = forms.ChoiceField(label=_("状态"), required=False, choices=STATUS_CHOICES)

    def criteria(self) -> dict:
        if not self.is_valid():
            return {}
        status = self.cleaned_data["status"]
        return {
            "category": self.cleaned_data["category"] or None,
            "unread": {"unread": True, "read": False}.get(status),
        }
